/** Says in words how an execution ended badly: timed out, aborted, over the payload limit, a runtime error (pure). */
import { causeMessage, MAX_CAUSE_CHARS, MAX_REASON_CHARS, truncate, type FailureEntry } from '../../dead-letters/build';
import type { ExecutionStatusChangeEvent } from '../shared/types';

/** The `state` of a failure the net records: no single state failed, the execution as a whole did. */
export const EXECUTION_STATE = 'Execution';

/** The error name recorded when Step Functions gives none (timeouts and aborts usually do not). */
const DEFAULT_ERRORS: Record<string, string> = { TIMED_OUT: 'States.Timeout', ABORTED: 'ExecutionAborted', FAILED: 'UnknownError' };

export interface Ending {
  failure: FailureEntry;
  reason: string;
}

export function describeEnding(detail: ExecutionStatusChangeEvent['detail']): Ending {
  const error = detail.error || DEFAULT_ERRORS[detail.status] || 'UnknownError';
  const cause = truncate(causeMessage(detail.cause ?? ''), MAX_CAUSE_CHARS);
  const because = cause ? `: ${cause}` : '';
  return {
    failure: { state: EXECUTION_STATE, error, cause },
    reason: truncate(`${headline(detail.status, error)}${because}`, MAX_REASON_CHARS),
  };
}

function headline(status: string, error: string): string {
  if (status === 'TIMED_OUT') return `Execution timed out (${error}): it ran longer than the state machine's TimeoutSeconds`;
  if (status === 'ABORTED') return `Execution was aborted (${error}): it was stopped before it finished`;
  if (error === 'States.DataLimitExceeded') {
    const exceeded = "a state's input or output exceeded Step Functions' 256 KB, which no Catch can handle";
    return `Execution failed over the payload limit (${error}): ${exceeded}`;
  }
  if (error === 'States.Runtime') return `Execution failed with a runtime error (${error}), which no Catch can handle`;
  return `Execution failed outside the definition's failure path (${error})`;
}
