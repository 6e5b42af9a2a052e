/** Decides (pure) whether Rekognition can read the upload as is, or needs a JPEG copy, and at what size. */
import { REKOGNITION_LIMITS } from '../shared/config';
import { ImageValidationError } from '../shared/errors';
import type { ImageFormat } from '../shared/types';

/** Longest edge of the analysis copy: ample detail for detection, and a JPEG far below Rekognition's 15 MB limit. */
export const MAX_ANALYSIS_EDGE = 4096;
/** Rekognition rejects images narrower or shorter than this. */
export const MIN_ANALYSIS_EDGE = 80;
/**
 * Smaller than this on either side, an image is rejected as TOO_SMALL rather than enlarged: Rekognition's
 * smallest detectable face is 40x40 px, so nothing smaller can hold one, and reaching the 80-px minimum
 * would take more than a 2x enlargement, whose "results" describe interpolation, not the picture
 * (a 1x1 PNG used to come out SUCCEEDED with an 80x80 thumbnail).
 */
export const MIN_SOURCE_EDGE = 40;
/** Enlarging a sliver (say 2x3000 px) to the minimum would make an absurd image: reject it instead. */
export const MAX_UPSCALED_EDGE = 16_384;

export interface PlanInput {
  format: ImageFormat;
  bytes: number;
  displayWidth: number;
  displayHeight: number;
  orientation: number;
  pages: number;
}

export interface NormalizationPlan {
  normalize: boolean;
  /** Why a copy is needed, readable, one entry per reason. Empty when it is not. */
  reasons: string[];
  /** Display size of the copy (after orientation and scaling). */
  width: number;
  height: number;
}

const REKOGNITION_FORMATS: readonly ImageFormat[] = REKOGNITION_LIMITS.formats;

export function planNormalization(input: PlanInput): NormalizationPlan {
  const { format, bytes, displayWidth: w, displayHeight: h, orientation, pages } = input;
  const reasons: string[] = [];
  if (!REKOGNITION_FORMATS.includes(format)) reasons.push(`${format.toUpperCase()} is not a format Rekognition reads`);
  if (pages > 1) reasons.push(`first of ${pages} frames`);
  if (bytes > REKOGNITION_LIMITS.maxS3ObjectBytes) {
    reasons.push(`${bytes} bytes is over Rekognition's ${REKOGNITION_LIMITS.maxS3ObjectBytes}-byte limit`);
  }
  // Whether Rekognition's boxes follow EXIF orientation has varied by API and over time; a copy with
  // the pixels already upright settles it, and its boxes line up with the (upright) thumbnails.
  if (orientation > 1) reasons.push(`EXIF orientation ${orientation} applied`);

  const { width, height, scaling } = scaledSize(w, h);
  if (scaling) reasons.push(scaling);
  return { normalize: reasons.length > 0, reasons, width, height };
}

/**
 * Reject a side under 40 px (MIN_SOURCE_EDGE); downscale so the long edge is at most 4096, then, if
 * the short edge is under 80, upscale so it is exactly 80 (Rekognition's minimum wins over the 4096
 * cap for very elongated images).
 */
function scaledSize(w: number, h: number): { width: number; height: number; scaling?: string } {
  const long = Math.max(w, h);
  const short = Math.min(w, h);
  if (short < MIN_SOURCE_EDGE) {
    throw new ImageValidationError(
      'TOO_SMALL',
      `the image is ${w}x${h} px: below ${MIN_SOURCE_EDGE} px on a side it cannot hold a face Rekognition detects (40x40 px at least), ` +
        `and enlarging it to Rekognition's ${MIN_ANALYSIS_EDGE}-px minimum would take more than 2x`,
    );
  }
  let scale = long > MAX_ANALYSIS_EDGE ? MAX_ANALYSIS_EDGE / long : 1;
  const minimumWins = short * scale < MIN_ANALYSIS_EDGE;
  if (minimumWins) scale = MIN_ANALYSIS_EDGE / short;
  if (scale === 1) return { width: w, height: h };
  const width = Math.max(1, Math.round(w * scale));
  const height = Math.max(1, Math.round(h * scale));
  if (scale > 1 && Math.max(width, height) > MAX_UPSCALED_EDGE) {
    throw new ImageValidationError(
      'TOO_SMALL',
      `the image is ${w}x${h} px: enlarging its ${short}-px side to Rekognition's ${MIN_ANALYSIS_EDGE}-px minimum ` +
        `would make it ${width}x${height} px, over ${MAX_UPSCALED_EDGE} px`,
    );
  }
  const why = minimumWins ? `Rekognition's minimum side is ${MIN_ANALYSIS_EDGE} px` : `long edge at most ${MAX_ANALYSIS_EDGE} px`;
  return { width, height, scaling: `${w}x${h} px ${scale > 1 ? 'upscaled' : 'downscaled'} to ${width}x${height} (${why})` };
}
