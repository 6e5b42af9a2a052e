/**
 * The whole pipeline on one machine, no AWS account: the local S3, DynamoDB, SQS and
 * Rekognition-compatible servers on loopback, the event router, and THE definition run by the local
 * engine with the task handlers in-process. The tasks get the configuration Lambda would (the same
 * settings table, tasks/shared/settings.ts) and their own clients on this stack's endpoints, passed to
 * them as arguments: the stack changes no process-wide state, so two stacks can run in one process.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createTaskClients, type TaskDeps } from '../../tasks/shared/aws-clients';
import { loadConfig, type PicflowConfig } from '../../tasks/shared/config';
import { settingEntries } from '../../tasks/shared/settings';
import { ensureImageTable, startDynamoServer, type DynamoServer } from '../dynamodb/dynamodb-server';
import { ExecutionRunner } from '../engine/execution-runner';
import { ExecutionStore } from '../engine/execution-store';
import { LocalStateMachine } from '../engine/local-state-machine';
import { routeObjectEvents } from '../events/event-router';
import { ANALYZER_NAME, startRekognitionServer, type FaultConfig, type RekognitionServer, type TpsQuotaConfig } from '../rekognition';
import type { FaultInjector } from '../rekognition/faults';
import type { TpsQuota } from '../rekognition/tps-quota';
import { startS3Server, type S3Server } from '../s3/s3-server';
import { startSqsServer, type SqsServer } from '../sqs/sqs-server';
import { lockDataDir } from './data-dir-lock';
import { planRecovery, runRecovery, type RecoveryReport } from './recovery';
import { loadExecutionNetHandler, loadTaskHandlers } from './task-handlers';
import { UploadHandoff } from './upload-handoff';

export const LOCAL_BUCKET = 'picflow-local';
export const LOCAL_TABLE = 'picflow-images';
export const LOCAL_QUEUE = 'picflow-dlq';
export const LOCAL_REGION = 'us-east-1';
/** Any credentials work locally; these make the SDK's credential chain stop looking further. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'picflow-local', secretAccessKey: 'picflow-local' };

export interface LocalStackOptions {
  /** Where everything is kept. @default '.picflow' (or PICFLOW_DATA_DIR) */
  dataDir?: string;
  /** Fixed ports, for `picflow dev`; 0 or absent picks a free one. */
  ports?: Partial<Record<'s3' | 'dynamodb' | 'sqs' | 'rekognition', number>>;
  /**
   * Executions running at once. @default one per Rekognition worker: the models keep every core busy
   * with that many (measured: the same throughput as two per worker, at half the latency).
   */
  concurrency?: number;
  /** Inference worker threads. @default one per core */
  rekognitionWorkers?: number;
  /** Fault injection for the analyzer, e.g. `{ DetectFaces: { throttle: 2 } }`. @default env PICFLOW_FAULTS (JSON) */
  faults?: FaultConfig;
  /**
   * The analyzer's per-operation TPS quota, like an AWS account's (e.g. `1` or `{ DetectText: 5 }`):
   * calls over it are refused with ProvisionedThroughputExceededException. @default env PICFLOW_REKOGNITION_TPS, else none
   */
  rekognitionTps?: TpsQuotaConfig;
  /** Fixed waits before retries, per state, in ms: lets a test run many retries quickly. @default the definition's backoff */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /**
   * Task settings by environment variable name (THUMBNAIL_SIZES, ANALYSES, ...; tasks/shared/settings.ts),
   * as the CDK app would set them on each function; they win over `environment`.
   */
  taskEnvironment?: Record<string, string>;
  /**
   * Where settings not in `taskEnvironment` are read from (only the table's variables are read, once,
   * at start; nothing is written back). @default process.env
   */
  environment?: NodeJS.ProcessEnv;
  /** Run again what a previous run left unfinished. @default true */
  recover?: boolean;
  /**
   * Called once the stack is fully up (every server listening, table and queue ensured, runner and
   * net wired) and before any work starts: recovery and uploads made during start-up wait for it. Attach
   * listeners to `stack.runner` here to hear every execution (`picflow dev` prints their start lines),
   * or start what else must be up first. If it throws, the start fails and everything is closed.
   * `stack.recovery` is not known yet.
   */
  beforeWork?: (stack: LocalStack) => Promise<void> | void;
}

/** A start that failed: says which part failed; everything opened before it is closed again. */
export class LocalStackStartError extends Error {
  override readonly name = 'LocalStackStartError';
}

export interface LocalStack {
  dataDir: string;
  bucket: string;
  uploadPrefix: string;
  tableName: string;
  /** The tasks' configuration: the settings table read once at start, and this stack's table and queue. */
  config: PicflowConfig;
  /** What this stack's task handlers run with (its config and its own clients on its endpoints): the API's handlers take the same. */
  tasks: TaskDeps;
  queueUrl: string;
  endpoints: { s3: string; dynamodb: string; sqs: string; rekognition: string };
  machine: LocalStateMachine;
  runner: ExecutionRunner;
  store: ExecutionStore;
  recovery: RecoveryReport;
  clients: { s3: S3Client; dynamodb: DynamoDBClient; sqs: SQSClient };
  /** The Rekognition server's fault injector: change or reset injected faults at run time (tests, demos). */
  faults: FaultInjector;
  /** The analyzer's TPS quota: per-operation calls and refusals in quota.stats(). */
  quota: TpsQuota;
  close(): Promise<void>;
}

/**
 * One libvips thread per sharp call, for a process that runs the local runtime (the picflow CLI, the
 * bench): the inference workers already occupy every core, and extra threads only add memory (sharp
 * would use one per core once MALLOC_ARENA_MAX is set). PROCESS-WIDE: libvips has one thread pool per
 * process and sharp offers no per-call limit, so this is the process owner's choice, made once at its
 * start, never a stack's (two stacks in one process cannot have two values; an embedding application
 * keeps its own).
 */
export function limitImageThreads(): void {
  sharp.concurrency(1);
}

export function defaultDataDir(): string {
  return resolve(process.env.PICFLOW_DATA_DIR ?? '.picflow');
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const lock = lockDataDir(dataDir);
  for (const dir of ['s3', 'dynamodb', 'sqs']) mkdirSync(join(dataDir, dir), { recursive: true });
  const started: { close(): Promise<void> }[] = [{ close: async () => lock.release() }];
  // Uploads that arrive while the stack starts are held here until recovery has decided (see upload-handoff.ts).
  const handoff = new UploadHandoff();
  const port = (name: keyof NonNullable<LocalStackOptions['ports']>) => (options.ports?.[name] ? ` on port ${options.ports[name]}` : '');
  try {
    const s3Server: S3Server = await step(`the S3 server${port('s3')}`, () =>
      startS3Server({ directory: join(dataDir, 's3'), buckets: [LOCAL_BUCKET], port: options.ports?.s3 }),
    );
    started.push(s3Server);
    // The configuration first: a bad setting fails the start before anything else is opened.
    let config = await step('the task configuration', async () => localTaskConfig(options, {}));
    const uploadPrefix = config.uploadPrefix;
    routeObjectEvents(s3Server, {
      bucket: LOCAL_BUCKET,
      uploadPrefix,
      region: LOCAL_REGION,
      startExecution: (event) => handoff.route(event),
    });
    const dynamoServer: DynamoServer = await step(`the DynamoDB server${port('dynamodb')}`, () =>
      startDynamoServer({ directory: join(dataDir, 'dynamodb'), port: options.ports?.dynamodb }),
    );
    started.push(dynamoServer);
    const sqsServer: SqsServer = await step(`the SQS server${port('sqs')}`, () =>
      startSqsServer({ directory: join(dataDir, 'sqs'), port: options.ports?.sqs }),
    );
    started.push(sqsServer);

    const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const s3 = new S3Client({
      ...clientConfig,
      endpoint: s3Server.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoServer.endpoint });
    const sqs = new SQSClient({ ...clientConfig, endpoint: sqsServer.endpoint });
    started.push({ close: async () => [s3, dynamodb, sqs].forEach((client) => client.destroy()) });

    const workers = options.rekognitionWorkers ?? availableParallelism();
    const concurrency = options.concurrency ?? workers;
    const rekognition: RekognitionServer = await step(`the Rekognition server${port('rekognition')}`, () =>
      startRekognitionServer({
        port: options.ports?.rekognition,
        workers,
        // Each execution makes up to four calls at once: queue them all rather than throttle our own work.
        maxQueue: concurrency * 4,
        faults: options.faults,
        tps: options.rekognitionTps,
        readS3Object: async (bucket, key, version) => {
          const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version }));
          return Buffer.from(await object.Body!.transformToByteArray());
        },
      }),
    );
    started.push(rekognition);

    await step(`the table ${LOCAL_TABLE}`, () => ensureImageTable(dynamodb, LOCAL_TABLE));
    const { QueueUrl: queueUrl } = await step(`the queue ${LOCAL_QUEUE}`, () =>
      sqs.send(new CreateQueueCommand({ QueueName: LOCAL_QUEUE })),
    );
    config = localTaskConfig(options, { DEAD_LETTER_QUEUE_URL: queueUrl! });
    // The tasks' own clients, on this stack's servers (never the SDK's environment: another stack may share the process).
    const taskClients = createTaskClients(config, {
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoints: { s3: s3Server.endpoint, dynamodb: dynamoServer.endpoint, rekognition: rekognition.endpoint, sqs: sqsServer.endpoint },
    });
    started.push({ close: async () => taskClients.destroy() });
    const tasks: TaskDeps = { config, clients: taskClients };
    // Handlers log like in Lambda; locally only warnings and errors, on stderr, keep stdout for results.
    // (Powertools' log level is the process's: set only when the process owner has not chosen one.)
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

    const machine = new LocalStateMachine({
      handlers: loadTaskHandlers(tasks),
      integrations: {
        'sqs:sendMessage': async (input) => {
          const params = input as { QueueUrl: string; MessageBody: unknown };
          const body = typeof params.MessageBody === 'string' ? params.MessageBody : JSON.stringify(params.MessageBody);
          const sent = await sqs.send(new SendMessageCommand({ QueueUrl: params.QueueUrl, MessageBody: body }));
          return { MessageId: sent.MessageId, MD5OfMessageBody: sent.MD5OfMessageBody };
        },
      },
      substitutions: { DeadLetterQueueUrl: queueUrl! },
      region: LOCAL_REGION,
    });
    const store = new ExecutionStore(dataDir);
    // Closed after every server (nothing can start an execution any more), before the lock is released.
    started.splice(1, 0, store);
    await store.open();
    // The rule on the state machine's status changes, and its target (the execution-status net).
    const runner = new ExecutionRunner({
      machine,
      store,
      concurrency,
      onExecutionEndedBadly: loadExecutionNetHandler(tasks),
      retryIntervalOverrides: options.retryIntervalOverrides,
    });
    // From here on, work may be running: a failure closes only after it has ended.
    started.push({ close: () => runner.idle() });

    const stack: LocalStack = {
      dataDir,
      bucket: LOCAL_BUCKET,
      uploadPrefix,
      tableName: LOCAL_TABLE,
      config,
      tasks,
      queueUrl: queueUrl!,
      endpoints: { s3: s3Server.endpoint, dynamodb: dynamoServer.endpoint, sqs: sqsServer.endpoint, rekognition: rekognition.endpoint },
      machine,
      runner,
      store,
      recovery: { resumed: 0, started: 0, settled: 0 },
      clients: { s3, dynamodb, sqs },
      faults: rekognition.faults,
      quota: rekognition.quota,
      close: async () => {
        handoff.drop();
        await closeAll(started);
      },
    };

    // The stack is up. Nothing has started yet: the caller's listeners first, then recovery decides
    // (reads only; a failure here still leaves no work behind), then work starts, all at once.
    await options.beforeWork?.(stack);
    const recoveryOptions = {
      runner,
      store,
      s3,
      dynamodb,
      bucket: LOCAL_BUCKET,
      uploadPrefix,
      tableName: LOCAL_TABLE,
      region: LOCAL_REGION,
      describeObject: s3Server.describeObject,
      handoff,
      tasks,
    };
    const plan = options.recover === false ? undefined : await step('recovery of unfinished work', () => planRecovery(recoveryOptions));
    if (plan) stack.recovery = await runRecovery(plan, { runner, tasks });
    handoff.open((event) => void runner.start(event));
    return stack;
  } catch (error) {
    handoff.drop();
    await closeAll(started);
    throw error;
  }
}

/** Runs one part of the start; its failure names the part. */
async function step<T>(part: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LocalStackStartError) throw error;
    const message = (error as Error)?.message || String(error);
    throw new LocalStackStartError(`the local stack did not start: ${part} failed: ${message}`, { cause: error });
  }
}

/**
 * The tasks' configuration for a local stack: the table's variables from `options.environment`
 * (process.env by default), then `options.taskEnvironment`, then what the stack itself decides (its
 * table, the analyzer's name, path-style S3, and `fixed`).
 */
function localTaskConfig(options: LocalStackOptions, fixed: Record<string, string>): PicflowConfig {
  const source = options.environment ?? process.env;
  const inherited = Object.fromEntries(
    settingEntries().flatMap(([, setting]) => (source[setting.env] === undefined ? [] : [[setting.env, source[setting.env]]])),
  );
  return loadConfig({
    ...inherited,
    ...options.taskEnvironment,
    TABLE_NAME: LOCAL_TABLE,
    ANALYZER_NAME,
    S3_FORCE_PATH_STYLE: 'true',
    ...fixed,
  });
}

async function closeAll(started: { close(): Promise<void> }[]): Promise<void> {
  for (const server of started.reverse()) await server.close().catch(() => undefined);
}
