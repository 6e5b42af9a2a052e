/** The console's HTTP helpers: the error a route throws for a status, JSON answers, and bounded request bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readLimitedBody } from '../http/endpoint-gate';

const MAX_JSON_BYTES = 64 * 1024;

/** Thrown by a route: answered as `{ error: message }` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

/** The request body, at most `limit` bytes: 413 when larger, 400 when it never ended. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await readLimitedBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new HttpError(413, `over the ${limit}-byte limit`);
    throw new HttpError(400, `incomplete body: ${(error as Error).message}`);
  }
}

/** A JSON object body (empty counts as `{}`), else 400. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req, MAX_JSON_BYTES)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'body must be a JSON object');
}

export function hasControlCharacters(text: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(text);
}
