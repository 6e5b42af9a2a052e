/**
 * Wires THE definition to a local stack's servers: the table and queue ensured, the tasks'
 * configuration and own clients, the state machine with the task handlers in-process, the execution
 * store, and the runner with the execution-status net.
 */
import { CreateCollectionCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { CreateQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTaskClients, type TaskDeps } from '../../tasks/shared/aws-clients';
import { loadConfig, type PicflowConfig } from '../../tasks/shared/config';
import { settingEntries } from '../../tasks/shared/settings';
import { ensureImageTable } from '../dynamodb/dynamodb-server';
import { ExecutionRunner } from '../engine/execution-runner';
import { ExecutionStore } from '../engine/execution-store';
import { LocalStateMachine } from '../engine/local-state-machine';
import { ANALYZER_NAME } from '../rekognition';
import type { LocalServers } from './local-servers';
import { LOCAL_CREDENTIALS, LOCAL_FACE_COLLECTION, LOCAL_QUEUE, LOCAL_REGION, LOCAL_TABLE } from './local-names';
import { step, type OpenedParts } from './start-parts';
import { loadExecutionNetHandler, loadTaskHandlers } from './task-handlers';

/** Where the tasks' settings come from (see LocalStackOptions). */
export interface TaskSettingSources {
  taskEnvironment?: Record<string, string>;
  environment?: NodeJS.ProcessEnv;
}

export interface TaskWiringOptions extends TaskSettingSources {
  dataDir: string;
  concurrency: number;
  retryIntervalOverrides?: Record<string, number | number[]>;
}

export interface WiredTasks {
  config: PicflowConfig;
  tasks: TaskDeps;
  queueUrl: string;
  machine: LocalStateMachine;
  store: ExecutionStore;
  runner: ExecutionRunner;
}

export async function wireTasks(servers: LocalServers, options: TaskWiringOptions, opened: OpenedParts): Promise<WiredTasks> {
  const { dynamodb, sqs } = servers.clients;
  await step(`the table ${LOCAL_TABLE}`, () => ensureImageTable(dynamodb, LOCAL_TABLE));
  const { QueueUrl } = await step(`the queue ${LOCAL_QUEUE}`, () => sqs.send(new CreateQueueCommand({ QueueName: LOCAL_QUEUE })));
  const queueUrl = QueueUrl!;
  const config = localTaskConfig(options, { DEAD_LETTER_QUEUE_URL: queueUrl });
  // The tasks' own clients, on this stack's servers (never the SDK's environment: another stack may share the process).
  const taskClients = createTaskClients(config, { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoints: servers.endpoints });
  opened.add({ close: async () => taskClients.destroy() });
  await step(`the face collection ${LOCAL_FACE_COLLECTION}`, () => ensureFaceCollection(taskClients.rekognition, LOCAL_FACE_COLLECTION));
  const tasks: TaskDeps = { config, clients: taskClients };
  // Handlers log like in Lambda; locally only warnings and errors, on stderr, keep stdout for results.
  // (Powertools' log level is the process's: set only when the process owner has not chosen one.)
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

  const machine = new LocalStateMachine({
    handlers: loadTaskHandlers(tasks),
    integrations: { 'sqs:sendMessage': (input) => sendMessage(sqs, input) },
    substitutions: { DeadLetterQueueUrl: queueUrl },
    region: LOCAL_REGION,
  });
  // Closed after every server (nothing can start an execution any more), before the lock is released.
  const store = opened.addLate(new ExecutionStore(options.dataDir));
  await store.open();
  // The rule on the state machine's status changes, and its target (the execution-status net).
  const runner = new ExecutionRunner({
    machine,
    store,
    concurrency: options.concurrency,
    onExecutionEndedBadly: loadExecutionNetHandler(tasks),
    retryIntervalOverrides: options.retryIntervalOverrides,
  });
  // From here on, work may be running: a failure closes only after it has ended.
  opened.add({ close: () => runner.idle() });
  return { config, tasks, queueUrl, machine, store, runner };
}

/**
 * The tasks' configuration for a local stack: the table's variables from `sources.environment`
 * (process.env by default), then `sources.taskEnvironment`, then what the stack itself decides (its
 * table, the analyzer's name, path-style S3, and `fixed`).
 */
export function localTaskConfig(sources: TaskSettingSources, fixed: Record<string, string>): PicflowConfig {
  const source = sources.environment ?? process.env;
  const inherited = Object.fromEntries(
    settingEntries().flatMap(([, setting]) => (source[setting.env] === undefined ? [] : [[setting.env, source[setting.env]]])),
  );
  return loadConfig({
    ...inherited,
    ...sources.taskEnvironment,
    TABLE_NAME: LOCAL_TABLE,
    ANALYZER_NAME,
    S3_FORCE_PATH_STYLE: 'true',
    FACE_COLLECTION_ID: LOCAL_FACE_COLLECTION,
    ...fixed,
  });
}

/** Creates the face collection unless it exists (it persists under the data directory): what CloudFormation does on AWS. */
export async function ensureFaceCollection(rekognition: RekognitionClient, collectionId: string): Promise<void> {
  try {
    await rekognition.send(new CreateCollectionCommand({ CollectionId: collectionId }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw error;
  }
}

/** The definition's `sqs:sendMessage` service integration (RecordFailure's dead letter), on the stack's SQS. */
async function sendMessage(sqs: SQSClient, input: unknown): Promise<{ MessageId?: string; MD5OfMessageBody?: string }> {
  const params = input as { QueueUrl: string; MessageBody: unknown };
  const body = typeof params.MessageBody === 'string' ? params.MessageBody : JSON.stringify(params.MessageBody);
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: params.QueueUrl, MessageBody: body }));
  return { MessageId: sent.MessageId, MD5OfMessageBody: sent.MD5OfMessageBody };
}
