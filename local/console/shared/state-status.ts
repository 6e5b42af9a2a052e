/**
 * What each state of an execution did, from its event history: the colour of its box in the graph,
 * and what the panel shows when it is clicked (input, output, error, cause, timing, retries).
 */
import type { AslDefinitionLite, AslStateLite, HistoryEvent } from './api-types';

export type StateStatus = 'not-run' | 'running' | 'succeeded' | 'failed' | 'caught' | 'retrying';

export interface StateRun {
  name: string;
  status: StateStatus;
  /** Retries so far (the StateRetried events); while `retrying`, the attempt being waited for or run. */
  retries: number;
  enteredAt?: number;
  exitedAt?: number;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: unknown;
}

/** Every state of a definition, including those in Parallel branches, by name. */
export function statesByName(definition: AslDefinitionLite): Map<string, AslStateLite> {
  const out = new Map<string, AslStateLite>();
  const walk = (d: AslDefinitionLite): void => {
    for (const [name, state] of Object.entries(d.States)) {
      out.set(name, state);
      for (const branch of state.Branches ?? []) walk(branch);
    }
  };
  walk(definition);
  return out;
}

/**
 * One StateRun per state that has events. `finished`: the execution has ended, so a state still
 * waiting for a retry that never came (an abort) shows as failed.
 */
export function stateRuns(events: readonly HistoryEvent[], definition: AslDefinitionLite, finished: boolean): Map<string, StateRun> {
  const states = statesByName(definition);
  const runs = new Map<string, StateRun>();
  const retriesBy = new Map<string, string[]>();
  for (const event of events) {
    const name = event.state?.name;
    if (!name) continue;
    let run = runs.get(name);
    if (!run) {
      run = { name, status: 'not-run', retries: 0 };
      runs.set(name, run);
    }
    switch (event.type) {
      case 'StateEntered':
        run.status = 'running';
        run.enteredAt ??= event.timestamp;
        run.input ??= event.state?.input;
        break;
      case 'StateFailed':
        run.error = event.Error;
        run.cause = event.Cause;
        run.exitedAt = event.timestamp;
        run.status = willRetry(states.get(name), event.Error ?? '', retriesBy.get(name) ?? []) ? 'retrying' : 'failed';
        break;
      case 'StateRetried': {
        run.status = 'retrying';
        run.retries += 1;
        run.exitedAt = undefined;
        const key = retrierKey(event.retry?.retrier?.ErrorEquals ?? []);
        retriesBy.set(name, [...(retriesBy.get(name) ?? []), key]);
        break;
      }
      case 'StateCaught':
        run.status = 'caught';
        break;
      case 'StateExited':
        if (run.status !== 'caught') {
          run.status = 'succeeded';
          run.error = undefined;
          run.cause = undefined;
        }
        run.exitedAt = event.timestamp;
        run.output = event.state?.output;
        break;
      default:
        break;
    }
  }
  if (finished) {
    for (const run of runs.values()) if (run.status === 'retrying' || run.status === 'running') run.status = 'failed';
  }
  return runs;
}

/** Whether Step Functions retries this error of this state, given the retries it already made. */
export function willRetry(state: AslStateLite | undefined, error: string, previous: string[]): boolean {
  const retrier = (state?.Retry ?? []).find((r) => r.ErrorEquals.some((name) => errorMatches(name, error)));
  if (!retrier) return false;
  const used = previous.filter((key) => key === retrierKey(retrier.ErrorEquals)).length;
  return used < (retrier.MaxAttempts ?? 3);
}

function errorMatches(pattern: string, error: string): boolean {
  if (pattern === error || pattern === 'States.ALL') return true;
  return pattern === 'States.TaskFailed' && !error.startsWith('States.');
}

function retrierKey(errorEquals: string[]): string {
  return errorEquals.join('|');
}

export const STATUS_LABELS: Record<StateStatus, string> = {
  'not-run': 'Not run',
  running: 'In progress',
  succeeded: 'Succeeded',
  failed: 'Failed',
  caught: 'Caught error',
  retrying: 'Retrying',
};
