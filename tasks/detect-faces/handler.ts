/** DetectFaces task: AnalysisInput in, FacesBranchResult out. */
import { loadConfig } from '../shared/config';
import { logContext, logger } from '../shared/logger';
import type { AnalysisInput, FacesBranchResult } from '../shared/types';
import { detectFaces } from './detect-faces';

export async function handler(input: AnalysisInput): Promise<FacesBranchResult> {
  logContext({ imageId: input.image.imageId, key: input.image.key, state: 'DetectFaces' });
  const result = await detectFaces(input, loadConfig());
  logger.info('Faces detected', { status: result.status, faceCount: result.faceCount, durationMs: result.durationMs });
  return result;
}
