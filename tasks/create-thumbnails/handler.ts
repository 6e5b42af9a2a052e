/** CreateThumbnails task: AnalysisInput in, ThumbnailsBranchResult out. */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, ThumbnailsBranchResult } from '../shared/types';
import { createThumbnails } from './create-thumbnails';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(input: AnalysisInput, deps: TaskDeps): Promise<ThumbnailsBranchResult> {
  const log = invocationLogger({
    imageId: input.image.imageId,
    key: input.image.key,
    executionId: input.executionId,
    state: input.state ?? 'CreateThumbnails',
  });
  const result = await createThumbnails(input, deps);
  log.info('Thumbnails created', { count: result.thumbnails?.length, durationMs: result.durationMs });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (input: AnalysisInput): Promise<ThumbnailsBranchResult> => run(input, lambdaDeps());
