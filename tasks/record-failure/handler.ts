/** Lambda entry point of the RecordFailure state: input is the whole working document, output goes to `$.result`. */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { RecordFailureInput, RecordedResult } from '../shared/types';
import { recordFailure } from './record-failure';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(input: RecordFailureInput, deps: TaskDeps): Promise<RecordedResult> {
  const log = invocationLogger({
    imageId: input?.claim?.image?.imageId,
    key: input?.claim?.image?.key ?? input?.event?.detail?.object?.key,
    executionId: input?.executionId,
    state: 'RecordFailure',
  });
  const result = await recordFailure(input, deps, new Date(), log);
  log.error('Image failed', { reason: result.reason });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (input: RecordFailureInput): Promise<RecordedResult> => run(input, lambdaDeps());
