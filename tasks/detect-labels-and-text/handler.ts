/** DetectLabelsAndText task: AnalysisInput in, LabelsAndTextBranchResult out. */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, LabelsAndTextBranchResult } from '../shared/types';
import { detectLabelsAndText } from './detect-labels-and-text';

export async function handler(input: AnalysisInput): Promise<LabelsAndTextBranchResult> {
  const log = invocationLogger({ imageId: input.image.imageId, key: input.image.key, executionId: input.executionId, state: input.state ?? 'DetectLabelsAndText' });
  const result = await detectLabelsAndText(input, loadConfig());
  log.info('Labels and text detected', {
    status: result.status,
    labels: result.labels?.length,
    lines: result.text?.length,
    durationMs: result.durationMs,
  });
  return result;
}
