/** Turns DetectLabels' ImageProperties into the item's compact dominant colours and image quality (pure). */
import type { DetectLabelsImageProperties } from '@aws-sdk/client-rekognition';
import { round } from '../shared/rekognition';
import type { DominantColor, ImageQuality } from '../shared/types';

/**
 * Colours asked for and kept: five say what an image looks like (a swatch row) at about 80 bytes each;
 * Rekognition's default of ten would double that in a state shared with faces and text.
 */
export const MAX_DOMINANT_COLORS = 5;

export function compactColors(properties: DetectLabelsImageProperties | undefined): DominantColor[] | undefined {
  if (!properties?.DominantColors) return undefined;
  return properties.DominantColors.filter((c) => c.HexCode)
    .slice(0, MAX_DOMINANT_COLORS)
    .map((c) => ({
      hex: normalizeHex(c.HexCode as string),
      css: c.CSSColor ?? '',
      simplified: c.SimplifiedColor ?? '',
      percent: round(c.PixelPercent),
    }));
}

export function compactQuality(properties: DetectLabelsImageProperties | undefined): ImageQuality | undefined {
  const quality = properties?.Quality;
  if (!quality) return undefined;
  return { brightness: round(quality.Brightness, 1), sharpness: round(quality.Sharpness, 1), contrast: round(quality.Contrast, 1) };
}

/** `#RRGGBB` or `rrggbb` as `#rrggbb`, so the console can use it as a CSS colour as it is. */
function normalizeHex(hex: string): string {
  return `#${hex.replace(/^#/, '').toLowerCase()}`;
}
