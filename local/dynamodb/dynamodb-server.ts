/**
 * The local DynamoDB-compatible store: dynalite (LevelDB on disk) on loopback, so items survive a
 * restart. The task code reaches it through @aws-sdk/client-dynamodb with an endpoint override.
 * Not implemented by dynalite, and so not used by picflow: transactions, TTL, PartiQL, streams.
 *
 * dynalite is third-party and not patched: a guard wraps its request listener (Host/Origin, signature,
 * body size) and hands it the body already read. Why: dynalite throws from its request 'error' listener,
 * so a client that goes away mid-body ended the whole process; and it answers any Origin with
 * `Access-Control-Allow-Origin: *`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BodyTooLargeError, finishUnread, gateRefusal, readLimitedBody, type GateRefusal } from '../http/endpoint-gate';
import { createTable, describeTable, migrateImageTable, migrationTableName } from './image-table-migration';

/** DynamoDB's (and dynalite's) request size limit. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

// dynalite ships no type declarations; it returns a plain http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface DynamoServerOptions {
  /** LevelDB directory. */
  directory: string;
  port?: number;
  host?: string;
}

export interface DynamoServer {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoServer(options: DynamoServerOptions): Promise<DynamoServer> {
  const server = dynalite({ path: options.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [dynaliteListener] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on(
    'request',
    guardedListener(dynaliteListener, () => (server.address() as AddressInfo).port),
  );
  // A request Node cannot parse (bad chunked encoding, absurd headers) gets a 400 and its socket closed.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Checks a request and reads its body (at most MAX_REQUEST_BYTES) before dynalite sees it. */
function guardedListener(dynaliteListener: RequestListener, port: () => number): RequestListener {
  return (req, res) => {
    const refusal = gateRefusal(req, port());
    if (refusal) return sendError(req, res, ...refusalAnswer(refusal));
    readLimitedBody(req, MAX_REQUEST_BYTES).then(
      (body) => {
        // DynamoDB takes one JSON object; dynalite would serve `[1,2]` as `{}`.
        const first = body.toString('utf8', 0, 64).trimStart()[0];
        if (first !== undefined && first !== '{')
          return sendError(req, res, 400, 'com.amazon.coral.service#SerializationException', 'the request body must be a JSON object');
        // dynalite reads headers, method, url and the body's data/end events: a stream that cannot fail.
        const checked = Object.assign(new PassThrough(), {
          headers: req.headers,
          method: req.method,
          url: req.url,
        }) as unknown as IncomingMessage;
        try {
          dynaliteListener(checked, res);
          (checked as unknown as PassThrough).end(body);
        } catch (error) {
          if (!res.headersSent) sendError(req, res, 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', (error as Error).message);
          else res.destroy();
        }
      },
      (error: unknown) => {
        if (error instanceof BodyTooLargeError) {
          sendError(req, res, 413, 'com.amazon.coral.validate#ValidationException', `Request size exceeded ${MAX_REQUEST_BYTES} bytes`);
        } else {
          sendError(
            req,
            res,
            400,
            'com.amazon.coral.service#SerializationException',
            `the request body is incomplete: ${(error as Error).message}`,
          );
        }
      },
    );
  };
}

function refusalAnswer(refusal: GateRefusal): [number, string, string] {
  switch (refusal.kind) {
    case 'guard':
      return [403, 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', refusal.message];
    case 'missing':
      return [400, 'com.amazon.coral.service#MissingAuthenticationTokenException', refusal.message];
    case 'malformed':
      return [400, 'com.amazon.coral.service#IncompleteSignatureException', refusal.message];
    default:
      return [400, 'com.amazon.coral.service#InvalidSignatureException', `Signature expired: ${refusal.message}`];
  }
}

/** DynamoDB's JSON error shape (AWS JSON 1.0). */
function sendError(req: IncomingMessage, res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  finishUnread(req, res);
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

/**
 * Creates the images table, as infra/ deploys it, unless it exists already; a table made by an earlier
 * release (the byStatus index on `status`), or one whose migration was interrupted, is migrated.
 */
export async function ensureImageTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const table = await describeTable(client, tableName);
  const interrupted = await describeTable(client, migrationTableName(tableName));
  if (!table && !interrupted) {
    await createTable(client, tableName);
    return;
  }
  await migrateImageTable(client, tableName);
}
