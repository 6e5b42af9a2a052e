/**
 * The local console: a small HTTP server (node:http) on loopback that serves the web app built from
 * local/console/web and a JSON API over a running LocalStack:
 *
 *   GET  /api/info                      bucket, prefixes, queue
 *   GET  /api/graph                     THE definition (local ARNs) and its laid-out graph
 *   GET  /api/executions?status=&imageId=&since=&limit=&cursor=   one page, newest first, from the
 *                                       executions index (live records merged in); nextCursor for the next
 *   GET  /api/executions/NAME           one execution with its full event history
 *   GET  /api/events[?execution=NAME]   server-sent events: executions starting, retrying, ending;
 *                                       with ?execution= also every event of that execution
 *   GET  /api/images?id=BUCKET/KEY      the image's DynamoDB item
 *   GET  /api/objects?key=KEY           an upload or a thumbnail from the local S3 (images only)
 *   GET  /api/dead-letters              the DLQ's messages (received briefly, then released)
 *   POST /api/dead-letters/replay       {messageIds?}: replayDeadLetters(), one at a time
 *   /api/v1/...                         the HTTP API (local/api, api/openapi.json), same-origin: the
 *                                       same handlers as `picflow dev`'s API port, under this prefix
 *   GET|POST /api/s3/BUCKET/KEY?...     a presigned GET or form POST the API handed out, forwarded
 *                                       to the local S3 (s3-passthrough.ts)
 *
 * No login: it listens on a loopback address only, and refuses requests whose Host is not a
 * loopback name (DNS rebinding), and API calls and writes from another site (an Origin other than its
 * own, or Sec-Fetch-Site cross-site/same-site: CSRF, cross-site reads). The checks are shared with the
 * other local endpoints: local/http/loopback-guard.ts. Pages themselves may be opened from a link.
 *
 * This file wires the parts: the routes (routes/, one file per group), the live event stream
 * (event-stream.ts) and the built web app (static-files.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { apiDispatcher } from '../api/api-dispatch';
import { finishUnread } from '../http/endpoint-gate';
import { crossSiteRefusal, hostRefusal, isLoopbackName } from '../http/loopback-guard';
import type { LocalStack } from '../stack/local-stack';
import { ensureConsoleAssets } from './build';
import { EventStream } from './event-stream';
import { HttpError, sendJson } from './http-responses';
import { executionRoutes } from './routes/executions';
import { failureRoutes, QueueTurns } from './routes/failures';
import { infoRoutes } from './routes/info';
import { objectRoutes } from './routes/objects';
import { findRoute, type ConsoleContext, type Route } from './routes/route';
import { forwardToS3, S3_PASSTHROUGH_PREFIX } from './s3-passthrough';
import { sendStatic } from './static-files';

/** Where the console mounts the HTTP API: `/api/v1/images` is the API's `/images`. */
export const API_PREFIX = '/api/v1';

export interface ConsoleServerOptions {
  stack: LocalStack;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** A loopback address only. @default '127.0.0.1' */
  host?: string;
  /** Where the built web app is; @default built (if stale) into local/console/dist */
  assetsDir?: string;
}

export interface ConsoleServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { stack } = options;
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackName(host)) throw new Error(`the console listens on a loopback address only (no login), not ${host}`);
  const assetsDir = resolve(options.assetsDir ?? (await ensureConsoleAssets()));
  // The stack's own settings (another stack in this process may have others).
  const readablePrefixes = [stack.config.uploadPrefix, stack.config.thumbnailPrefix, stack.config.normalizedPrefix];

  const events = new EventStream(stack.runner);
  const turns = new QueueTurns();
  const context: ConsoleContext = { stack, events, readablePrefixes };
  const routes: Route[] = [...infoRoutes(context), ...executionRoutes(context), ...objectRoutes(context), ...failureRoutes(context, turns)];

  // The HTTP API's own handlers (no second implementation), behind this server's guards.
  const dispatchApi = apiDispatcher({ ...stack.tasks, bucket: stack.bucket });
  const s3Passage = { endpoint: stack.endpoints.s3, bucket: stack.bucket, readablePrefixes };

  const server = createServer((req, res) => {
    const raw = req.url ?? '/';
    // Origin-form only ("/path?query"): never read "//host/..." or "http://..." as another host.
    const url = new URL(`http://console.invalid${raw.startsWith('/') ? raw : '/'}`);
    Promise.resolve()
      .then(() => {
        if (!raw.startsWith('/')) throw new HttpError(400, 'bad request target');
        const hostProblem = hostRefusal(req.headers, port);
        if (hostProblem) throw new HttpError(403, hostProblem);
        const method = req.method ?? 'GET';
        const path = url.pathname;
        const isPage = (method === 'GET' || method === 'HEAD') && !path.startsWith('/api/');
        const siteProblem = isPage ? undefined : crossSiteRefusal(req.headers, port);
        if (siteProblem) throw new HttpError(403, siteProblem);
        if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return dispatchApi(req, res, raw.slice(API_PREFIX.length) || '/');
        if (path.startsWith(S3_PASSTHROUGH_PREFIX)) return forwardToS3(s3Passage, req, res, raw);
        const found = findRoute(routes, method, path);
        if (found) return found.route.handle({ req, res, url, params: found.params });
        if (path.startsWith('/api/'))
          throw new HttpError(method === 'GET' || method === 'POST' ? 404 : 405, `no such API: ${method} ${path}`);
        if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
        return sendStatic(assetsDir, path, res);
      })
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (res.headersSent) return res.end();
        finishUnread(req, res);
        sendJson(res, status, { error: status === 500 ? `internal error: ${(error as Error).message}` : (error as Error).message });
      });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => {
      closing ??= (async () => {
        events.close();
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        await turns.idle();
      })();
      return closing;
    },
  };
}
