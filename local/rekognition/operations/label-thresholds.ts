/**
 * Per-class CenterNet score thresholds: the score at which each COCO class is reported at Confidence 55
 * (DetectLabels' default MinConfidence). Fitted by hand on test/fixtures/labels (bench/label-calibration.ts
 * prints precision and recall); classes not listed keep the uniform threshold.
 */
import type { CocoClass } from '../models/coco-classes';

/** The score the uniform calibration maps to 55 (0.30 → 50, 0.60 → 99). */
export const UNIFORM_THRESHOLD = 0.3 + (5 * 0.3) / 49;

export const CLASS_THRESHOLDS: Partial<Record<CocoClass, number>> = {
  // Fruit scores low even when it is the whole photo (orange 0.37-0.41, apple read as orange 0.43).
  orange: 0.27,
  // Texture read as objects: a circuit board and coins as a clock (0.42-0.47), the moon as a kite (0.40),
  // a squirrel as a bird (0.38), a kiwi as an apple (0.35), a hand as a remote (0.38).
  clock: 0.5,
  kite: 0.45,
  bird: 0.42,
  apple: 0.4,
  remote: 0.45,
};

/** How far a class's scores are shifted before the uniform calibration (0 for classes not listed). */
export function thresholdShift(label: CocoClass): number {
  return (CLASS_THRESHOLDS[label] ?? UNIFORM_THRESHOLD) - UNIFORM_THRESHOLD;
}
