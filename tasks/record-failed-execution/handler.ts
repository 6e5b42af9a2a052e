/** Lambda entry point of the execution-status net: the target of the rule on "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED). */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { ExecutionStatusChangeEvent } from '../shared/types';
import { recordFailedExecution, type NetOutcome } from './record-failed-execution';

export async function handler(event: ExecutionStatusChangeEvent): Promise<NetOutcome> {
  const log = invocationLogger({ executionId: event?.detail?.executionArn, state: 'RecordFailedExecution' });
  const outcome = await recordFailedExecution(event, loadConfig());
  if (outcome.action === 'RECORDED') {
    log.error('Execution ended without recording its failure: recorded it', { status: event.detail.status, reason: outcome.deadLetter.reason, item: outcome.item, imageId: outcome.deadLetter.imageId });
  } else {
    log.info('Nothing to record', { status: event.detail.status, why: outcome.why });
  }
  return outcome;
}
