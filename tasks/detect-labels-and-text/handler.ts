/** DetectLabelsAndText task: AnalysisInput in, LabelsAndTextBranchResult out. */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, LabelsAndTextBranchResult } from '../shared/types';
import { detectLabelsAndText } from './detect-labels-and-text';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(input: AnalysisInput, deps: TaskDeps): Promise<LabelsAndTextBranchResult> {
  const log = invocationLogger({
    imageId: input.image.imageId,
    key: input.image.key,
    executionId: input.executionId,
    state: input.state ?? 'DetectLabelsAndText',
  });
  const result = await detectLabelsAndText(input, deps);
  log.info('Labels and text detected', {
    status: result.status,
    labels: result.labels?.length,
    lines: result.text?.length,
    durationMs: result.durationMs,
    ...(result.failedPart ? { failedPart: result.failedPart } : {}),
  });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (input: AnalysisInput): Promise<LabelsAndTextBranchResult> => run(input, lambdaDeps());
