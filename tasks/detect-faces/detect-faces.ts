/** DetectFaces' work: one Rekognition call with all attributes, the raw response to S3, compact faces to the state. */
import { DetectFacesCommand } from '@aws-sdk/client-rekognition';
import type { TaskDeps } from '../shared/aws-clients';
import { callRekognition, elapsedMs, isEnabled, rekognitionImage, saveRawResponse } from '../shared/rekognition';
import type { AnalysisInput, FacesBranchResult } from '../shared/types';
import { compactFaces } from './compact-faces';

export async function detectFaces(input: AnalysisInput, { config, clients }: TaskDeps): Promise<FacesBranchResult> {
  if (!isEnabled(config, 'faces')) return { branch: 'faces', status: 'SKIPPED' };
  const start = performance.now();
  // ['ALL']: age, emotions, smile, glasses... The DEFAULT set is only box, pose, quality and landmarks.
  const response = await callRekognition(clients.rekognition, (client) =>
    client.send(new DetectFacesCommand({ Image: rekognitionImage(input), Attributes: ['ALL'] })),
  );
  const rawRef = await saveRawResponse(clients.s3, input, 'faces.json', response, config);
  const { faces, faceCount } = compactFaces(response.FaceDetails ?? []);
  return { branch: 'faces', status: 'SUCCEEDED', durationMs: elapsedMs(start), faces, faceCount, rawRef };
}
