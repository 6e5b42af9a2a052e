/**
 * DetectLabelsAndText's work: DetectLabels and DetectText at once, each raw response to S3, compact labels
 * and lines to the state. One half failing for good keeps the other's result (half-failure.ts decides).
 */
import { DetectLabelsCommand, DetectTextCommand } from '@aws-sdk/client-rekognition';
import type { TaskDeps } from '../shared/aws-clients';
import { callRekognition, elapsedMs, isEnabled, rekognitionImage, saveRawResponse } from '../shared/rekognition';
import type { AnalysisInput, DominantColor, ImageQuality, Label, LabelsAndTextBranchResult, TextLine } from '../shared/types';
import { compactColors, compactQuality, MAX_DOMINANT_COLORS } from './compact-image-properties';
import { compactLabels } from './compact-labels';
import { compactText } from './compact-text';
import { describePartFailure, errorToThrow, keepsOtherHalf } from './half-failure';

export async function detectLabelsAndText(input: AnalysisInput, deps: TaskDeps): Promise<LabelsAndTextBranchResult> {
  const { config } = deps;
  const wantLabels = isEnabled(config, 'labels');
  const wantText = isEnabled(config, 'text');
  if (!wantLabels && !wantText) return { branch: 'labelsAndText', status: 'SKIPPED' };
  const start = performance.now();
  const image = rekognitionImage(input);

  // Concurrently: the two calls are independent, and the branch takes as long as the slower one.
  // allSettled, not all: a failed half must not throw away the other's answer (nor leave it unawaited).
  const [labelsOutcome, textOutcome] = await Promise.allSettled([
    wantLabels ? detectLabels(input, deps, image) : undefined,
    wantText ? detectText(input, deps, image) : undefined,
  ]);
  const labels = labelsOutcome.status === 'fulfilled' ? labelsOutcome.value : undefined;
  const text = textOutcome.status === 'fulfilled' ? textOutcome.value : undefined;
  const failed = [
    ...(labelsOutcome.status === 'rejected' ? [{ operation: 'DetectLabels' as const, error: labelsOutcome.reason }] : []),
    ...(textOutcome.status === 'rejected' ? [{ operation: 'DetectText' as const, error: textOutcome.reason }] : []),
  ];
  // Nothing kept (the only half that ran, or both, failed), or a failure a retry may cure or that is
  // about the image: the task fails as before, so the definition's Retry and Catch apply.
  if (failed.length > 0 && (!(labels || text) || !keepsOtherHalf(failed[0].error))) {
    throw errorToThrow(failed.map((f) => f.error));
  }
  return {
    branch: 'labelsAndText',
    status: 'SUCCEEDED',
    durationMs: elapsedMs(start),
    ...(labels ? { labels: labels.labels } : {}),
    ...(labels?.colors ? { colors: labels.colors } : {}),
    ...(labels?.imageQuality ? { imageQuality: labels.imageQuality } : {}),
    ...(text ? { text: text.lines } : {}),
    rawRefs: { ...(labels ? { labels: labels.rawRef } : {}), ...(text ? { text: text.rawRef } : {}) },
    ...(failed.length > 0 ? { failedPart: describePartFailure(failed[0].operation, failed[0].error) } : {}),
  };
}

async function detectLabels(
  input: AnalysisInput,
  { config, clients }: TaskDeps,
  image: ReturnType<typeof rekognitionImage>,
): Promise<{ labels: Label[]; colors?: DominantColor[]; imageQuality?: ImageQuality; rawRef: string }> {
  const response = await callRekognition(clients.rekognition, (client) =>
    client.send(new DetectLabelsCommand({ Image: image, ...labelsRequest(config) })),
  );
  const rawRef = await saveRawResponse(clients.s3, input, 'labels.json', response, config);
  return {
    labels: compactLabels(response.Labels ?? []),
    colors: compactColors(response.ImageProperties),
    imageQuality: compactQuality(response.ImageProperties),
    rawRef,
  };
}

/**
 * DetectLabels' parameters. IMAGE_PROPERTIES (priced separately) only when the setting asks for it;
 * without it the request is the plain GENERAL_LABELS one Rekognition defaults to.
 */
export function labelsRequest(config: TaskDeps['config']) {
  return {
    MinConfidence: config.minLabelConfidence,
    MaxLabels: config.maxLabels,
    ...(config.imageProperties
      ? {
          Features: ['GENERAL_LABELS' as const, 'IMAGE_PROPERTIES' as const],
          Settings: { ImageProperties: { MaxDominantColors: MAX_DOMINANT_COLORS } },
        }
      : {}),
  };
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
