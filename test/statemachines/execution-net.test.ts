// Executions that end in ways no Catch handles (over the payload limit, timed out, aborted) run through
// THE definition with the real bookkeeping tasks on dynalite, the local SQS server as the dead-letter
// queue, and the real execution-status net as the target of the local status-change rule: each must
// end with an item that says why and exactly one dead-letter message; an image deleted during its analysis stays
// deleted, with no item and no message. Image tasks are stubs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ExecutionRunner } from '../../local/engine/execution-runner';
import { ExecutionStore, type ExecutionRecord } from '../../local/engine/execution-store';
import { LocalStateMachine, type TaskHandler } from '../../local/engine/local-state-machine';
import { startSqsServer, type SqsServer } from '../../local/sqs/sqs-server';
import { handler as recordFailedExecution } from '../../tasks/record-failed-execution/handler';
import { resetClients } from '../../tasks/shared/aws-clients';
import type { DeadLetterMessage, ExecutionStatusChangeEvent, ImageItem, S3ObjectCreatedEvent } from '../../tasks/shared/types';
import { startImageTable, type ImageTableOnDynalite } from '../support/dynalite';
import { objectCreatedEvent } from '../support/events';
import { withBookkeepingTasks } from './support/bookkeeping-pipeline';
import { namedError, pipelineStubs } from './support/pipeline-stubs';

const TABLE = 'picflow-net';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A task that never finishes on its own: it waits until the test lets it go (after the execution ended). */
function hangingTask() {
  let entered!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler: TaskHandler = async () => {
    entered();
    await released;
    throw namedError('Released', 'released by the test after the execution ended');
  };
  return { handler, started, release };
}

describe('The execution-status net, end to end on the local engine', () => {
  let dynamo: ImageTableOnDynalite;
  let documents: DynamoDBDocumentClient;
  let sqsDir: string;
  let storeDir: string;
  let store: ExecutionStore;
  let sqsServer: SqsServer;
  let sqs: SQSClient;
  let counter = 0;

  beforeAll(async () => {
    dynamo = await startImageTable(TABLE);
    documents = dynamo.documents;
    sqsDir = mkdtempSync(join(tmpdir(), 'picflow-net-sqs-'));
    storeDir = mkdtempSync(join(tmpdir(), 'picflow-net-executions-'));
    store = new ExecutionStore(storeDir);
    sqsServer = await startSqsServer({ directory: sqsDir });
    sqs = new SQSClient({ endpoint: sqsServer.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
    process.env.AWS_ENDPOINT_URL_SQS = sqsServer.endpoint;
    resetClients();
  });

  afterAll(async () => {
    for (const name of ['AWS_ENDPOINT_URL_SQS', 'DEAD_LETTER_QUEUE_URL']) delete process.env[name];
    sqs.destroy();
    await store.close();
    await sqsServer.close();
    await dynamo.stop();
    resetClients();
    rmSync(sqsDir, { recursive: true, force: true });
    rmSync(storeDir, { recursive: true, force: true });
  });

  /**
   * A runner on its own dead-letter queue, as the local stack wires it: the real bookkeeping tasks, the
   * SQS integration sending for real, and the net as the target of the status-change rule.
   */
  async function pipeline(overrides: Record<string, TaskHandler> = {}, timeoutSeconds?: number) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${++counter}` }));
    process.env.DEAD_LETTER_QUEUE_URL = QueueUrl;
    const stubs = pipelineStubs();
    const machine = new LocalStateMachine({
      handlers: { ...withBookkeepingTasks(stubs.handlers), ...overrides },
      integrations: {
        'sqs:sendMessage': async (input) => {
          const params = input as { QueueUrl: string; MessageBody: unknown };
          const sent = await sqs.send(
            new SendMessageCommand({ QueueUrl: params.QueueUrl, MessageBody: JSON.stringify(params.MessageBody) }),
          );
          return { MessageId: sent.MessageId };
        },
      },
      substitutions: { DeadLetterQueueUrl: QueueUrl! },
      region: 'us-east-1',
    });
    const delivered: ExecutionStatusChangeEvent[] = [];
    const runner = new ExecutionRunner({
      machine,
      store,
      timeoutSeconds,
      onExecutionEndedBadly: async (event) => {
        delivered.push(event);
        return recordFailedExecution(event);
      },
    });
    const deadLetters = async (): Promise<DeadLetterMessage[]> => {
      const letters: DeadLetterMessage[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
        if (Messages.length === 0) return letters;
        letters.push(...Messages.map((m) => JSON.parse(m.Body!) as DeadLetterMessage));
      }
    };
    return { runner, delivered, deadLetters };
  }

  const uploadEvent = (name: string): S3ObjectCreatedEvent =>
    objectCreatedEvent({ key: `uploads/${name}`, sequencer: `0062E99A88DC4${String(counter).padStart(5, '0')}` });
  const itemOf = async (event: S3ObjectCreatedEvent): Promise<ImageItem | undefined> =>
    (
      await documents.send(
        new GetCommand({
          TableName: TABLE,
          Key: { imageId: `${event.detail.bucket.name}/${decodeURIComponent(event.detail.object.key.replace(/\+/g, ' '))}` },
        }),
      )
    ).Item as ImageItem | undefined;

  it('an analysis over the 256 KB payload limit is not caught (as on AWS): the execution fails, the net records it', async () => {
    // Prepare: one branch returns more than a state may carry
    const { runner, deadLetters } = await pipeline({
      DetectFaces: async () => ({ branch: 'faces', status: 'SUCCEEDED', faces: [], faceCount: 0, padding: 'x'.repeat(300 * 1024) }),
    });
    const event = uploadEvent('too-much.png');

    // Act
    const record = await runner.start(event);

    // Assess
    expect([record.status, record.error]).toEqual(['FAILED', 'States.DataLimitExceeded']);
    const item = await itemOf(event);
    expect(item).toMatchObject({
      status: 'FAILED',
      executionId: record.executionArn,
      failure: { state: 'Execution', error: 'States.DataLimitExceeded' },
    });
    expect(item?.statusReason).toMatch(/^Execution failed over the payload limit/);
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      status: 'FAILED',
      executionId: record.executionArn,
      reason: item?.statusReason,
      originalEvent: event,
    });
  });

  it('an execution that runs past its TimeoutSeconds ends TIMED_OUT, and its PROCESSING item becomes FAILED "timed out"', async () => {
    // Prepare
    const validate = hangingTask();
    const { runner, deadLetters } = await pipeline({ ValidateImage: validate.handler }, 1);
    const event = uploadEvent('slow.png');

    // Act
    const record = await runner.start(event).finally(() => validate.release());

    // Assess
    expect(record.status).toBe('TIMED_OUT');
    const item = await itemOf(event);
    expect(item).toMatchObject({
      status: 'FAILED',
      executionId: record.executionArn,
      failure: { state: 'Execution', error: 'States.Timeout' },
    });
    expect(item?.statusReason).toMatch(/^Execution timed out/);
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ status: 'FAILED', executionId: record.executionArn, originalEvent: event });
  });

  it('an execution that times out after its image was deleted does not bring the item back', async () => {
    // Prepare: the analysis hangs; meanwhile the image is deleted (what DELETE /images and the clean-up after a
    // delete in S3 do to the item: it goes)
    const validate = hangingTask();
    const { runner, deadLetters } = await pipeline({ ValidateImage: validate.handler }, 1);
    const event = uploadEvent('deleted-then-timed-out.png');
    const running = runner.start(event);
    await validate.started;
    const claimed = await itemOf(event);
    await documents.send(new DeleteCommand({ TableName: TABLE, Key: { imageId: claimed!.imageId } }));

    // Act
    const record = await running.finally(() => validate.release());

    // Assess: the net recorded the timeout (its dead letter) without writing an item for the deleted image
    expect(claimed?.status).toBe('PROCESSING');
    expect(record.status).toBe('TIMED_OUT');
    expect(await itemOf(event)).toBeUndefined();
    expect(await deadLetters()).toHaveLength(1);
  });

  it('an aborted execution ends ABORTED, its item says so, one dead letter; the same event delivered again changes nothing', async () => {
    // Prepare
    const validate = hangingTask();
    const { runner, delivered, deadLetters } = await pipeline({ ValidateImage: validate.handler });
    const event = uploadEvent('stopped.png');
    const running = runner.start(event, 'stopped-by-the-test');
    await validate.started;

    // Act
    const aborted = runner.abort('stopped-by-the-test');
    const record: ExecutionRecord = await running.finally(() => validate.release());
    const itemAfterFirst = await itemOf(event);
    await recordFailedExecution(delivered[0]);

    // Assess
    expect([aborted, record.status]).toEqual([true, 'ABORTED']);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].detail).toMatchObject({ status: 'ABORTED', executionArn: record.executionArn, inputDetails: { included: true } });
    expect(JSON.parse(delivered[0].detail.input!)).toEqual(event);
    expect(itemAfterFirst).toMatchObject({ status: 'FAILED', failure: { state: 'Execution', error: 'ExecutionAborted' } });
    expect(itemAfterFirst?.statusReason).toMatch(/^Execution was aborted/);
    expect(await itemOf(event)).toEqual(itemAfterFirst);
    expect(await deadLetters()).toHaveLength(1);
  });

  it('an image deleted during its analysis stays deleted and sends no dead letter when its object then goes missing', async () => {
    // Prepare: the image is deleted once claimed (the clean-up removes the item, S3 the object), so validation finds no object
    const event = uploadEvent('deleted-during-analysis.png');
    const { runner, delivered, deadLetters } = await pipeline({
      ValidateImage: async () => {
        const claimed = await itemOf(event);
        await documents.send(new DeleteCommand({ TableName: TABLE, Key: { imageId: claimed!.imageId } }));
        throw namedError('ImageValidationError', `NOT_FOUND: s3://${event.detail.bucket.name}/${event.detail.object.key} does not exist`);
      },
    });

    // Act
    const record = await runner.start(event);

    // Assess: ended in Superseded, as StoreResult's own deleted case does; no item, no message, nothing for the net
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({ status: 'SUPERSEDED', reason: expect.stringContaining('deleted during its analysis') });
    expect(await itemOf(event)).toBeUndefined();
    expect(await deadLetters()).toEqual([]);
    expect(delivered).toEqual([]);
  });

  it('a failure the definition catches gives exactly one dead letter: the net sees it and does nothing', async () => {
    // Prepare
    const { runner, delivered, deadLetters } = await pipeline({
      ValidateImage: async () => {
        throw namedError('ImageValidationError', 'CORRUPT: truncated');
      },
    });
    const event = uploadEvent('corrupt.png');

    // Act
    const record = await runner.start(event);

    // Assess
    expect([record.status, record.error]).toEqual(['FAILED', 'ImageProcessingFailed']);
    expect(delivered).toHaveLength(1);
    const item = await itemOf(event);
    expect(item).toMatchObject({ status: 'FAILED', failure: { state: 'ValidateImage', error: 'ImageValidationError' } });
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0].failures).toEqual([{ state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT: truncated' }]);
  });

  it('a successful execution sends no status-change event to the net', async () => {
    // Prepare
    const { runner, delivered, deadLetters } = await pipeline();

    // Act
    const record = await runner.start(uploadEvent('fine.png'));

    // Assess
    expect(record.status).toBe('SUCCEEDED');
    expect(delivered).toEqual([]);
    expect(await deadLetters()).toEqual([]);
  });
});
