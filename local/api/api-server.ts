/**
 * The HTTP API served locally by `picflow dev`: the same handlers as on AWS (api/), each request turned
 * into API Gateway's payload 2.0 event (v2-event.ts), on its own loopback port so its paths are the
 * deployed API's (`/uploads`, `/images/...`): a client changes only its base URL between local and AWS.
 *
 * No authentication, like the console: it listens on loopback only and refuses what a web page could
 * send it: a Host that is not a loopback name for this port (DNS rebinding), and browser requests from
 * another origin (an Origin, or Sec-Fetch-Site cross-site/same-site) unless that origin is listed in
 * `allowedOrigins` (env PICFLOW_API_ORIGINS), which then also gets CORS headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApiDeps } from '../../api/shared/api-config';
import type { ApiResponse } from '../../api/shared/http';
import { BodyTooLargeError, finishUnread, readLimitedBody } from '../http/endpoint-gate';
import { crossSiteRefusal, hostRefusal, isLoopbackName } from '../http/loopback-guard';
import { matchRoute, v2Event } from './v2-event';

/**
 * Lambda takes request payloads up to 6 MB (API Gateway passes more, Lambda refuses): the most a body
 * can be on AWS. POST /images refuses images over its own smaller limit (MAX_INLINE_BYTES) itself.
 */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

type Handler = (event: APIGatewayProxyEventV2, deps: ApiDeps) => Promise<ApiResponse>;

/**
 * Which handler serves a route: the route groups of the Lambda functions. Required when the server
 * starts, as the stack loads the tasks (local/stack/task-handlers.ts): the handlers' logger reads its
 * level when first loaded, after the stack has set it (imported with picflow dev, it logged every INFO line).
 */
function loadHandlers(): Record<string, Handler> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const uploads = (require('../../api/uploads/handler') as { run: Handler }).run;
  const search = (require('../../api/search/handler') as { run: Handler }).run;
  const images = (require('../../api/images/handler') as { run: Handler }).run;
  const openapi = (require('../../api/openapi/handler') as { run: Handler }).run;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    'POST /uploads': uploads,
    'POST /images': uploads,
    'GET /images': search,
    'GET /images/{imageId+}': images,
    'DELETE /images/{imageId+}': images,
    'GET /openapi.json': openapi,
  };
}

export interface ApiServerOptions {
  /** What the handlers run with: the stack's task configuration and clients, and its bucket. */
  deps: ApiDeps;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** A loopback address only. @default '127.0.0.1' */
  host?: string;
  /** Browser origins allowed to call the API (e.g. `http://localhost:3000`); every other origin is refused. */
  allowedOrigins?: string[];
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** PICFLOW_API_ORIGINS: a comma-separated list of origins. */
export function originsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PICFLOW_API_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackName(host)) throw new Error(`the local API listens on a loopback address only (no authentication), not ${host}`);
  const allowed = new Set(options.allowedOrigins ?? []);
  const handlers = loadHandlers();
  let port = 0;

  const server = createServer((req, res) => {
    serve(req, res).catch((error: Error) => {
      // The handlers answer their own errors; this is the server itself failing (a socket gone).
      if (!res.headersSent)
        send(
          res,
          error instanceof BodyTooLargeError
            ? tooLarge()
            : failure(500, 'InternalError', "The local API failed; see picflow dev's output."),
        );
      finishUnread(req, res);
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const originAllowed = origin !== undefined && allowed.has(origin);
    const refusal = hostRefusal(req.headers, port) ?? (originAllowed ? undefined : crossSiteRefusal(req.headers));
    if (refusal) {
      const allowedNote = allowed.size > 0 ? ` (allowed origins: ${[...allowed].join(', ')})` : '';
      send(
        res,
        failure(
          403,
          'Forbidden',
          `The local API refused this request: ${refusal}. Call it from the same machine without a foreign Origin, or list the origin ` +
            `in PICFLOW_API_ORIGINS${allowedNote}.`,
        ),
      );
      finishUnread(req, res);
      return;
    }
    const cors: Record<string, string> = originAllowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
    if (req.method === 'OPTIONS' && originAllowed) {
      send(res, {
        statusCode: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': 'GET, POST, DELETE',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '600',
        },
        body: '',
      });
      return;
    }
    // Origin-form only ("/path?query"), as API Gateway receives it.
    const queryAt = raw.indexOf('?');
    const route = raw.startsWith('/') ? matchRoute(req.method ?? 'GET', queryAt < 0 ? raw : raw.slice(0, queryAt)) : undefined;
    if (!route) {
      send(
        res,
        failure(404, 'NoSuchRoute', `There is no route ${req.method} ${raw.slice(0, 200)}; see api/openapi.json for the routes.`),
        cors,
      );
      finishUnread(req, res);
      return;
    }
    const body = await readLimitedBody(req, MAX_REQUEST_BYTES);
    const event = v2Event(
      { method: req.method ?? 'GET', url: raw, headers: req.headers, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
      route,
    );
    send(res, await handlers[route.routeKey](event, options.deps), cors);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, response: ApiResponse, extraHeaders: Record<string, string> = {}): void {
  const body = response.isBase64Encoded ? Buffer.from(response.body, 'base64') : Buffer.from(response.body ?? '', 'utf8');
  res.writeHead(response.statusCode, { ...response.headers, ...extraHeaders, 'content-length': String(body.length) });
  res.end(body);
}

/** The API's error shape (api/shared/http.ts) for what the server refuses before any handler runs. */
function failure(statusCode: number, code: string, message: string): ApiResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, message, requestId: randomUUID() }) };
}

const LARGE_UPLOADS = 'upload large images with POST /uploads (presigned, straight to S3).';

function tooLarge(): ApiResponse {
  return failure(413, 'TooLarge', `The request body is over ${MAX_REQUEST_BYTES} bytes, the most Lambda accepts; ${LARGE_UPLOADS}`);
}
