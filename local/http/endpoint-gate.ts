/**
 * What every local AWS JSON endpoint (DynamoDB, SQS, Rekognition) runs before it does anything: the
 * loopback/Origin guard, the signature requirement, and a body read with a size limit. Each endpoint
 * answers the refusals in its own error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { guardRefusal } from './loopback-guard';
import { signatureProblem, type SignatureProblem } from './request-signature';

export type GateRefusal = { kind: 'guard'; message: string } | SignatureProblem;

/** Why this request may not be served, or undefined. `port`: the port the endpoint listens on. */
export function gateRefusal(req: IncomingMessage, port: number, now = Date.now()): GateRefusal | undefined {
  const guard = guardRefusal(req.headers, port);
  if (guard) return { kind: 'guard', message: guard };
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  return signatureProblem(req.headers, new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)), now);
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** The client went away (or sent a broken body) before the body ended. */
export class IncompleteBodyError extends Error {
  override readonly name = 'IncompleteBodyError';
}

/**
 * The whole body, at most `limit` bytes: a larger declared Content-Length is refused before reading,
 * a larger streamed body as soon as it passes the limit. The request is never destroyed here, so the
 * caller can still answer; it should then call `finishUnread`.
 */
export function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (!req.complete) reject(new IncompleteBodyError('the request body ended early'));
      else resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new IncompleteBodyError(error.message));
    };
    const onAborted = () => onError(new Error('aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** After answering without reading the whole body: discard the rest and close the connection after the answer. */
export function finishUnread(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  res.shouldKeepAlive = false;
  // An error on a request nobody reads any more must not become an uncaught 'error' event.
  req.on('error', () => undefined);
  req.resume();
}
