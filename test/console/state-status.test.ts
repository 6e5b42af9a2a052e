// How the graph colours a state, from the execution's event history: not run, running, succeeded,
// failed, caught, and retrying with its attempt count (decided from the state's Retry, as Step Functions does).
import type { AslDefinitionLite, HistoryEvent } from '../../local/console/shared/api-types';
import { stateRuns } from '../../local/console/shared/state-status';

const definition: AslDefinitionLite = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Retry: [{ ErrorEquals: ['Rekognition.ThrottlingException'], MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }],
      Next: 'Both',
    },
    Both: { Type: 'Parallel', Branches: [{ StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } }], Next: 'Done' },
    Oops: { Type: 'Fail' },
    Done: { Type: 'Succeed' },
  },
};

const at = (type: string, name: string, timestamp: number, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({
  type,
  timestamp,
  state: { name, type: 'Task' },
  ...extra,
});

describe('state statuses from the event history', () => {
  it('marks a state running, then retrying with its attempt, then succeeded with its retry count', () => {
    const entered = [at('StateEntered', 'Work', 0, { state: { name: 'Work', type: 'Task', input: { a: 1 } } })];
    expect(stateRuns(entered, definition, false).get('Work')).toMatchObject({ status: 'running', input: { a: 1 }, enteredAt: 0 });
    const throttled = [...entered, at('StateFailed', 'Work', 10, { Error: 'Rekognition.ThrottlingException', Cause: 'slow down' })];
    expect(stateRuns(throttled, definition, false).get('Work')).toMatchObject({
      status: 'retrying',
      retries: 0,
      error: 'Rekognition.ThrottlingException',
    });
    const retried = [
      ...throttled,
      at('StateRetried', 'Work', 900, { retry: { attempt: 1, retrier: { ErrorEquals: ['Rekognition.ThrottlingException'] } } }),
    ];
    expect(stateRuns(retried, definition, false).get('Work')).toMatchObject({ status: 'retrying', retries: 1 });
    const done = [...retried, at('StateExited', 'Work', 1500, { state: { name: 'Work', type: 'Task', output: { b: 2 } } })];
    expect(stateRuns(done, definition, false).get('Work')).toMatchObject({
      status: 'succeeded',
      retries: 1,
      output: { b: 2 },
      exitedAt: 1500,
      error: undefined,
    });
    expect(stateRuns(done, definition, false).has('Done')).toBe(false);
  });

  it('stops expecting a retry once MaxAttempts are used, and shows a caught error as caught', () => {
    const retrier = { ErrorEquals: ['Rekognition.ThrottlingException'] };
    const events = [
      at('StateEntered', 'Work', 0),
      at('StateFailed', 'Work', 1, { Error: 'Rekognition.ThrottlingException' }),
      at('StateRetried', 'Work', 2, { retry: { attempt: 1, retrier } }),
      at('StateFailed', 'Work', 3, { Error: 'Rekognition.ThrottlingException' }),
      at('StateRetried', 'Work', 4, { retry: { attempt: 2, retrier } }),
      at('StateFailed', 'Work', 5, { Error: 'Rekognition.ThrottlingException' }),
    ];
    expect(stateRuns(events, definition, false).get('Work')?.status).toBe('failed');
    const caught = [
      ...events,
      at('StateCaught', 'Work', 5),
      at('StateExited', 'Work', 5),
      at('StateEntered', 'Oops', 6),
      at('StateFailed', 'Oops', 6, { Error: 'Boom' }),
    ];
    const runs = stateRuns(caught, definition, true);
    expect(runs.get('Work')).toMatchObject({ status: 'caught', retries: 2, error: 'Rekognition.ThrottlingException' });
    expect(runs.get('Oops')).toMatchObject({ status: 'failed', error: 'Boom' });
  });

  it('does not retry an error no retrier matches, and ends a state cut off by the end of the execution as failed', () => {
    const events = [at('StateEntered', 'Work', 0), at('StateFailed', 'Work', 1, { Error: 'Rekognition.AccessDeniedException' })];
    expect(stateRuns(events, definition, false).get('Work')?.status).toBe('failed');
    expect(stateRuns([at('StateEntered', 'Left', 0)], definition, true).get('Left')?.status).toBe('failed');
  });
});
