// Every Lambda task of THE definition must receive its execution's id (the README promises that every
// log line of an image's run can be found from the execution), and the tasks given only a slice of the
// working document also their state's name. Runs the definition in the local engine, whose context
// object must provide `$$.State.Name` (patches/aws-local-stepfunctions+3.0.0.patch).
import 'aws-sdk-client-mock-jest';
import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalStateMachine } from '../../local/engine/local-state-machine';
import { allStates } from '../../statemachines/definition';
import { handler as detectModerationLabels } from '../../tasks/detect-moderation-labels/handler';
import { logger } from '../../tasks/shared/logger';
import { objectCreatedEvent } from '../support/events';
import { useEnv } from '../tasks/shared/image-task-helpers';
import { failAlways, failTimes, pipelineStubs } from './support/pipeline-stubs';

const rekognition = mockClient(RekognitionClient);
const s3 = mockClient(S3Client);

/** The tasks the definition hands a slice of the document: they get the id and their name from `$$`. */
const SLICE_TASKS = ['ValidateImage', 'CreateThumbnails', 'DetectFaces', 'DetectLabelsAndText', 'DetectModerationLabels'];

function machineWith(stubs: ReturnType<typeof pipelineStubs>, extra: Record<string, unknown> = {}) {
  return new LocalStateMachine({
    handlers: { ...stubs.handlers, ...extra } as never,
    integrations: stubs.integrations,
    substitutions: { DeadLetterQueueUrl: 'q' },
  });
}

describe('Definition execution: the execution id reaches every task', () => {
  it('every Lambda Task state, on the success and the failure path, receives the execution id', async () => {
    // Prepare: one run that succeeds, one that fails validation (so RecordFailure runs too)
    const succeeding = pipelineStubs();
    const failing = pipelineStubs({ ValidateImage: failAlways('ImageValidationError') });
    const lambdaStates = allStates(machineWith(succeeding).definition)
      .filter(([, s]) => s.Type === 'Task' && s.Resource?.startsWith('arn:aws:lambda:'))
      .map(([name]) => name);

    // Act
    const ok = await machineWith(succeeding).execute(objectCreatedEvent({ key: 'uploads/ids-ok.png' }), { name: 'ids-ok' });
    const failed = await machineWith(failing).execute(objectCreatedEvent({ key: 'uploads/ids-failed.png' }), { name: 'ids-failed' });

    // Assess
    expect([ok.status, failed.status]).toEqual(['SUCCEEDED', 'FAILED']);
    const received = [
      ...Object.entries(succeeding.calls).map(([state, inputs]) => ({ state, inputs, arn: ok.executionArn })),
      ...Object.entries(failing.calls).map(([state, inputs]) => ({ state, inputs, arn: failed.executionArn })),
    ].filter(({ state }) => lambdaStates.includes(state));
    expect(new Set(received.map((r) => r.state))).toEqual(new Set(lambdaStates));
    for (const { state, inputs, arn } of received) {
      for (const input of inputs)
        expect({ state, executionId: (input as { executionId?: string }).executionId }).toEqual({ state, executionId: arn });
    }
  });

  it('the tasks given a slice of the document also receive their own state name, on every attempt', async () => {
    // Prepare: DetectFaces is retried once, so its second attempt must still say who it is
    const stubs = pipelineStubs({ DetectFaces: failTimes('Rekognition.ThrottlingException', 1) });

    // Act
    const outcome = await machineWith(stubs).execute(objectCreatedEvent({ key: 'uploads/names.png' }), {
      name: 'names',
      retryIntervalOverrides: { DetectFaces: 0 },
    });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    for (const state of SLICE_TASKS) {
      const inputs = stubs.calls[state] as { state?: string; executionId?: string; image?: unknown }[];
      expect(inputs.length).toBeGreaterThan(0);
      for (const input of inputs) expect(input).toMatchObject({ state, executionId: outcome.executionArn, image: expect.any(Object) });
    }
    expect(stubs.calls.DetectFaces).toHaveLength(2);
  });

  describe('log lines', () => {
    let written: string[];
    useEnv();

    beforeEach(() => {
      rekognition.reset();
      s3.reset();
      rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] });
      s3.on(PutObjectCommand).resolves({});
      written = [];
      // Powertools writes JSON lines to process.stdout (info) and process.stderr (warn, error).
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
      logger.setLogLevel('INFO');
    });

    afterEach(() => {
      jest.restoreAllMocks();
      logger.setLogLevel('SILENT');
    });

    it('a real analysis task run by the definition logs lines that carry the execution id and its state name', async () => {
      // Prepare
      const stubs = pipelineStubs();
      const machine = machineWith(stubs, { DetectModerationLabels: detectModerationLabels });

      // Act
      const outcome = await machine.execute(objectCreatedEvent({ key: 'uploads/logged.png' }), { name: 'logged' });

      // Assess
      expect(outcome.status).toBe('SUCCEEDED');
      const lines = written
        .flatMap((chunk) => chunk.split('\n'))
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const moderation = lines.filter((l) => l.message === 'Moderation labels detected');
      expect(moderation).toHaveLength(1);
      expect(moderation[0]).toMatchObject({
        executionId: outcome.executionArn,
        state: 'DetectModerationLabels',
        key: 'uploads/logged.png',
      });
    });
  });
});
