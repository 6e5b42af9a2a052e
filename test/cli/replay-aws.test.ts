// `picflow replay --stack` against AWS, with the SDK clients mocked: the stack's outputs name the
// queue and state machine, each message's original event starts one execution, and a message is
// deleted only when that execution succeeded (a failed re-run's own dead letter is removed). It
// long-polls until the queue's counts say it is drained, bounds the re-executions running at once, and
// backs off when Step Functions throttles.
import 'aws-sdk-client-mock-jest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { replayOnAws } from '../../cli/replay';
import { replayQueue } from '../../dead-letters/replay';
import { objectCreatedEvent } from '../support/events';
import { mockStackOutputs } from '../support/stack-outputs';
import { fakeDeadLetterQueue } from './fake-dead-letter-queue';

const cloudformation = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

/** The mocked SQS as a queue of these messages (see fake-dead-letter-queue.ts). */
const fakeQueue = (messages: Parameters<typeof fakeDeadLetterQueue>[1], emptyReceives = 0) =>
  fakeDeadLetterQueue(sqs, messages, emptyReceives);

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/picflow-dlq';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ImagePipeline';

/** Backoff without waiting, recording each delay; random() = 1 makes every delay its ceiling. */
function instantBackoff() {
  const delays: number[] = [];
  return { delays, backoff: { sleep: async (ms: number) => void delays.push(ms), random: () => 1 } };
}
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const execution = (n: number) => `arn:aws:states:us-east-1:123456789012:execution:ImagePipeline:replay-${n}`;

function deadLetter(
  key: string,
  executionId = 'arn:aws:states:us-east-1:123456789012:execution:ImagePipeline:original',
  failures: { state: string; error: string; cause: string }[] = [],
) {
  return JSON.stringify({ status: 'FAILED', reason: 'x', failures, executionId, failedAt: '', originalEvent: objectCreatedEvent({ key }) });
}
const CORRUPT = [{ state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT: the JPEG data ends early' }];

describe('Function: replayOnAws', () => {
  beforeEach(() => {
    cloudformation.reset();
    sfn.reset();
    sqs.reset();
    mockStackOutputs(cloudformation, { StateMachineArn: STATE_MACHINE, DeadLetterQueueUrl: QUEUE_URL });
  });

  it("deletes the message whose re-run succeeded, keeps the other, and removes the failed re-run's duplicate", async () => {
    // Prepare: two dead letters; the raw EventBridge event form (from the rule's own DLQ) for the second
    const queue = fakeQueue([
      { MessageId: 'm-ok', ReceiptHandle: 'r-ok', Body: deadLetter('uploads/ok.jpg') },
      { MessageId: 'm-bad', ReceiptHandle: 'r-bad', Body: JSON.stringify(objectCreatedEvent({ key: 'uploads/bad.jpg' })) },
    ]);
    sfn.on(StartExecutionCommand).callsFake((input: { input: string }) => ({
      executionArn: JSON.parse(input.input).detail.object.key === 'uploads/ok.jpg' ? execution(1) : execution(2),
      startDate: new Date(),
    }));
    sfn.on(DescribeExecutionCommand, { executionArn: execution(1) }).resolves({ status: 'SUCCEEDED' });
    sfn.on(DescribeExecutionCommand, { executionArn: execution(2) }).callsFake(() => {
      // The failed re-run sent its own dead letter before it ended
      queue.send({ MessageId: 'm-dup', ReceiptHandle: 'r-dup', Body: deadLetter('uploads/bad.jpg', execution(2)) });
      return { status: 'FAILED' };
    });

    // Act
    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1', progress: () => undefined });

    // Assess
    expect(outcomes.map((o) => [o.letter.messageId, o.status])).toEqual([
      ['m-ok', 'SUCCEEDED'],
      ['m-bad', 'FAILED'],
    ]);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE,
      input: JSON.stringify(objectCreatedEvent({ key: 'uploads/ok.jpg' })),
    });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: QUEUE_URL, ReceiptHandle: 'r-ok' });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: QUEUE_URL, ReceiptHandle: 'r-dup' });
    expect(sqs).not.toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'r-bad' });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'r-bad', VisibilityTimeout: 0 });
    expect(queue.left()).toEqual(['m-bad']);
  });

  it('skips a permanent failure (starts nothing for it, keeps its message) unless --include-permanent', async () => {
    // Prepare: a corrupt image's dead letter beside a replayable one
    const messages = [
      { MessageId: 'm-corrupt', ReceiptHandle: 'r-corrupt', Body: deadLetter('uploads/corrupt.jpg', undefined, CORRUPT) },
      { MessageId: 'm-ok', ReceiptHandle: 'r-ok', Body: deadLetter('uploads/ok.jpg') },
    ];
    const queue = fakeQueue(messages);
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution(1), startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });

    // Act
    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1', progress: () => undefined });

    // Assess
    expect(outcomes.map((o) => [o.letter.messageId, o.status, o.permanentKind])).toEqual([
      ['m-ok', 'SUCCEEDED', undefined],
      ['m-corrupt', 'SKIPPED', 'CORRUPT'],
    ]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).not.toHaveReceivedCommandWith(StartExecutionCommand, {
      input: JSON.stringify(objectCreatedEvent({ key: 'uploads/corrupt.jpg' })),
    });
    expect(queue.left()).toEqual(['m-corrupt']);

    // Act: asked to, it runs it
    sfn.resetHistory();
    const included = await replayOnAws('Picflow', { region: 'us-east-1', includePermanent: true, progress: () => undefined });

    // Assess
    expect(included.map((o) => [o.letter.messageId, o.status])).toEqual([['m-corrupt', 'SUCCEEDED']]);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      input: JSON.stringify(objectCreatedEvent({ key: 'uploads/corrupt.jpg' })),
    });
  });

  it('with --dry-run starts nothing and puts every message back', async () => {
    fakeQueue([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: deadLetter('uploads/a.jpg') }]);

    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1', dryRun: true, progress: () => undefined });

    expect(outcomes.map((o) => o.status)).toEqual(['DRY_RUN']);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'r1', VisibilityTimeout: 0 });
  });

  it("long-polls through empty receives and stops only when the queue's counts say nothing is left", async () => {
    // Prepare: SQS answers empty twice (its counts still show the message) before delivering it
    fakeQueue([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: deadLetter('uploads/late.jpg') }], 2);
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution(1), startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    const lines: string[] = [];

    // Act
    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1', progress: (line) => lines.push(line) });

    // Assess
    expect(outcomes.map((o) => [o.letter.messageId, o.status])).toEqual([['m1', 'SUCCEEDED']]);
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: QUEUE_URL, WaitTimeSeconds: 20 });
    expect(sqs).not.toHaveReceivedCommandWith(ReceiveMessageCommand, { WaitTimeSeconds: 0 });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'r1' });
    expect(lines.filter((l) => l.includes('waiting for 1 more'))).toHaveLength(2);
  });

  it('backs off and retries a throttled StartExecution; ExecutionLimitExceeded is not retried and keeps its message', async () => {
    // Prepare: a.jpg is throttled twice, then starts; b.jpg hits the open-executions quota
    fakeQueue([
      { MessageId: 'm-a', ReceiptHandle: 'r-a', Body: deadLetter('uploads/a.jpg') },
      { MessageId: 'm-b', ReceiptHandle: 'r-b', Body: deadLetter('uploads/b.jpg') },
    ]);
    let throttles = 2;
    sfn.on(StartExecutionCommand).callsFake((input: { input: string }) => {
      if (JSON.parse(input.input).detail.object.key === 'uploads/b.jpg')
        throw Object.assign(new Error('too many open executions'), { name: 'ExecutionLimitExceeded' });
      if (throttles-- > 0) throw throttled();
      return { executionArn: execution(1), startDate: new Date() };
    });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    const { delays, backoff } = instantBackoff();

    // Act
    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1', concurrency: 1, backoff, progress: () => undefined });

    // Assess
    expect(outcomes.map((o) => [o.letter.messageId, o.status])).toEqual([
      ['m-a', 'SUCCEEDED'],
      ['m-b', 'FAILED'],
    ]);
    expect(outcomes[1].detail).toMatch(/^not started: ExecutionLimitExceeded/);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 4); // a: 3 attempts, b: 1
    expect(delays).toEqual([500, 1000]); // exponential, full jitter at its ceiling
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'r-a' });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'r-b', VisibilityTimeout: 0 });
    expect(sqs).not.toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'r-b' });
  });

  it('runs at most --concurrency re-executions at once', async () => {
    // Prepare: 25 dead letters (received 10 at a time)
    const messages = Array.from({ length: 25 }, (_, n) => ({
      MessageId: `m${n}`,
      ReceiptHandle: `r${n}`,
      Body: deadLetter(`uploads/${n}.jpg`),
    }));
    fakeQueue(messages);
    // An execution is in flight from its StartExecution until DescribeExecution reports it ended
    let inFlight = 0;
    let mostAtOnce = 0;
    let started = 0;
    sfn.on(StartExecutionCommand).callsFake(async () => {
      inFlight += 1;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      started += 1;
      return { executionArn: execution(started), startDate: new Date() };
    });
    sfn.on(DescribeExecutionCommand).callsFake(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { status: 'SUCCEEDED' };
    });

    // Act
    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1', concurrency: 3, progress: () => undefined });

    // Assess
    expect(outcomes.filter((o) => o.status === 'SUCCEEDED')).toHaveLength(25);
    expect(mostAtOnce).toBe(3);
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 25);
  });

  it('keeps a message hidden while it waits or runs longer than its visibility timeout (heartbeat)', async () => {
    // Prepare: a visibility of 30 ms (heartbeat every 10 ms) and a re-run that takes 60 ms
    fakeQueue([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: deadLetter('uploads/slow.jpg') }]);
    const client = new SQSClient({ region: 'us-east-1' });

    // Act
    await replayQueue({
      sqs: client,
      queueUrl: QUEUE_URL,
      visibilitySeconds: 0.03,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 60));
        return { status: 'SUCCEEDED', executionArn: execution(1), detail: '' };
      },
    });

    // Assess
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [expect.objectContaining({ ReceiptHandle: 'r1' })],
    });
  });

  it('explains a stack that is not a picflow stack', async () => {
    mockStackOutputs(cloudformation, {}, 'Other');

    await expect(replayOnAws('Other', { region: 'us-east-1' })).rejects.toThrow(/no StateMachineArn \/ DeadLetterQueueUrl outputs/);
  });
});
