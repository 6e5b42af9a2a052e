/**
 * Runs one HTTP request through the API's handlers (api/), as API Gateway would: the route it matches,
 * its body (at most what Lambda accepts), the payload 2.0 event, the handler's answer. Shared by the
 * API's own server (api-server.ts) and the console, which mounts it same-origin under /api/v1; each
 * applies its own Host/Origin guards before calling it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApiDeps } from '../../api/shared/api-config';
import type { ApiResponse } from '../../api/shared/http';
import { BodyTooLargeError, finishUnread, readLimitedBody } from '../http/endpoint-gate';
import { matchRoute, v2Event } from './v2-event';

/**
 * Lambda takes request payloads up to 6 MB (API Gateway passes more, Lambda refuses): the most a body
 * can be on AWS. POST /images refuses images over its own smaller limit (MAX_INLINE_BYTES) itself.
 */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

type Handler = (event: APIGatewayProxyEventV2, deps: ApiDeps) => Promise<ApiResponse>;

/**
 * Which handler serves a route: the route groups of the Lambda functions. Required when first used, as
 * the stack loads the tasks (local/stack/task-handlers.ts): the handlers' logger reads its level when
 * first loaded, after the stack has set it (imported with picflow dev, it logged every INFO line).
 */
function loadHandlers(): Record<string, Handler> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const uploads = (require('../../api/uploads/handler') as { run: Handler }).run;
  const search = (require('../../api/search/handler') as { run: Handler }).run;
  const images = (require('../../api/images/handler') as { run: Handler }).run;
  const openapi = (require('../../api/openapi/handler') as { run: Handler }).run;
  const faces = (require('../../api/faces/handler') as { run: Handler }).run;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    'POST /uploads': uploads,
    'POST /images': uploads,
    'GET /images': search,
    'GET /images/{imageId+}': images,
    'DELETE /images/{imageId+}': images,
    'GET /openapi.json': openapi,
    'POST /faces/search': faces,
    'GET /people': faces,
    'POST /people': faces,
    'PATCH /people/{userId}': faces,
    'DELETE /people/{userId}': faces,
    'POST /people/{userId}/merge': faces,
    'GET /people/{userId}/images': faces,
  };
}

/** Answers `req` (already admitted by the caller's guards); `target` is its origin-form path and query as the API sees it. */
export type ApiDispatch = (
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  extraHeaders?: Record<string, string>,
) => Promise<void>;

export function apiDispatcher(deps: ApiDeps): ApiDispatch {
  const handlers = loadHandlers();
  return async (req, res, target, extraHeaders = {}) => {
    try {
      // Origin-form only ("/path?query"), as API Gateway receives it.
      const queryAt = target.indexOf('?');
      const route = target.startsWith('/') ? matchRoute(req.method ?? 'GET', queryAt < 0 ? target : target.slice(0, queryAt)) : undefined;
      if (!route) {
        const message = `There is no route ${req.method} ${target.slice(0, 200)}; see api/openapi.json for the routes.`;
        sendApiResponse(res, apiFailure(404, 'NoSuchRoute', message), extraHeaders);
        finishUnread(req, res);
        return;
      }
      const body = await readLimitedBody(req, MAX_REQUEST_BYTES);
      const event = v2Event(
        { method: req.method ?? 'GET', url: target, headers: req.headers, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
        route,
      );
      sendApiResponse(res, await handlers[route.routeKey](event, deps), extraHeaders);
    } catch (error) {
      // The handlers answer their own errors; this is the server itself failing (a socket gone, a body too large).
      if (!res.headersSent)
        sendApiResponse(
          res,
          error instanceof BodyTooLargeError
            ? tooLarge()
            : apiFailure(500, 'InternalError', "The local API failed; see picflow dev's output."),
          extraHeaders,
        );
      finishUnread(req, res);
    }
  };
}

export function sendApiResponse(res: ServerResponse, response: ApiResponse, extraHeaders: Record<string, string> = {}): void {
  const body = response.isBase64Encoded ? Buffer.from(response.body, 'base64') : Buffer.from(response.body ?? '', 'utf8');
  res.writeHead(response.statusCode, { ...response.headers, ...extraHeaders, 'content-length': String(body.length) });
  res.end(body);
}

/** The API's error shape (api/shared/http.ts) for what the server refuses before any handler runs. */
export function apiFailure(statusCode: number, code: string, message: string): ApiResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, message, requestId: randomUUID() }) };
}

const LARGE_UPLOADS = 'upload large images with POST /uploads (presigned, straight to S3).';

function tooLarge(): ApiResponse {
  return apiFailure(413, 'TooLarge', `The request body is over ${MAX_REQUEST_BYTES} bytes, the most Lambda accepts; ${LARGE_UPLOADS}`);
}
