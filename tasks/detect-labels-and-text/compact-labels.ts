/** Turns Rekognition Labels into compact Label records (pure). */
import type { Label as RekognitionLabel } from '@aws-sdk/client-rekognition';
import { compactBox, round } from '../shared/rekognition';
import type { Label } from '../shared/types';

/**
 * Boxes kept per label. A crowd photo can give "Person" dozens of instances; the first 20 (Rekognition
 * lists the most confident first) say what a summary needs, and the raw response has them all.
 */
export const MAX_INSTANCES_PER_LABEL = 20;

/**
 * Boxes kept over all labels (about 80 bytes each in the state). Without it 25 labels x 20 boxes
 * alone would take 40 KB of the 256 KB state budget that faces and text share.
 */
export const MAX_INSTANCES_TOTAL = 100;

export function compactLabels(labels: RekognitionLabel[]): Label[] {
  let boxesLeft = MAX_INSTANCES_TOTAL;
  return labels
    .filter((label) => label.Name)
    .map((label) => {
      const instances = (label.Instances ?? [])
        .filter((instance) => instance.BoundingBox)
        .slice(0, Math.min(MAX_INSTANCES_PER_LABEL, boxesLeft))
        .map((instance) => ({ box: compactBox(instance.BoundingBox), confidence: round(instance.Confidence) }));
      boxesLeft -= instances.length;
      return {
        name: label.Name as string,
        confidence: round(label.Confidence),
        parents: (label.Parents ?? []).flatMap((parent) => (parent.Name ? [parent.Name] : [])),
        instances,
      };
    });
}
