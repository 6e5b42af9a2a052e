/** The API's one response and error shape: JSON bodies, `{ code, message, requestId }` for every error, never a stack trace. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../../tasks/shared/logger';

export type ApiResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

/** A caller's mistake (4xx): `message` is a sentence that says what to change. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);

export function json(statusCode: number, body: unknown): ApiResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function noContent(): ApiResponse {
  return { statusCode: 204, headers: {}, body: '' };
}

function requestId(event: APIGatewayProxyEventV2): string {
  return event?.requestContext?.requestId ?? 'unknown';
}

/**
 * Runs a route and turns what it throws into the error shape: an ApiError keeps its status and
 * sentence; anything else is logged with its stack and answered 500 without one (a stack trace
 * tells an attacker about the code and a caller nothing they can act on).
 */
export async function respond(event: APIGatewayProxyEventV2, route: () => Promise<ApiResponse>): Promise<ApiResponse> {
  try {
    return await route();
  } catch (error) {
    if (error instanceof ApiError) {
      return json(error.statusCode, { code: error.code, message: error.message, requestId: requestId(event) });
    }
    logger.error('Request failed', { requestId: requestId(event), routeKey: event?.routeKey, error: error as Error });
    return json(500, {
      code: 'InternalError',
      message: 'The request failed on the server; retry it, and quote the requestId if it keeps failing.',
      requestId: requestId(event),
    });
  }
}

/** The body as bytes (API Gateway base64-encodes binary bodies and says so). */
export function bodyBytes(event: APIGatewayProxyEventV2): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** A JSON object body; 400 MalformedJson otherwise. */
export function jsonBody(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const text = bodyBytes(event).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('MalformedJson', 'The request body is not valid JSON; send a JSON object such as {"contentType": "image/jpeg"}.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('MalformedJson', 'The request body must be a JSON object, such as {"contentType": "image/jpeg"}.');
  }
  return value as Record<string, unknown>;
}

/** A header, case-insensitively (API Gateway v2 lower-cases them; a local server may not). */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The media type of a Content-Type header, without parameters, lower case. */
export function mediaType(value: string | undefined): string | undefined {
  return value?.split(';')[0].trim().toLowerCase() || undefined;
}

export function unknownRoute(event: APIGatewayProxyEventV2): ApiError {
  return new ApiError(
    404,
    'NoSuchRoute',
    `There is no route ${event.routeKey}; see the API's OpenAPI document (api/openapi.json) for the routes.`,
  );
}
