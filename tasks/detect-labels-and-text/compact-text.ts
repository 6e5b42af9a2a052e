/** Turns Rekognition TextDetections into compact text lines (pure). */
import type { TextDetection } from '@aws-sdk/client-rekognition';
import { compactBox, round } from '../shared/rekognition';
import type { TextLine } from '../shared/types';

/** Lines kept, and characters per line: a scanned page can have hundreds; the raw response keeps them all. */
export const MAX_TEXT_LINES = 100;
export const MAX_LINE_CHARS = 200;

/**
 * LINE detections only: every WORD is also inside a LINE, so keeping both would store the text twice.
 * Lines under `minConfidence` are dropped (mostly textures read as letters).
 */
export function compactText(detections: TextDetection[], minConfidence: number): TextLine[] {
  return detections
    .filter((d) => d.Type === 'LINE' && d.DetectedText && (d.Confidence ?? 0) >= minConfidence)
    .slice(0, MAX_TEXT_LINES)
    .map((d) => ({
      text: truncate(d.DetectedText as string, MAX_LINE_CHARS),
      confidence: round(d.Confidence),
      ...(d.Geometry?.BoundingBox ? { box: compactBox(d.Geometry.BoundingBox) } : {}),
    }));
}

/** Cuts by code point, so a line never ends in half an emoji. */
function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : chars.slice(0, maxChars).join('');
}
