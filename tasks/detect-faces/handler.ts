/** DetectFaces task: AnalysisInput in, FacesBranchResult out. */
import { loadConfig } from '../shared/config';
import { invocationLogger } from '../shared/logger';
import type { AnalysisInput, FacesBranchResult } from '../shared/types';
import { detectFaces } from './detect-faces';

export async function handler(input: AnalysisInput): Promise<FacesBranchResult> {
  const log = invocationLogger({ imageId: input.image.imageId, key: input.image.key, executionId: input.executionId, state: input.state ?? 'DetectFaces' });
  const result = await detectFaces(input, loadConfig());
  log.info('Faces detected', { status: result.status, faceCount: result.faceCount, durationMs: result.durationMs });
  return result;
}
