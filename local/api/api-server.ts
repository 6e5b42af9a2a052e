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
import type { ApiDeps } from '../../api/shared/api-config';
import { finishUnread } from '../http/endpoint-gate';
import { crossSiteRefusal, hostRefusal, isLoopbackName } from '../http/loopback-guard';
import { apiDispatcher, apiFailure, sendApiResponse } from './api-dispatch';

export { MAX_REQUEST_BYTES } from './api-dispatch';

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
  const dispatch = apiDispatcher(options.deps);
  let port = 0;

  const server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const originAllowed = origin !== undefined && allowed.has(origin);
    const refusal = hostRefusal(req.headers, port) ?? (originAllowed ? undefined : crossSiteRefusal(req.headers));
    if (refusal) {
      const allowedNote = allowed.size > 0 ? ` (allowed origins: ${[...allowed].join(', ')})` : '';
      sendApiResponse(
        res,
        apiFailure(
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
      sendApiResponse(res, {
        statusCode: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '600',
        },
        body: '',
      });
      return;
    }
    await dispatch(req, res, raw, cors);
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
