/** Lambda entry point of the StoreResult state: input is StoreResultInput, output goes to `$.result`. */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { StoreResultInput, RecordedResult } from '../shared/types';
import { storeResult } from './store-result';

export async function handler(input: StoreResultInput): Promise<RecordedResult> {
  const log = invocationLogger({ imageId: input?.image?.imageId, key: input?.image?.key, executionId: input?.executionId, state: 'StoreResult' });
  const result = await storeResult(input, loadConfig());
  log.info('Result stored', { status: result.status, reason: result.reason });
  return result;
}
