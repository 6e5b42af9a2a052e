// Executes THE definition with aws-local-stepfunctions and stub tasks, and checks the paths an image
// can take: success, retried throttling, permanent errors, a failing branch, skips and bookkeeping
// failures. Retry sleeps are overridden to 0 ms; the backoff settings themselves are checked in
// definition.test.ts.
import { LocalStateMachine, type EventLog, type ExecutionOutcome } from '../../local/engine/local-state-machine';
import { objectCreatedEvent } from '../support/events';
import { failAlways, failTimes, pipelineStubs, type Behaviour, type PipelineStubs } from './support/pipeline-stubs';
import type { RecordFailureInput, StoreResultInput } from '../../tasks/shared/types';
import { allStates, readDefinitionText, type AslDefinition } from '../../statemachines/definition';
import { TASKS } from '../../statemachines/tasks';

const QUEUE_URL = 'http://127.0.0.1:9324/000000000000/picflow-dlq';
// No backoff sleeps in any Task state: the Lambda-backed ones and the DLQ's service integration.
const NO_SLEEP = Object.fromEntries([...TASKS.map((task) => task.state), 'SendToDeadLetterQueue'].map((s) => [s, 0]));

let executionCounter = 0;

async function execute(stubs: PipelineStubs, event = objectCreatedEvent()): Promise<ExecutionOutcome> {
  const machine = new LocalStateMachine({
    handlers: stubs.handlers,
    integrations: stubs.integrations,
    substitutions: { DeadLetterQueueUrl: QUEUE_URL },
  });
  return machine.execute(event, { name: `test-${++executionCounter}`, retryIntervalOverrides: NO_SLEEP });
}

function statesEntered(events: EventLog[]): string[] {
  return events.filter((e) => e.type === 'StateEntered').map((e) => (e as { state: { name: string } }).state.name);
}

function retriesOf(events: EventLog[], state: string): number {
  return events.filter((e) => e.type === 'StateRetried' && (e as { state: { name: string } }).state.name === state).length;
}

describe('Definition execution: statemachines/image-pipeline.asl.json', () => {
  it('happy path: validates, runs the four analyses and stores one result', async () => {
    // Prepare
    const stubs = pipelineStubs();

    // Act
    const outcome = await execute(stubs, objectCreatedEvent({ key: 'uploads/holiday photos/me+you ✓.png' }));

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(statesEntered(outcome.events)).toEqual(
      expect.arrayContaining([
        'PrepareInput',
        'ClaimImage',
        'ValidateImage',
        'AnalyzeImage',
        'CreateThumbnails',
        'DetectFaces',
        'DetectLabelsAndText',
        'DetectModerationLabels',
        'StoreResult',
        'Succeeded',
      ]),
    );
    expect(statesEntered(outcome.events)).not.toContain('RecordFailure');
    const stored = stubs.calls.StoreResult[0] as StoreResultInput;
    expect(stored.branches.map((b) => [b.branch, b.status])).toEqual([
      ['thumbnails', 'SUCCEEDED'],
      ['faces', 'SUCCEEDED'],
      ['labelsAndText', 'SUCCEEDED'],
      ['moderation', 'SUCCEEDED'],
    ]);
    expect(stored.image.key).toBe('uploads/holiday photos/me+you ✓.png');
    expect(stored.executionId).toBe(outcome.executionArn);
    expect(stubs.deadLetters).toHaveLength(0);
  });

  it('passes the original event, the execution id and its start time to ClaimImage', async () => {
    const stubs = pipelineStubs();
    const event = objectCreatedEvent();

    const outcome = await execute(stubs, event);

    expect(stubs.calls.ClaimImage[0]).toEqual({ event, executionId: outcome.executionArn, startedAt: outcome.startedAt });
  });

  it('retries a throttled Rekognition call and succeeds on the third attempt', async () => {
    const stubs = pipelineStubs({ DetectFaces: failTimes('Rekognition.ThrottlingException', 2) });

    const outcome = await execute(stubs);

    expect(outcome.status).toBe('SUCCEEDED');
    expect(stubs.calls.DetectFaces).toHaveLength(3);
    expect(retriesOf(outcome.events, 'DetectFaces')).toBe(2);
    expect((stubs.calls.StoreResult[0] as StoreResultInput).branches[1]).toMatchObject({ branch: 'faces', status: 'SUCCEEDED' });
  });

  it.each([
    ['ClaimImage', 'DynamoDB.ThrottlingException'],
    ['ValidateImage', 'S3.ServiceUnavailable'],
    ['CreateThumbnails', 'S3.NetworkError'],
    ['DetectLabelsAndText', 'Rekognition.ServiceUnavailable'],
    ['StoreResult', 'Lambda.TooManyRequestsException'],
  ])('%s retries the transient %s', async (state, error) => {
    const stubs = pipelineStubs({ [state]: failTimes(error, 1) });

    const outcome = await execute(stubs);

    expect(outcome.status).toBe('SUCCEEDED');
    expect(stubs.calls[state]).toHaveLength(2);
  });

  it('does not retry a permanent validation error: FAILED record, DLQ message, Fail state', async () => {
    // Prepare
    const stubs = pipelineStubs({ ValidateImage: failAlways('ImageValidationError') });
    const event = objectCreatedEvent({ key: 'uploads/broken.jpg' });

    // Act
    const outcome = await execute(stubs, event);

    // Assess
    expect(stubs.calls.ValidateImage).toHaveLength(1);
    expect(stubs.calls.AnalyzeImage).toBeUndefined();
    const recorded = stubs.calls.RecordFailure[0] as RecordFailureInput;
    expect(recorded.failedStates).toEqual({
      ValidateImage: { Error: 'ImageValidationError', Cause: 'ImageValidationError (injected by the test)' },
    });
    expect(recorded.event).toEqual(event);
    expect(stubs.deadLetters).toHaveLength(1);
    expect(stubs.deadLetters[0]).toMatchObject({
      status: 'FAILED',
      originalEvent: event,
      executionId: outcome.executionArn,
      failures: [{ state: 'ValidateImage', error: 'ImageValidationError' }],
    });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'ImageProcessingFailed' });
    expect(outcome.cause).toContain('ValidateImage failed: ImageValidationError');
  });

  it('does not retry a permanent Rekognition error, and keeps the other branches', async () => {
    const stubs = pipelineStubs({ DetectModerationLabels: failAlways('Rekognition.InvalidImageFormatException') });

    const outcome = await execute(stubs);

    expect(stubs.calls.DetectModerationLabels).toHaveLength(1);
    const stored = stubs.calls.StoreResult[0] as StoreResultInput;
    expect(stored.branches.map((b) => b.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED']);
    expect(stored.branches[3]).toMatchObject({ branch: 'moderation', failure: { Error: 'Rekognition.InvalidImageFormatException' } });
    expect(outcome.status).toBe('FAILED');
  });

  it('a branch that still fails after its retries keeps the other three results and ends in DLQ + FAILED', async () => {
    // Prepare
    const stubs = pipelineStubs({ DetectFaces: failAlways('Rekognition.ThrottlingException') });

    // Act
    const outcome = await execute(stubs);

    // Assess: 1 attempt + the MaxAttempts of the definition's retrier for Rekognition throttling
    const detectFaces = allStates(JSON.parse(readDefinitionText()) as AslDefinition).find(([name]) => name === 'DetectFaces')![1];
    const throttlingRetrier = detectFaces.Retry!.find((r) => r.ErrorEquals.includes('Rekognition.ThrottlingException'))!;
    expect(stubs.calls.DetectFaces).toHaveLength(1 + throttlingRetrier.MaxAttempts!);
    const stored = stubs.calls.StoreResult[0] as StoreResultInput;
    expect(stored.branches.filter((b) => b.status === 'SUCCEEDED').map((b) => b.branch)).toEqual([
      'thumbnails',
      'labelsAndText',
      'moderation',
    ]);
    expect(stored.branches[1]).toMatchObject({ branch: 'faces', status: 'FAILED', failure: { Error: 'Rekognition.ThrottlingException' } });
    expect(stubs.deadLetters).toHaveLength(1);
    expect(stubs.deadLetters[0]).toMatchObject({
      status: 'PARTIAL',
      originalEvent: objectCreatedEvent(),
      executionId: outcome.executionArn,
    });
    expect(statesEntered(outcome.events).slice(-3)).toEqual(['DidAllBranchesSucceed', 'SendToDeadLetterQueue', 'Failed']);
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'ImageProcessingFailed', cause: 'PARTIAL: faces failed' });
  });

  it('skips an image that ClaimImage says is already processed', async () => {
    const stubs = pipelineStubs({}, 'SKIP');

    const outcome = await execute(stubs);

    expect(outcome.status).toBe('SUCCEEDED');
    expect(statesEntered(outcome.events)).toEqual(['PrepareInput', 'ClaimImage', 'IsAlreadyClaimed', 'AlreadyProcessed']);
    expect(stubs.calls.ValidateImage).toBeUndefined();
  });

  it('stops quietly when the object changed after the event (StaleEventError): no DLQ message', async () => {
    const stubs = pipelineStubs({ ValidateImage: failAlways('StaleEventError') });

    const outcome = await execute(stubs);

    expect(outcome.status).toBe('SUCCEEDED');
    expect(statesEntered(outcome.events).at(-1)).toBe('Superseded');
    expect(stubs.deadLetters).toHaveLength(0);
    expect(stubs.calls.ValidateImage).toHaveLength(1);
  });

  it('an invalid event fails at ClaimImage and still reaches the DLQ', async () => {
    const stubs = pipelineStubs({ ClaimImage: failAlways('InvalidEventError') });

    const outcome = await execute(stubs);

    expect(stubs.calls.ClaimImage).toHaveLength(1);
    expect(stubs.deadLetters[0].failures[0]).toMatchObject({ state: 'ClaimImage', error: 'InvalidEventError' });
    expect(outcome.status).toBe('FAILED');
  });

  it('a failing StoreResult is recorded as FAILED and dead-lettered', async () => {
    const stubs = pipelineStubs({ StoreResult: failAlways('DynamoDB.ValidationException') });

    const outcome = await execute(stubs);

    expect(stubs.calls.StoreResult).toHaveLength(1);
    expect(stubs.deadLetters[0].failures[0]).toMatchObject({ state: 'StoreResult', error: 'DynamoDB.ValidationException' });
    expect(outcome.status).toBe('FAILED');
  });

  it('when the failure bookkeeping itself keeps failing, the execution fails AT RecordFailure, where a redrive resumes', async () => {
    const stubs = pipelineStubs({
      ValidateImage: failAlways('ImageValidationError'),
      RecordFailure: failAlways('DynamoDB.ThrottlingException'),
    });

    const outcome = await execute(stubs);

    expect(stubs.calls.RecordFailure).toHaveLength(7);
    expect(stubs.deadLetters).toHaveLength(0);
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'DynamoDB.ThrottlingException' });
    const lastFailed = outcome.events.filter((e) => e.type === 'StateFailed').at(-1) as { state: { name: string } };
    expect(lastFailed.state.name).toBe('RecordFailure');
  });

  it('retries the dead-letter send, then fails at it (redrivable) if SQS stays down', async () => {
    const stubs = pipelineStubs({
      ValidateImage: failAlways('ImageValidationError'),
      SendToDeadLetterQueue: failTimes('States.TaskFailed', 2),
    });

    const outcome = await execute(stubs);

    expect(stubs.calls.SendToDeadLetterQueue).toHaveLength(3);
    expect(stubs.deadLetters).toHaveLength(1);
    expect(outcome.error).toBe('ImageProcessingFailed');
  });

  it("fails the whole execution when a task's output exceeds the 256 KB state payload limit: no Catch handles it, as on AWS", async () => {
    const huge: Behaviour = () => undefined;
    const stubs = pipelineStubs({ CreateThumbnails: huge });
    stubs.handlers.CreateThumbnails = async () => ({ branch: 'thumbnails', status: 'SUCCEEDED', padding: 'x'.repeat(300 * 1024) });

    const outcome = await execute(stubs);

    // Not the branch's Catch, not the Parallel's, not RecordFailure: the execution-status net records it.
    expect([outcome.status, outcome.error]).toEqual(['FAILED', 'States.DataLimitExceeded']);
    expect(stubs.calls.StoreResult).toBeUndefined();
    expect(stubs.calls.RecordFailure).toBeUndefined();
    expect(stubs.deadLetters).toEqual([]);
  });
});
