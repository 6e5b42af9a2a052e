/** DetectModerationLabels' work: one Rekognition call, the raw response to S3, compact labels and a verdict to the state. */
import { DetectModerationLabelsCommand } from '@aws-sdk/client-rekognition';
import type { TaskDeps } from '../shared/aws-clients';
import { callRekognition, elapsedMs, isEnabled, rekognitionImage, saveRawResponse } from '../shared/rekognition';
import type { AnalysisInput, ModerationBranchResult } from '../shared/types';
import { compactModerationLabels } from './compact-moderation-labels';
import { moderationVerdict } from './moderation-verdict';

export async function detectModerationLabels(input: AnalysisInput, { config, clients }: TaskDeps): Promise<ModerationBranchResult> {
  if (!isEnabled(config, 'moderation')) return { branch: 'moderation', status: 'SKIPPED' };
  const start = performance.now();
  const response = await callRekognition(clients.rekognition, (client) =>
    client.send(new DetectModerationLabelsCommand({ Image: rekognitionImage(input), MinConfidence: config.minModerationConfidence })),
  );
  const rawRef = await saveRawResponse(clients.s3, input, 'moderation.json', response, config);
  const labels = compactModerationLabels(response.ModerationLabels ?? []);
  return {
    branch: 'moderation',
    status: 'SUCCEEDED',
    durationMs: elapsedMs(start),
    labels,
    verdict: moderationVerdict(labels),
    rawRef,
  };
}
