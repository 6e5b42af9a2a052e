/**
 * An SQS-compatible server for the local dead-letter queue, with messages persisted to disk so they
 * survive a restart. It speaks the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses, for the
 * operations picflow needs: CreateQueue, GetQueueUrl, ListQueues, SendMessage, ReceiveMessage,
 * DeleteMessage, ChangeMessageVisibility, GetQueueAttributes and PurgeQueue (sqs-operations.ts), on
 * queues kept on disk (queue-store.ts).
 *
 * Why not an existing emulator: none that runs on Node 20 here persists messages (fauxqs keeps them
 * in memory; ElasticMQ needs a JVM), and losing the DLQ on restart would lose failed images.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BodyTooLargeError,
  finishUnread,
  gateRefusal,
  IncompleteBodyError,
  readLimitedBody,
  type GateRefusal,
} from '../http/endpoint-gate';
import { LOCAL_ACCOUNT } from '../local-account';
import { loadQueues } from './queue-store';
import { runOperation, SqsError, type SqsState } from './sqs-operations';

/**
 * Largest request body. A message is at most 256 KiB, but JSON may escape each character as 6 bytes;
 * anything past this is refused (413) without being read whole (D2: unbounded reads ended the process).
 */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

export interface SqsServerOptions {
  /** Directory holding one folder per queue and one JSON file per message. */
  directory: string;
  port?: number;
  host?: string;
}

export interface SqsServer {
  endpoint: string;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

export async function startSqsServer(options: SqsServerOptions): Promise<SqsServer> {
  const host = options.host ?? '127.0.0.1';
  let endpoint = '';
  const queueUrl = (name: string): string => `${endpoint}/${LOCAL_ACCOUNT}/${name}`;
  const state: SqsState = { directory: options.directory, queues: loadQueues(options.directory), queueUrl };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // A request Node cannot parse (bad chunked encoding, absurd headers) gets a 400 and its socket closed.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const refusal = gateRefusal(req, (server.address() as AddressInfo).port);
      if (refusal) throw refusalError(refusal);
      if (req.method !== 'POST') throw new SqsError('UnsupportedOperation', 'the SQS JSON protocol takes POST requests only');
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^AmazonSQS\./, '');
      const body = parseJsonBody(await readLimitedBody(req, MAX_REQUEST_BYTES));
      const result = runOperation(state, operation, body);
      send(res, 200, result);
    } catch (error) {
      // Nothing thrown while serving a request may end the process: every failure is an answer.
      const err = toSqsError(error);
      finishUnread(req, res);
      send(res, err.status, { __type: `com.amazonaws.sqs#${err.type}`, message: err.message });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The JSON request document: an object, else a 400 (not a 500: the client sent it wrong). */
function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SqsError('SerializationException', 'the request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new SqsError('SerializationException', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

function refusalError(refusal: GateRefusal): SqsError {
  switch (refusal.kind) {
    case 'guard':
      return new SqsError('AccessDenied', refusal.message, 403);
    case 'missing':
      return new SqsError('MissingAuthenticationToken', refusal.message, 403);
    case 'malformed':
      return new SqsError('IncompleteSignature', refusal.message, 403);
    default:
      return new SqsError('RequestExpired', refusal.message, 403);
  }
}

function toSqsError(error: unknown): SqsError {
  if (error instanceof SqsError) return error;
  if (error instanceof BodyTooLargeError)
    return new SqsError('RequestEntityTooLarge', `the request body is larger than ${error.limit} bytes`, 413);
  if (error instanceof IncompleteBodyError) return new SqsError('IncompleteBody', error.message);
  return new SqsError('InternalError', (error as Error)?.message ?? String(error), 500);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(json),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(json);
}
