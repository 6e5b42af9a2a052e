/**
 * Where `picflow analyze` and `picflow replay` send their work locally: the `picflow dev` server
 * already running on this data directory, or else a local stack started in this process for the
 * duration of the command. Either way images go in through S3 and results come out of DynamoDB.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ExecutionRecord } from '../local/engine/execution-store';
import { LOCAL_CREDENTIALS, startLocalStack, type LocalStack } from '../local/stack/local-stack';
import type { ImageItem } from '../tasks/shared/types';
import { runningDevServer } from './dev-server-info';

export interface UploadedImage {
  file: string;
  key: string;
  imageId: string;
  etag: string;
  uploadedAt: number;
}

export interface ImageOutcome {
  item?: ImageItem;
  /** The execution's error when it ended without a stored item. */
  error?: string;
}

export interface LocalTarget {
  uploadPrefix: string;
  /** Uploads one file; resolves once S3 has it. */
  upload(file: string, key: string): Promise<UploadedImage>;
  /** Resolves when the image's execution has ended, with its stored item. */
  result(image: UploadedImage): Promise<ImageOutcome>;
  /** The in-process stack, when there is one (replay needs to start executions itself). */
  stack?: LocalStack;
  close(): Promise<void>;
}

const FINAL = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED']);
const POLL_MS = 250;

export async function connectLocal(dataDir: string, options: { workers?: number; concurrency?: number; recover?: boolean } = {}): Promise<LocalTarget> {
  const dev = runningDevServer(dataDir);
  if (dev) {
    const config = { region: dev.region, credentials: LOCAL_CREDENTIALS };
    const s3 = new S3Client({ ...config, endpoint: dev.endpoints.s3, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const dynamodb = new DynamoDBClient({ ...config, endpoint: dev.endpoints.dynamodb });
    return {
      uploadPrefix: dev.uploadPrefix,
      upload: (file, key) => upload(s3, dev.bucket, file, key),
      result: (image) => pollItem(dynamodb, dev.tableName, image),
      close: async () => {
        s3.destroy();
        dynamodb.destroy();
      },
    };
  }
  const stack = await startLocalStack({ dataDir, rekognitionWorkers: options.workers, concurrency: options.concurrency, recover: options.recover });
  const finished = new Map<string, ExecutionRecord>();
  const waiters = new Map<string, (record: ExecutionRecord) => void>();
  stack.runner.on('finished', (record) => {
    const key = executionKey(record);
    const waiter = waiters.get(key);
    if (waiter) waiter(record);
    else finished.set(key, record);
  });
  return {
    uploadPrefix: stack.uploadPrefix,
    stack,
    upload: (file, key) => upload(stack.clients.s3, stack.bucket, file, key),
    result: async (image) => {
      const key = `${image.imageId}#${image.etag}`;
      const record = finished.get(key) ?? (await new Promise<ExecutionRecord>((resolve) => waiters.set(key, resolve)));
      const item = await getItem(stack.clients.dynamodb, stack.tableName, image.imageId);
      return { item: item?.etag === image.etag ? item : undefined, error: record.status === 'SUCCEEDED' ? undefined : `${record.error}: ${record.cause}` };
    },
    close: () => stack.close(),
  };
}

async function upload(s3: S3Client, bucket: string, file: string, key: string): Promise<UploadedImage> {
  const body = readFileSync(file);
  const uploadedAt = Date.now();
  const { ETag } = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { file, key, imageId: `${bucket}/${key}`, etag: (ETag ?? '').replace(/"/g, ''), uploadedAt };
}

async function getItem(dynamodb: DynamoDBClient, tableName: string, imageId: string): Promise<ImageItem | undefined> {
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { imageId: { S: imageId } }, ConsistentRead: true }));
  return Item ? (unmarshall(Item) as ImageItem) : undefined;
}

async function pollItem(dynamodb: DynamoDBClient, tableName: string, image: UploadedImage): Promise<ImageOutcome> {
  for (;;) {
    const item = await getItem(dynamodb, tableName, image.imageId);
    if (item && item.etag === image.etag && FINAL.has(item.status)) return { item };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function executionKey(record: ExecutionRecord): string {
  const event = record.input as { detail?: { object?: { etag?: string } } };
  return `${record.imageId}#${event?.detail?.object?.etag ?? ''}`;
}

