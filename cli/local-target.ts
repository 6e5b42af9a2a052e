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
import type { ExecutionDetail, ExecutionsResponse } from '../local/console/shared/api-types';
import { inProgress } from '../local/console/shared/execution-list';
import { runningDevServer } from './dev-server-info';
import { ignoredSettingsWarning } from './dev-settings';

export interface UploadedImage {
  file: string;
  key: string;
  imageId: string;
  etag: string;
  /**
   * The sequencer S3 gave this PUT: its event, and so its execution, carry it (the ETag does not tell two uploads of the same bytes
   * apart).
   */
  sequencer: string;
  uploadedAt: number;
}

export interface ImageOutcome {
  item?: ImageItem;
  /** The execution's error when it ended without a stored item (or stored none for this upload). */
  error?: string;
  /** Task retries in the execution (throttling, timeouts...). */
  retries?: number;
  executionName?: string;
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

export async function connectLocal(
  dataDir: string,
  options: { workers?: number; concurrency?: number; recover?: boolean } = {},
): Promise<LocalTarget> {
  const dev = runningDevServer(dataDir);
  if (dev) {
    const ignoredOptions = [
      options.workers !== undefined ? '--workers' : '',
      options.concurrency !== undefined ? '--concurrency' : '',
    ].filter(Boolean);
    const warning = ignoredSettingsWarning(process.env, dev.settings, dev.pid, ignoredOptions);
    if (warning) process.stderr.write(warning);
    const config = { region: dev.region, credentials: LOCAL_CREDENTIALS };
    const s3 = new S3Client({ ...config, endpoint: dev.endpoints.s3, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const dynamodb = new DynamoDBClient({ ...config, endpoint: dev.endpoints.dynamodb });
    return {
      uploadPrefix: dev.uploadPrefix,
      upload: (file, key) => upload(s3, dev.bucket, file, key),
      result: (image) =>
        dev.endpoints.console
          ? waitThroughConsole(dev.endpoints.console, dynamodb, dev.tableName, image)
          : pollItem(dynamodb, dev.tableName, image),
      close: async () => {
        s3.destroy();
        dynamodb.destroy();
      },
    };
  }
  const stack = await startLocalStack({
    dataDir,
    rekognitionWorkers: options.workers,
    concurrency: options.concurrency,
    recover: options.recover,
  });
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
      const key = `${image.imageId}#${image.sequencer}`;
      const record = finished.get(key) ?? (await new Promise<ExecutionRecord>((resolve) => waiters.set(key, resolve)));
      const item = await getItem(stack.clients.dynamodb, stack.tableName, image.imageId);
      return outcomeOf(image, item, {
        status: record.status,
        error: record.error,
        cause: record.cause,
        retries: record.retries,
        name: record.name,
      });
    },
    close: () => stack.close(),
  };
}

async function upload(s3: S3Client, bucket: string, file: string, key: string): Promise<UploadedImage> {
  const body = readFileSync(file);
  const uploadedAt = Date.now();
  const command = new PutObjectCommand({ Bucket: bucket, Key: key, Body: body });
  let sequencer = '';
  // The local S3 answers a PUT with the sequencer of the event it makes (a header the SDK's output drops).
  command.middlewareStack.add(
    (next) => async (args) => {
      const output = await next(args);
      sequencer = String((output.response as { headers?: Record<string, string> }).headers?.['x-picflow-sequencer'] ?? '');
      return output;
    },
    { step: 'deserialize', name: 'picflowSequencer' },
  );
  const { ETag } = await s3.send(command);
  if (!sequencer) throw new Error(`the local S3 gave no sequencer for ${key}: is the running picflow dev an older version? Restart it`);
  return { file, key, imageId: `${bucket}/${key}`, etag: (ETag ?? '').replace(/"/g, ''), sequencer, uploadedAt };
}

interface EndedExecution {
  status: string;
  error?: string;
  cause?: string;
  retries: number;
  name: string;
}

/** The item is this upload's only if it carries its sequencer: a later upload of the key owns it otherwise. */
function outcomeOf(image: UploadedImage, item: ImageItem | undefined, execution: EndedExecution): ImageOutcome {
  const mine = item?.sequencer === image.sequencer ? item : undefined;
  const error =
    execution.status !== 'SUCCEEDED'
      ? `${execution.error}: ${execution.cause ?? ''}`
      : mine
        ? undefined
        : `execution ${execution.name} stored no result for this upload (${describeSkip(execution)})`;
  return { item: mine, error, retries: execution.retries, executionName: execution.name };
}

function describeSkip(execution: EndedExecution): string {
  return execution.cause ?? 'skipped: another upload of the same key owns the item';
}

/**
 * Through a running `picflow dev`: finds the execution this upload started (its input event carries
 * the upload's sequencer) in the console API, waits for it to end, then reads the item.
 */
async function waitThroughConsole(
  consoleUrl: string,
  dynamodb: DynamoDBClient,
  tableName: string,
  image: UploadedImage,
): Promise<ImageOutcome> {
  const since = new Date(image.uploadedAt - 1000).toISOString();
  const checked = new Set<string>();
  let name: string | undefined;
  for (;;) {
    const { executions } = (await getJson(
      `${consoleUrl}/api/executions?imageId=${encodeURIComponent(image.imageId)}&since=${encodeURIComponent(since)}`,
    )) as ExecutionsResponse;
    if (name === undefined) {
      for (const summary of executions.filter((e) => !checked.has(e.name))) {
        const detail = (await getJson(`${consoleUrl}/api/executions/${encodeURIComponent(summary.name)}`)) as ExecutionDetail;
        if (sequencerOf(detail.input) === image.sequencer) name = summary.name;
        else if (!inProgress(detail.status)) checked.add(summary.name); // another upload's, for good
      }
    }
    const mine = executions.find((e) => e.name === name);
    // QUEUED is still in progress: the console shows a RUNNING execution that waits for a slot as QUEUED.
    if (mine && !inProgress(mine.status)) {
      const item = await getItem(dynamodb, tableName, image.imageId);
      return outcomeOf(image, item, { status: mine.status, error: mine.error, cause: mine.cause, retries: mine.retries, name: mine.name });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function sequencerOf(input: unknown): string | undefined {
  return (input as { detail?: { object?: { sequencer?: string } } } | undefined)?.detail?.object?.sequencer;
}

async function getItem(dynamodb: DynamoDBClient, tableName: string, imageId: string): Promise<ImageItem | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: tableName, Key: { imageId: { S: imageId } }, ConsistentRead: true }),
  );
  return Item ? (unmarshall(Item) as ImageItem) : undefined;
}

/** A dev server without a console: the item with this upload's sequencer, once final. */
async function pollItem(dynamodb: DynamoDBClient, tableName: string, image: UploadedImage): Promise<ImageOutcome> {
  for (;;) {
    const item = await getItem(dynamodb, tableName, image.imageId);
    if (item && item.sequencer === image.sequencer && FINAL.has(item.status)) return { item };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function executionKey(record: ExecutionRecord): string {
  return `${record.imageId}#${sequencerOf(record.input) ?? ''}`;
}
