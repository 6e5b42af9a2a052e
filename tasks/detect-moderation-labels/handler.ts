/** DetectModerationLabels task: AnalysisInput in, ModerationBranchResult out. */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, ModerationBranchResult } from '../shared/types';
import { detectModerationLabels } from './detect-moderation-labels';

export async function handler(input: AnalysisInput): Promise<ModerationBranchResult> {
  const log = invocationLogger({ imageId: input.image.imageId, key: input.image.key, executionId: input.executionId, state: input.state ?? 'DetectModerationLabels' });
  const result = await detectModerationLabels(input, loadConfig());
  log.info('Moderation labels detected', { status: result.status, verdict: result.verdict, durationMs: result.durationMs });
  return result;
}
