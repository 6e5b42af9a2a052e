/**
 * Turns a Node HTTP request into the event API Gateway's HTTP API (payload 2.0) gives the Lambda
 * handlers, so `picflow dev` runs the API's handlers exactly as AWS calls them: the route the request
 * matches (the OpenAPI routes, `{imageId+}` greedy), the query string both raw and as parameters
 * (repeated keys joined with commas), lower-cased headers, a binary body base64-encoded.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The API's routes, as in api/openapi.json and the CDK construct: `METHOD /path`, `{name}` one segment, `{name+}` the rest. */
export const API_ROUTES = [
  'POST /uploads',
  'POST /images',
  'GET /images',
  'GET /images/{imageId+}',
  'DELETE /images/{imageId+}',
  'GET /openapi.json',
  'POST /faces/search',
  'GET /people',
  'POST /people',
  'PATCH /people/{userId}',
  'DELETE /people/{userId}',
  'POST /people/{userId}/merge',
  'GET /people/{userId}/images',
] as const;

export interface RouteMatch {
  routeKey: string;
  pathParameters?: Record<string, string>;
}

/**
 * The route a method and raw path (still percent-encoded) match, or undefined. Path parameters keep
 * their encoding: the handlers decode them (an id's slashes may come as `%2F`).
 */
export function matchRoute(method: string, rawPath: string, routes: readonly string[] = API_ROUTES): RouteMatch | undefined {
  for (const routeKey of routes) {
    const [routeMethod, template] = routeKey.split(' ');
    if (routeMethod !== method.toUpperCase()) continue;
    const parameters = matchPath(template, rawPath);
    if (parameters) return Object.keys(parameters).length > 0 ? { routeKey, pathParameters: parameters } : { routeKey };
  }
  return undefined;
}

function matchPath(template: string, rawPath: string): Record<string, string> | undefined {
  const want = template.split('/').slice(1);
  const have = rawPath.split('/').slice(1);
  const parameters: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const greedy = /^\{(.+)\+\}$/.exec(want[i]);
    if (greedy) {
      const rest = have.slice(i).join('/');
      if (!rest) return undefined;
      parameters[greedy[1]] = rest;
      return parameters;
    }
    if (i >= have.length) return undefined;
    const single = /^\{(.+)\}$/.exec(want[i]);
    if (single) {
      if (!have[i]) return undefined;
      parameters[single[1]] = have[i];
    } else if (want[i] !== have[i]) return undefined;
  }
  return have.length === want.length ? parameters : undefined;
}

/** Media types API Gateway passes as text; every other body arrives base64-encoded with isBase64Encoded. */
function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || /^application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded)$/.test(type);
}

export interface EventRequest {
  method: string;
  /** The request target as received: `/path?query`. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  sourceIp: string;
}

/** The payload 2.0 event for a request that matched `route`. */
export function v2Event(request: EventRequest, route: RouteMatch, now = new Date()): APIGatewayProxyEventV2 {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : request.url.slice(queryAt + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = request.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const textual = isTextual(headers['content-type']);
  const hasBody = request.body.length > 0;
  const method = request.method.toUpperCase();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters: queryParameters(rawQueryString) } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    ...(hasBody ? { body: textual ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !textual,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127.0.0.1').split('.')[0],
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: request.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
  };
}

/** Decoded parameters; a key given more than once has its values joined with commas, as API Gateway does. */
function queryParameters(rawQueryString: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `27/Nov/2026:14:00:00 +0000`, API Gateway's requestContext.time. */
function apiGatewayTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}`;
  return `${day}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
}
