// Static checks of THE definition file: valid ASL, wired to exactly the tasks picflow has, and
// retry/catch rules that match the errors the tasks throw.
import aslValidator from 'asl-validator';
import {
  allStates,
  definitionPlaceholders,
  loadDefinition,
  readDefinitionText,
  type AslDefinition,
  type AslState,
} from '../../statemachines/definition';
import { OTHER_SUBSTITUTIONS, TASKS } from '../../statemachines/tasks';
import { DEFAULT_TASK_SETTINGS } from '../../infra/config';
import { loadConfig } from '../../tasks/shared/config';
import { transientErrorNames } from '../../tasks/shared/errors';

function realisticSubstitutions(): Record<string, string> {
  return Object.fromEntries(
    definitionPlaceholders().map((name) => [
      name,
      name === 'DeadLetterQueueUrl'
        ? 'https://sqs.us-east-1.amazonaws.com/123456789012/picflow-dlq'
        : `arn:aws:lambda:us-east-1:123456789012:function:picflow-${name}`,
    ]),
  );
}

const definition: AslDefinition = loadDefinition(realisticSubstitutions());
const states = allStates(definition);
const taskStates = states.filter(([, s]) => s.Type === 'Task');
const lambdaTaskStates = taskStates.filter(([, s]) => s.Resource?.startsWith('arn:aws:lambda:'));

/** Errors that mean "this input or request will never work": retrying them only wastes money. */
const PERMANENT_ERRORS = [
  'ImageValidationError',
  'InvalidEventError',
  'StaleEventError',
  'Rekognition.InvalidImageFormatException',
  'Rekognition.ImageTooLargeException',
  'Rekognition.InvalidParameterException',
  'Rekognition.InvalidS3ObjectException',
  'Rekognition.AccessDeniedException',
  'S3.AccessDenied',
  'DynamoDB.ValidationException',
  'States.ALL',
];

type Retrier = NonNullable<AslState['Retry']>[number];
type State = AslState;

function retrierFor(state: State, error: string): Retrier | undefined {
  return (state.Retry ?? []).find((r) => r.ErrorEquals.includes(error));
}

/** The i-th retry's delay before jitter (FULL jitter waits a random share of it). */
function capSeconds(r: Retrier, i: number): number {
  const raw = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** i;
  return r.MaxDelaySeconds === undefined ? raw : Math.min(raw, r.MaxDelaySeconds);
}

function cumulativeDelaySeconds(r: Retrier): number {
  let total = 0;
  for (let i = 0; i < (r.MaxAttempts ?? 3); i++) total += capSeconds(r, i);
  return total;
}

/** Errors Lambda raises when it refuses to start the function: such an attempt takes no run time. */
const NOT_STARTED = new Set(['Lambda.TooManyRequestsException']);

function worstCaseSeconds(state: State): number {
  const timeout = (state.TimeoutSeconds as number | undefined) ?? 60;
  let total = timeout; // the first attempt
  for (const r of state.Retry ?? []) {
    const attemptSeconds = r.ErrorEquals.every((e) => NOT_STARTED.has(e)) ? 0 : timeout;
    total += (r.MaxAttempts ?? 3) * attemptSeconds + cumulativeDelaySeconds(r);
  }
  return total;
}

describe('Definition: statemachines/image-pipeline.asl.json', () => {
  it('is valid Amazon States Language (asl-validator)', () => {
    // Act
    const result = aslValidator(definition);

    // Assess
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is written in JSONPath: the local engine silently ignores JSONata', () => {
    const text = readDefinitionText();
    expect(text).not.toMatch(/"QueryLanguage"|"Arguments"|"Assign"|\{%/);
  });

  it('has one placeholder per task function plus the queue URL, and nothing else', () => {
    // Act
    const placeholders = definitionPlaceholders();

    // Assess
    const expected = [...TASKS.map((t) => t.substitution), ...OTHER_SUBSTITUTIONS].sort();
    expect(placeholders).toEqual(expected);
  });

  it('backs every task of statemachines/tasks.ts with a Lambda Task state of the same name', () => {
    const lambdaStateNames = lambdaTaskStates.map(([name]) => name).sort();
    expect(lambdaStateNames).toEqual(TASKS.map((t) => t.state).sort());
    for (const task of TASKS) {
      const state = definition.States[task.state] ?? states.find(([name]) => name === task.state)?.[1];
      expect(state?.Resource).toBe(`arn:aws:lambda:us-east-1:123456789012:function:picflow-${task.substitution}`);
    }
  });

  it('runs the four analyses as branches of one Parallel state', () => {
    const parallel = definition.States.AnalyzeImage;
    expect(parallel.Type).toBe('Parallel');
    expect(parallel.Branches?.map((b) => b.StartAt)).toEqual([
      'CreateThumbnails',
      'DetectFaces',
      'DetectLabelsAndText',
      'DetectModerationLabels',
    ]);
  });

  it.each(taskStates.map(([name, state]) => [name, state] as const))(
    '%s retries with exponential backoff, full jitter and a delay cap',
    (_name, state) => {
      expect(state.Retry?.length).toBeGreaterThan(0);
      for (const retrier of state.Retry ?? []) {
        expect(retrier.BackoffRate).toBeGreaterThan(1);
        expect(retrier.JitterStrategy).toBe('FULL');
        expect(retrier.MaxDelaySeconds).toBeGreaterThan(0);
        expect(retrier.MaxAttempts).toBeGreaterThan(0);
      }
    },
  );

  it.each(lambdaTaskStates.map(([name, state]) => [name, state] as const))(
    '%s retries Lambda service errors and never a permanent error',
    (_name, state) => {
      const retried = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried).toEqual(
        expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.ClientExecutionTimeoutException']),
      );
      for (const permanent of PERMANENT_ERRORS) expect(retried).not.toContain(permanent);
    },
  );

  it.each([
    ...lambdaTaskStates.map(([name, state]) => [name, 'Lambda.TooManyRequestsException', state] as const),
    ...taskStates
      .filter(([name]) => ['DetectFaces', 'DetectLabelsAndText', 'DetectModerationLabels'].includes(name))
      .map(([name, state]) => [name, 'Rekognition.ThrottlingException', state] as const),
  ])('%s waits out a burst on %s: at least 30 minutes of backoff before giving up', (_name, error, state) => {
    // A burst of 10,000 uploads drains in about 35 minutes at 5 TPS (README "Limits"); a shorter
    // budget turns the tail of the burst into PARTIAL results.
    const retrier = retrierFor(state, error);
    expect(retrier).toBeDefined();
    expect(cumulativeDelaySeconds(retrier!)).toBeGreaterThanOrEqual(1800);
  });

  it.each([
    ['DetectFaces', ['Rekognition', 'S3']],
    ['DetectLabelsAndText', ['Rekognition', 'S3']],
    ['DetectModerationLabels', ['Rekognition', 'S3']],
    ['CreateThumbnails', ['S3']],
    ['ValidateImage', ['S3']],
    ['ClaimImage', ['DynamoDB']],
    ['StoreResult', ['DynamoDB']],
    ['RecordFailure', ['DynamoDB']],
  ] as const)('%s retries the transient errors of %j by their canonical names', (stateName, services) => {
    const state = states.find(([name]) => name === stateName)?.[1];
    const retried = (state?.Retry ?? []).flatMap((r) => r.ErrorEquals);
    for (const service of services) expect(retried).toEqual(expect.arrayContaining(transientErrorNames(service)));
  });

  it('catches every failure of every state that can fail, with States.ALL last', () => {
    const uncaughtByDesign = ['RecordFailure', 'SendToDeadLetterQueue'];
    for (const [name, state] of states) {
      if (!['Task', 'Parallel'].includes(state.Type) || uncaughtByDesign.includes(name)) continue;
      const catchers = state.Catch ?? [];
      expect({ name, last: catchers.at(-1)?.ErrorEquals }).toEqual({ name, last: ['States.ALL'] });
      for (const c of catchers.slice(0, -1)) expect(c.ErrorEquals).not.toContain('States.ALL');
    }
  });

  it('keeps each branch alive when its task fails: the branch reports FAILED instead', () => {
    for (const branch of definition.States.AnalyzeImage.Branches ?? []) {
      const task = branch.States[branch.StartAt];
      const handler = branch.States[task.Catch?.[0]?.Next ?? ''];
      expect(handler).toMatchObject({ Type: 'Pass', End: true, Parameters: { status: 'FAILED' } });
    }
  });

  it('ends every failure path in the dead-letter queue and then a Fail state, except an image deleted during its analysis', () => {
    expect(definition.States.RecordFailure.Next).toBe('WasTheImageDeleted');
    expect(definition.States.WasTheImageDeleted).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.status', StringEquals: 'SUPERSEDED', Next: 'Superseded' }],
      Default: 'SendToDeadLetterQueue',
    });
    expect(definition.States.SendToDeadLetterQueue).toMatchObject({
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Next: 'Failed',
      Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/picflow-dlq', 'MessageBody.$': '$.deadLetter' },
    });
    expect(definition.States.Failed).toMatchObject({ Type: 'Fail', Error: 'ImageProcessingFailed' });
    const catchTargets = states.flatMap(([, s]) => s.Catch ?? []).map((c) => c.Next);
    expect(new Set(catchTargets.filter((next) => !/Failed$|Superseded/.test(next)))).toEqual(new Set(['RecordFailure']));
  });

  it('bounds an execution, and lets a claim be taken over only once its execution can no longer run', () => {
    // Prepare: the longest a Task can run: every retrier used up (each counts its own attempts), every
    // attempt running to the timeout except those Lambda refused to start, every backoff at its cap.
    const worstTask = Math.max(...taskStates.map(([, s]) => worstCaseSeconds(s)));

    // Assess
    expect(definition.TimeoutSeconds).toBeGreaterThan(worstTask);
    expect(loadConfig({ TABLE_NAME: 't' }).claimTimeoutSeconds).toBeGreaterThanOrEqual(definition.TimeoutSeconds!);
    expect(DEFAULT_TASK_SETTINGS.claimTimeoutSeconds).toBeGreaterThanOrEqual(definition.TimeoutSeconds!);
  });

  it('records which state failed: each Catch writes under $.failedStates.<its own state name>', () => {
    for (const [name, state] of states) {
      for (const catcher of state.Catch ?? []) {
        if (catcher.Next === 'RecordFailure') expect(catcher.ResultPath).toBe(`$.failedStates.${name}`);
      }
    }
  });
});
