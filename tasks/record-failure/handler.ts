/** Lambda entry point of the RecordFailure state: input is the whole working document, output goes to `$.result`. */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { RecordFailureInput, RecordedResult } from '../shared/types';
import { recordFailure } from './record-failure';

export async function handler(input: RecordFailureInput): Promise<RecordedResult> {
  const log = invocationLogger({
    imageId: input?.claim?.image?.imageId,
    key: input?.claim?.image?.key ?? input?.event?.detail?.object?.key,
    executionId: input?.executionId,
    state: 'RecordFailure',
  });
  const result = await recordFailure(input, loadConfig(), new Date(), log);
  log.error('Image failed', { reason: result.reason });
  return result;
}
