/** Lambda entry point of the execution-status net: the target of the rule on "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED). */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { ExecutionStatusChangeEvent } from '../shared/types';
import { recordFailedExecution, type NetOutcome } from './record-failed-execution';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(event: ExecutionStatusChangeEvent, deps: TaskDeps): Promise<NetOutcome> {
  const log = invocationLogger({ executionId: event?.detail?.executionArn, state: 'RecordFailedExecution' });
  const outcome = await recordFailedExecution(event, deps);
  if (outcome.action === 'RECORDED') {
    log.error('Execution ended without recording its failure: recorded it', {
      status: event.detail.status,
      reason: outcome.deadLetter.reason,
      item: outcome.item,
      imageId: outcome.deadLetter.imageId,
    });
  } else {
    log.info('Nothing to record', { status: event.detail.status, why: outcome.why });
  }
  return outcome;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (event: ExecutionStatusChangeEvent): Promise<NetOutcome> => run(event, lambdaDeps());
