/** DetectModerationLabels task: AnalysisInput in, ModerationBranchResult out. */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, ModerationBranchResult } from '../shared/types';
import { detectModerationLabels } from './detect-moderation-labels';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(input: AnalysisInput, deps: TaskDeps): Promise<ModerationBranchResult> {
  const log = invocationLogger({
    imageId: input.image.imageId,
    key: input.image.key,
    executionId: input.executionId,
    state: input.state ?? 'DetectModerationLabels',
  });
  const result = await detectModerationLabels(input, deps);
  log.info('Moderation labels detected', { status: result.status, verdict: result.verdict, durationMs: result.durationMs });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (input: AnalysisInput): Promise<ModerationBranchResult> => run(input, lambdaDeps());
