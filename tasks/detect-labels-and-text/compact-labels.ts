/** Turns Rekognition Labels into compact Label records (pure). */
import type { Label as RekognitionLabel } from '@aws-sdk/client-rekognition';
import { compactBox, round } from '../shared/rekognition';
import type { Label } from '../shared/types';

/**
 * Boxes kept per label. A crowd photo can give "Person" dozens of instances; the first 20 (Rekognition
 * lists the most confident first) say what a summary needs, and the raw response has them all.
 */
export const MAX_INSTANCES_PER_LABEL = 20;

export function compactLabels(labels: RekognitionLabel[]): Label[] {
  return labels
    .filter((label) => label.Name)
    .map((label) => ({
      name: label.Name as string,
      confidence: round(label.Confidence),
      parents: (label.Parents ?? []).flatMap((parent) => (parent.Name ? [parent.Name] : [])),
      instances: (label.Instances ?? [])
        .filter((instance) => instance.BoundingBox)
        .slice(0, MAX_INSTANCES_PER_LABEL)
        .map((instance) => ({ box: compactBox(instance.BoundingBox), confidence: round(instance.Confidence) })),
    }));
}
