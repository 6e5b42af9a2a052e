/**
 * The local S3-compatible object store: s3rver, persisted to a directory, on loopback. The task code
 * reaches it through @aws-sdk/client-s3 with an endpoint override (path-style). Every object created
 * is reported to `onObjectCreated` listeners, which the local event router turns into the
 * EventBridge events AWS would send.
 */
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked-decoder';

export interface S3ServerOptions {
  directory: string;
  buckets: string[];
  port?: number;
  host?: string;
}

/** What s3rver reports for a created object (its S3-notification-shaped event, reduced). */
export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  reason: 'PutObject' | 'CopyObject' | 'PostObject' | 'CompleteMultipartUpload';
  eventTime: string;
  sourceIp?: string;
}

export interface S3Server {
  endpoint: string;
  onObjectCreated(listener: (object: CreatedObject) => void): void;
  close(): Promise<void>;
}

interface S3rverNotification {
  Records: {
    eventName: string;
    eventTime: string;
    requestParameters?: { sourceIPAddress?: string };
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
  }[];
}

const REASONS: Record<string, CreatedObject['reason']> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:Post': 'PostObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
};

interface KoaLikeContext {
  req: NodeJS.ReadableStream & { headers: Record<string, string | string[] | undefined> };
}

/**
 * s3rver only knows the access key "S3RVER". A loopback-only store has nothing to protect, and users
 * point `aws s3 cp` at it with whatever profile they have: accept every access key id.
 */
function acceptAnyAccessKey(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const accounts = require('s3rver/lib/models/account') as { registry: Map<string, unknown>; DUMMY_ACCOUNT: unknown };
  const registry = accounts.registry as Map<string, unknown> & { acceptsAny?: boolean };
  if (registry.acceptsAny) return;
  const get = registry.get.bind(registry);
  registry.get = (key: string) => get(key) ?? accounts.DUMMY_ACCOUNT;
  registry.acceptsAny = true;
}

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  acceptAnyAccessKey();
  const server = new S3rver({
    address: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    vhostBuckets: false,
    // Any credentials are accepted: this server only listens on loopback.
    allowMismatchedSignatures: true,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  (server as unknown as { middleware: unknown[] }).middleware.unshift(decodeAwsChunkedBodies);
  const listeners: ((object: CreatedObject) => void)[] = [];
  server.on('event', (notification: S3rverNotification) => {
    for (const record of notification.Records) {
      const reason = REASONS[record.eventName];
      if (!reason) continue;
      const object: CreatedObject = {
        bucket: record.s3.bucket.name,
        key: record.s3.object.key,
        size: Number(record.s3.object.size ?? 0),
        etag: String(record.s3.object.eTag ?? ''),
        reason,
        eventTime: record.eventTime,
        sourceIp: record.requestParameters?.sourceIPAddress,
      };
      for (const listener of listeners) listener(object);
    }
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://${address.address}:${address.port}`,
    onObjectCreated: (listener) => listeners.push(listener),
    close: async () => {
      const http = (server as unknown as { httpServer?: { closeAllConnections?: () => void } }).httpServer;
      http?.closeAllConnections?.();
      await server.close();
    },
  };
}

/** Koa middleware: replaces an aws-chunked body with its decoded bytes before s3rver stores it. */
async function decodeAwsChunkedBodies(ctx: KoaLikeContext, next: () => Promise<void>): Promise<void> {
  const headers = ctx.req.headers;
  if (isAwsChunked(headers)) {
    const decodedLength = headers['x-amz-decoded-content-length'];
    const decoded = ctx.req.pipe(new AwsChunkedDecoder()) as unknown as KoaLikeContext['req'];
    decoded.headers = headers;
    if (decodedLength !== undefined) headers['content-length'] = String(decodedLength);
    const encodings = String(headers['content-encoding'] ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e && e !== 'aws-chunked');
    if (encodings.length > 0) headers['content-encoding'] = encodings.join(',');
    else delete headers['content-encoding'];
    ctx.req = decoded;
  }
  await next();
}
