/** CreateThumbnails task: AnalysisInput in, ThumbnailsBranchResult out. */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, ThumbnailsBranchResult } from '../shared/types';
import { createThumbnails } from './create-thumbnails';

export async function handler(input: AnalysisInput): Promise<ThumbnailsBranchResult> {
  const log = invocationLogger({ imageId: input.image.imageId, key: input.image.key, executionId: input.executionId, state: input.state ?? 'CreateThumbnails' });
  const result = await createThumbnails(input, loadConfig());
  log.info('Thumbnails created', { count: result.thumbnails?.length, durationMs: result.durationMs });
  return result;
}
