/** DetectFaces task: AnalysisInput in, FacesBranchResult out. */
import { lambdaDeps, type TaskDeps } from '../shared/aws-clients';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, FacesBranchResult } from '../shared/types';
import { detectFaces } from './detect-faces';

/** The task, given its configuration and clients (the local runtime calls it with its own). */
export async function run(input: AnalysisInput, deps: TaskDeps): Promise<FacesBranchResult> {
  const log = invocationLogger({
    imageId: input.image.imageId,
    key: input.image.key,
    executionId: input.executionId,
    state: input.state ?? 'DetectFaces',
  });
  const result = await detectFaces(input, deps);
  log.info('Faces detected', { status: result.status, faceCount: result.faceCount, durationMs: result.durationMs });
  return result;
}

/** Lambda entry point: configuration and clients from the function's environment. */
export const handler = (input: AnalysisInput): Promise<FacesBranchResult> => run(input, lambdaDeps());
