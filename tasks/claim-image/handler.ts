/** Lambda entry point of the ClaimImage state: input is the whole ExecutionInput, output goes to `$.claim`. */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { ClaimResult, ExecutionInput } from '../shared/types';
import { claimImage } from './claim-image';

export async function handler(input: ExecutionInput): Promise<ClaimResult> {
  // The raw key is all we have before parsing; it still ties the log lines to the upload.
  const log = invocationLogger({ executionId: input?.executionId, key: input?.event?.detail?.object?.key, state: 'ClaimImage' });
  const result = await claimImage(input, loadConfig());
  log.info('Claim decided', { imageId: result.image.imageId, decision: result.decision, reason: result.reason });
  return result;
}
