/**
 * The local S3-compatible object store, on loopback: an HTTP front (path-style S3 REST) over
 * ObjectStore (metadata in LevelDB, bodies in content-addressed files). The task code reaches it
 * through @aws-sdk/client-s3 with an endpoint override. Every object created is reported to
 * `onObjectCreated` listeners and every object deleted to `onObjectDeleted` ones, in commit order, which
 * the local event router turns into the EventBridge events AWS would send.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ObjectStore, type DeletedObject } from './object-store';
import { isFormPost } from './post-object';
import { authorizeRequest } from './request-auth';
import { S3Error, s3Errors } from './s3-errors';
import { dispatch, type OperationLimits, type S3Request, type S3Response } from './s3-operations';
import { importS3rverData } from './s3rver-import';
import { xmlDocument } from './s3-xml';

export interface S3ServerOptions {
  directory: string;
  buckets: string[];
  port?: number;
  /** A loopback address only (the store accepts any access key; see request-auth.ts). @default '127.0.0.1' */
  host?: string;
  /** Largest object accepted. @default 5 GiB (S3's PutObject limit) */
  maxObjectBytes?: number;
}

/** An object created in the store, as its commit reported it. */
export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  reason: 'PutObject' | 'CopyObject' | 'PostObject' | 'CompleteMultipartUpload';
  eventTime: string;
  sourceIp?: string;
  /** Assigned at the commit point: strictly increasing in commit order (16 hex digits). */
  sequencer?: string;
}

export type { DeletedObject } from './object-store';

export interface S3Server {
  endpoint: string;
  onObjectCreated(listener: (object: CreatedObject) => void): void;
  /** Every object a DeleteObject or DeleteObjects removed, in commit order. */
  onObjectDeleted(listener: (object: DeletedObject) => void): void;
  /** The current version of an object as its commit recorded it (sequencer included), read in-process; undefined when there is none. */
  describeObject(bucket: string, key: string): Promise<Omit<CreatedObject, 'reason' | 'sourceIp'> | undefined>;
  close(): Promise<void>;
}

const DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 ** 3;
const MAX_XML_BYTES = 2 * 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`the local S3 store listens on loopback only, not on ${host}`);
  const store = await ObjectStore.open(options.directory);
  const imported = await importS3rverData(options.directory, store);
  if (imported.buckets.length > 0) {
    process.stderr.write(
      `picflow: imported ${imported.objects} object(s) from the s3rver data in ${options.directory} (originals kept in ` +
        `${imported.movedTo})\n` +
        imported.skipped.map((s) => `  skipped ${s}\n`).join(''),
    );
  }
  for (const bucket of options.buckets) await store.createBucket(bucket);

  const limits: OperationLimits = { maxObjectBytes: options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES, maxXmlBytes: MAX_XML_BYTES };
  const listeners: ((object: CreatedObject) => void)[] = [];
  store.onCommitted(({ bucket, key, record, reason, sourceIp }) => {
    const object: CreatedObject = {
      bucket,
      key,
      size: record.size,
      etag: record.etag,
      reason,
      eventTime: record.lastModified,
      sourceIp,
      sequencer: record.sequencer,
    };
    for (const listener of listeners) listener(object);
  });

  const server = createServer((req, res) => {
    handle(store, limits, (server.address() as AddressInfo).port, req, res).catch((error) => sendError(req, res, error));
  });
  // A request Node cannot even parse gets a 400 and its socket closed; the process carries on.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${hostname}:${address.port}`,
    onObjectCreated: (listener) => listeners.push(listener),
    onObjectDeleted: (listener) => store.onDeleted(listener),
    describeObject: async (bucket, key) => {
      const record = await store.head(bucket, key);
      return record && { bucket, key, size: record.size, etag: record.etag, eventTime: record.lastModified, sequencer: record.sequencer };
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}

async function handle(store: ObjectStore, limits: OperationLimits, port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = parseRequest(req);
  authorizeRequest(request, { port, formPost: isFormPost(request) });
  send(req, res, await dispatch(store, request, limits));
}

/** Path-style: `/<bucket>/<key>`, the key percent-decoded but otherwise exactly as sent (no `.`/`..`/`//` folding). */
function parseRequest(req: IncomingMessage): S3Request {
  let target = req.url ?? '/';
  // Absolute-form request targets (proxies): keep only the path.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  if (!target.startsWith('/')) throw s3Errors.invalidUri();
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
  const slash = path.indexOf('/', 1);
  const rawBucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const rawKey = slash < 0 ? '' : path.slice(slash + 1);
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(rawBucket);
    key = decodeURIComponent(rawKey);
  } catch {
    throw s3Errors.invalidUri();
  }
  return {
    method: req.method ?? 'GET',
    bucket: bucket || undefined,
    key: key === '' ? undefined : key,
    query,
    headers: req.headers,
    body: req,
    sourceIp: req.socket.remoteAddress,
  };
}

function send(req: IncomingMessage, res: ServerResponse, response: S3Response): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  res.writeHead(response.status, { ...response.headers, 'x-amz-request-id': requestId, Server: 'picflow-local-s3' });
  // A body we did not read (a refused upload) is not waited for: the connection closes after the answer.
  if (!req.complete) res.shouldKeepAlive = false;
  const body = response.body;
  if (req.method === 'HEAD' || body === undefined || response.status === 304) {
    res.end();
  } else if (body instanceof Readable) {
    body.on('error', () => res.destroy());
    res.on('close', () => body.destroy());
    body.pipe(res);
  } else {
    res.end(body);
  }
}

/** Every failure becomes S3's XML error document; nothing thrown in a request ends the process. */
function sendError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  try {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const s3Error =
      error instanceof S3Error
        ? error
        : new S3Error('InternalError', 500, `We encountered an internal error: ${(error as Error)?.message ?? error}`);
    const body = xmlDocument('Error', { Code: s3Error.code, Message: s3Error.message, ...s3Error.details }, false);
    send(req, res, {
      status: s3Error.status,
      headers: { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) },
      body,
    });
    if (!req.complete) req.resume();
  } catch {
    res.destroy();
  }
}
