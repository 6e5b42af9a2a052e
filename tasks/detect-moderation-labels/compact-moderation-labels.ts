/** Turns Rekognition ModerationLabels into compact {name, parentName, confidence} records (pure). */
import type { ModerationLabel as RekognitionModerationLabel } from '@aws-sdk/client-rekognition';
import { round } from '../shared/rekognition';
import type { ModerationLabel } from '../shared/types';

/** Most confident first; `parentName` is "" for a top-level category, as Rekognition sends it. */
export function compactModerationLabels(labels: RekognitionModerationLabel[]): ModerationLabel[] {
  return labels
    .filter((label) => label.Name)
    .map((label) => ({ name: label.Name as string, parentName: label.ParentName ?? '', confidence: round(label.Confidence) }))
    .sort((a, b) => b.confidence - a.confidence);
}
