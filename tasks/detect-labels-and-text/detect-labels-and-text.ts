/** DetectLabelsAndText's work: DetectLabels and DetectText at once, each raw response to S3, compact labels and lines to the state. */
import { DetectLabelsCommand, DetectTextCommand } from '@aws-sdk/client-rekognition';
import type { TaskDeps } from '../shared/aws-clients';
import { callRekognition, elapsedMs, isEnabled, rekognitionImage, saveRawResponse } from '../shared/rekognition';
import type { AnalysisInput, Label, LabelsAndTextBranchResult, TextLine } from '../shared/types';
import { compactLabels } from './compact-labels';
import { compactText } from './compact-text';

export async function detectLabelsAndText(input: AnalysisInput, deps: TaskDeps): Promise<LabelsAndTextBranchResult> {
  const { config } = deps;
  const wantLabels = isEnabled(config, 'labels');
  const wantText = isEnabled(config, 'text');
  if (!wantLabels && !wantText) return { branch: 'labelsAndText', status: 'SKIPPED' };
  const start = performance.now();
  const image = rekognitionImage(input);

  // Concurrently: the two calls are independent, and the branch takes as long as the slower one.
  const [labels, text] = await Promise.all([
    wantLabels ? detectLabels(input, deps, image) : undefined,
    wantText ? detectText(input, deps, image) : undefined,
  ]);
  return {
    branch: 'labelsAndText',
    status: 'SUCCEEDED',
    durationMs: elapsedMs(start),
    ...(labels ? { labels: labels.labels } : {}),
    ...(text ? { text: text.lines } : {}),
    rawRefs: { ...(labels ? { labels: labels.rawRef } : {}), ...(text ? { text: text.rawRef } : {}) },
  };
}

async function detectLabels(
  input: AnalysisInput,
  { config, clients }: TaskDeps,
  image: ReturnType<typeof rekognitionImage>,
): Promise<{ labels: Label[]; rawRef: string }> {
  const response = await callRekognition(clients.rekognition, (client) =>
    client.send(new DetectLabelsCommand({ Image: image, MinConfidence: config.minLabelConfidence, MaxLabels: config.maxLabels })),
  );
  const rawRef = await saveRawResponse(clients.s3, input, 'labels.json', response, config);
  return { labels: compactLabels(response.Labels ?? []), rawRef };
}

async function detectText(
  input: AnalysisInput,
  { config, clients }: TaskDeps,
  image: ReturnType<typeof rekognitionImage>,
): Promise<{ lines: TextLine[]; rawRef: string }> {
  // No Filters.WordFilter: it filters words, not lines, and would thin the raw response too; the
  // confidence threshold is applied to the compact lines instead.
  const response = await callRekognition(clients.rekognition, (client) => client.send(new DetectTextCommand({ Image: image })));
  const rawRef = await saveRawResponse(clients.s3, input, 'text.json', response, config);
  return { lines: compactText(response.TextDetections ?? [], config.minTextConfidence), rawRef };
}
