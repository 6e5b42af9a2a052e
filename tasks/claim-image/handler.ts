/** Lambda entry point of the ClaimImage state: input is the whole ExecutionInput, output goes to `$.claim`. */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { ClaimResult, ExecutionInput } from '../shared/types';
import { claimImage } from './claim-image';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(input: ExecutionInput, deps: TaskDeps): Promise<ClaimResult> {
  // The raw key is all we have before parsing; it still ties the log lines to the upload.
  const log = invocationLogger({ executionId: input?.executionId, key: input?.event?.detail?.object?.key, state: 'ClaimImage' });
  const result = await claimImage(input, deps);
  log.info('Claim decided', { imageId: result.image.imageId, decision: result.decision, reason: result.reason });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (input: ExecutionInput): Promise<ClaimResult> => run(input, lambdaDeps());
