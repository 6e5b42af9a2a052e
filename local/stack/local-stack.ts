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
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import type { TaskDeps } from '../../tasks/shared/aws-clients';
import type { PicflowConfig } from '../../tasks/shared/config';
import type { ExecutionRunner } from '../engine/execution-runner';
import type { ExecutionStore } from '../engine/execution-store';
import type { LocalStateMachine } from '../engine/local-state-machine';
import type { FaultConfig, TpsQuotaConfig } from '../rekognition';
import type { FaultInjector } from '../rekognition/faults';
import type { TpsQuota } from '../rekognition/tps-quota';
import { lockDataDir } from './data-dir-lock';
import { DeletedCleanUp } from './deleted-clean-up';
import { LOCAL_BUCKET, LOCAL_TABLE } from './local-names';
import { startLocalServers } from './local-servers';
import type { RecoveryReport } from './recovery';
import { OpenedParts, step } from './start-parts';
import { startWork } from './start-work';
import { localTaskConfig, wireTasks } from './task-wiring';
import { UploadHandoff } from './upload-handoff';

export { LOCAL_BUCKET, LOCAL_CREDENTIALS, LOCAL_QUEUE, LOCAL_REGION, LOCAL_TABLE } from './local-names';
export { LocalStackStartError } from './start-parts';

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
   * Whether recovery also starts uploads that have no final item and no execution. `picflow backfill` turns it
   * off: it starts those itself, counted and checkpointed, and two starters could analyse one image twice.
   * @default true
   */
  recoverUploads?: boolean;
  /**
   * Called once the stack is fully up (every server listening, table and queue ensured, runner and
   * net wired) and before any work starts: recovery and uploads made during start-up wait for it. Attach
   * listeners to `stack.runner` here to hear every execution (`picflow dev` prints their start lines),
   * or start what else must be up first. If it throws, the start fails and everything is closed.
   * `stack.recovery` is not known yet.
   */
  beforeWork?: (stack: LocalStack) => Promise<void> | void;
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

/**
 * Starts every part first (a failure names the part and closes what was opened), then lets work
 * start: recovery, then the uploads held meanwhile (start-work.ts).
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const opened = new OpenedParts();
  const lock = lockDataDir(dataDir);
  opened.addLate({ close: async () => lock.release() });
  for (const dir of ['s3', 'dynamodb', 'sqs']) mkdirSync(join(dataDir, dir), { recursive: true });
  // Uploads that arrive while the stack starts are held here until recovery has decided (see upload-handoff.ts).
  const handoff = new UploadHandoff();
  // Deletes heard while the stack starts are cleaned up once the tasks' clients exist.
  const deletedCleanUp = new DeletedCleanUp();
  try {
    // The configuration first: a bad setting fails the start before any server is opened.
    const { uploadPrefix } = await step('the task configuration', async () => localTaskConfig(options, {}));
    const workers = options.rekognitionWorkers ?? availableParallelism();
    const concurrency = options.concurrency ?? workers;
    const servers = await startLocalServers(
      {
        dataDir,
        ports: options.ports,
        uploadPrefix,
        handoff,
        deletedCleanUp,
        workers,
        concurrency,
        faults: options.faults,
        tps: options.rekognitionTps,
      },
      opened,
    );
    const wired = await wireTasks(servers, { ...options, dataDir, concurrency }, opened);
    // Closed before the tasks' clients (parts close in reverse order): a clean-up under way finishes.
    opened.add(deletedCleanUp);
    deletedCleanUp.open(wired.tasks);
    const stack: LocalStack = {
      dataDir,
      bucket: LOCAL_BUCKET,
      uploadPrefix,
      tableName: LOCAL_TABLE,
      ...wired,
      endpoints: servers.endpoints,
      recovery: { resumed: 0, started: 0, settled: 0, cleanedUp: 0 },
      clients: servers.clients,
      faults: servers.rekognition.faults,
      quota: servers.rekognition.quota,
      close: async () => {
        handoff.drop();
        await opened.closeAll();
      },
    };
    await startWork(stack, options, { servers, handoff });
    return stack;
  } catch (error) {
    handoff.drop();
    await opened.closeAll();
    throw error;
  }
}
