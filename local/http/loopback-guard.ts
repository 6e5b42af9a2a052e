/**
 * Who may talk to a local endpoint at all, for every server of the local stack (S3, DynamoDB, SQS,
 * Rekognition, console): the checks that stop a web page from reaching them. Each server answers a
 * refusal in its own error shape.
 *
 * - Host must be a loopback name (127.0.0.1, localhost, [::1]) and, when it names a port, this
 *   server's port. After DNS rebinding a page's requests reach 127.0.0.1 carrying the attacker's
 *   name (`Host: evil.example:9000`): refusing foreign names makes rebinding useless. A Host without a
 *   port is what a client sends for port 80 only; it cannot come from a rebinding page, so it passes.
 * - Browser cross-site requests are refused: an `Origin` that is not one of `ownOrigins`, or
 *   `Sec-Fetch-Site: cross-site`/`same-site` (a page on another site, or on another localhost port).
 *   The AWS endpoints have no own origin: the console reads and uploads through its own server with
 *   the SDK, so no browser request to them is legitimate. `Sec-Fetch-Site: none` (a URL typed or pasted,
 *   e.g. a presigned GET) and `same-origin` pass. No endpoint sends permissive CORS headers, and a
 *   preflight (OPTIONS with an Origin) is refused like any other cross-origin request.
 */
import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name.toLowerCase());
}

/** Why this request's Host is refused, or undefined when it is a loopback name for `port`. */
export function hostRefusal(headers: IncomingHttpHeaders, port: number): string | undefined {
  const host = headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!match || !isLoopbackName(match[1]) || (match[2] !== undefined && Number(match[2]) !== port)) {
    return `requests must name a loopback host on port ${port} (127.0.0.1, localhost or [::1]), not "${host.slice(0, 100)}"`;
  }
  return undefined;
}

/**
 * Why this request is refused as a browser cross-site request, or undefined. `ownPort`: the port of
 * the server whose pages may call it (the console's own); absent for the AWS endpoints, which then
 * accept no Origin at all.
 */
export function crossSiteRefusal(headers: IncomingHttpHeaders, ownPort?: number): string | undefined {
  const origin = headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, ownPort)) return `cross-origin request from ${String(origin).slice(0, 100)} refused`;
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `${site} browser request refused`;
  return undefined;
}

function isOwnOrigin(origin: string, ownPort: number | undefined): boolean {
  if (ownPort === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.protocol === 'http:' && isLoopbackName(parsed.hostname) && Number(parsed.port || 80) === ownPort;
}

/** Both checks, for the AWS endpoints: a refusal message and which check refused, or undefined. */
export function guardRefusal(headers: IncomingHttpHeaders, port: number): string | undefined {
  return hostRefusal(headers, port) ?? crossSiteRefusal(headers);
}
