// Shared set-up for the local S3 tests: a store in a temp directory and SDK clients pointed at it.
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { startS3Server, type S3Server, type S3ServerOptions } from '../../../local/s3/s3-server';

export const BUCKET = 'picflow-local';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface StoreUnderTest {
  directory: string;
  server: S3Server;
  s3: S3Client;
  restart(options?: Partial<S3ServerOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function startStore(options: Partial<S3ServerOptions> = {}): Promise<StoreUnderTest> {
  const directory = mkdtempSync(join(tmpdir(), 'picflow-s3-'));
  const start = async (extra: Partial<S3ServerOptions>) => {
    const server = await startS3Server({ directory, buckets: [BUCKET], ...options, ...extra });
    return { server, s3: s3Client(server.endpoint) };
  };
  const store = { directory, ...(await start({})) } as StoreUnderTest;
  store.restart = async (extra = {}) => {
    store.s3.destroy();
    await store.server.close();
    Object.assign(store, await start(extra));
  };
  store.close = async () => {
    store.s3.destroy();
    await store.server.close().catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  };
  return store;
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

export async function readBytes(s3: S3Client, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** node:crypto as the signer's hash (the SDK's own is not a direct dependency). */
class Sha256 {
  private readonly hash;
  constructor(secret?: unknown) {
    this.hash = secret ? createHmac('sha256', secret as string | Uint8Array) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {}
}

/** A presigned URL (query-string SigV4), as `getSignedUrl` makes one. */
export async function presign(
  endpoint: string,
  method: 'GET' | 'PUT',
  key: string,
  expiresIn: number,
  signingDate = new Date(),
): Promise<string> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: CREDENTIALS, sha256: Sha256, uriEscapePath: false });
  const path = `/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const signed = await signer.presign(
    { method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host } },
    { expiresIn, signingDate },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `${endpoint}${path}?${query}`;
}
