/** Lambda entry point of the StoreResult state: input is StoreResultInput, output goes to `$.result`. */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { StoreResultInput, RecordedResult } from '../shared/types';
import { storeResult } from './store-result';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(input: StoreResultInput, deps: TaskDeps): Promise<RecordedResult> {
  const log = invocationLogger({
    imageId: input?.image?.imageId,
    key: input?.image?.key,
    executionId: input?.executionId,
    state: 'StoreResult',
  });
  const result = await storeResult(input, deps);
  log.info('Result stored', { status: result.status, reason: result.reason });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (input: StoreResultInput): Promise<RecordedResult> => run(input, lambdaDeps());
