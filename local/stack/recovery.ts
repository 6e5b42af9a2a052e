/**
 * After a crash or a stop in the middle of a batch, nothing is lost: executions recorded as RUNNING
 * are run again under their own names (their DynamoDB claim is theirs, so ClaimImage lets them
 * through), and uploads that have no final result and no execution (the crash came between the
 * upload and its event) get a new execution with the event S3 would have sent.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ExecutionRunner } from '../engine/execution-runner';
import type { ExecutionRecord, ExecutionStore } from '../engine/execution-store';
import { objectCreatedEvent } from '../events/s3-event';

export interface RecoveryReport {
  /** Executions found RUNNING and run again. */
  resumed: number;
  /** Uploads without a result or an execution, started now. */
  started: number;
}

export interface RecoveryOptions {
  runner: ExecutionRunner;
  store: ExecutionStore;
  s3: S3Client;
  dynamodb: DynamoDBClient;
  bucket: string;
  uploadPrefix: string;
  tableName: string;
  region: string;
}

const FINAL_STATUSES = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED']);

export async function recoverUnfinishedWork(options: RecoveryOptions): Promise<RecoveryReport> {
  // The index lists them; only their own record files are read, for the input to run again.
  const running = (await options.store.list({ statuses: ['RUNNING'] }))
    .map((summary) => options.store.get(summary.name))
    .filter((record): record is ExecutionRecord => record !== undefined);
  const covered = new Set(running.map((record) => record.imageId));
  for (const record of running) void options.runner.resume(record);

  let started = 0;
  for await (const page of paginateListObjectsV2({ client: options.s3 }, { Bucket: options.bucket, Prefix: options.uploadPrefix })) {
    for (const object of page.Contents ?? []) {
      // Folder markers (`uploads/x/`) never get an item: ClaimImage skips them, so do not restart them.
      if (object.Key === undefined || object.Key.endsWith('/')) continue;
      const imageId = `${options.bucket}/${object.Key}`;
      if (covered.has(imageId)) continue;
      const etag = (object.ETag ?? '').replace(/"/g, '');
      const { Item } = await options.dynamodb.send(new GetItemCommand({ TableName: options.tableName, Key: { imageId: { S: imageId } } }));
      const item = Item ? unmarshall(Item) : undefined;
      if (item && item.etag === etag && FINAL_STATUSES.has(String(item.status))) continue;
      const head = await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: object.Key }));
      const event = objectCreatedEvent(
        { bucket: options.bucket, key: object.Key!, size: Number(head.ContentLength ?? object.Size ?? 0), etag, reason: 'PutObject', eventTime: (object.LastModified ?? new Date()).toISOString() },
        options.region,
      );
      void options.runner.start(event);
      started += 1;
    }
  }
  return { resumed: running.length, started };
}
