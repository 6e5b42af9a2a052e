/**
 * DetectLabels' IMAGE_PROPERTIES from decoded pixels: dominant colours (named after the nearest CSS
 * colour), quality (brightness, sharpness, contrast) of the whole image, and the same for a foreground
 * and a background told apart by the colours of the image's border (see README: an approximation).
 */
import type { DetectLabelsImageProperties, DominantColor } from '@aws-sdk/client-rekognition';
import { CSS_COLORS, nearestCssColor } from './css-colors';
import { regionQuality } from './pixel-stats';

/** Rekognition's default and maximum for Settings.ImageProperties.MaxDominantColors. */
export const DEFAULT_MAX_DOMINANT_COLORS = 10;
export const MAX_DOMINANT_COLORS = 20;

/** Colours covering less than this share of a region are noise (anti-aliased edges, JPEG ringing), not dominant. */
const MIN_PIXEL_PERCENT = 1;
/** Samples on the longer side: colour shares and region statistics need no more. */
const SAMPLES = 160;
/** The border band (share of each side) whose colours define the background. */
const BORDER = 0.1;
/** A colour is a background colour when it covers at least this share of the border band. */
const BORDER_COLOR_SHARE = 0.1;

interface Samples {
  cols: number;
  rows: number;
  /** CSS_COLORS index per sample. */
  color: Uint16Array;
  luma: Float32Array;
}

export function imageProperties(rgb: Uint8Array, width: number, height: number, maxDominantColors: number): DetectLabelsImageProperties {
  const samples = sample(rgb, width, height);
  const background = backgroundMask(samples);
  const foreground = background.map((b) => (b ? 0 : 1));
  const whole = regionQuality(rgb, width, height, [0, 0, 1, 1]);
  return {
    Quality: { Brightness: round(whole.brightness), Sharpness: round(whole.sharpness), Contrast: round(whole.contrast) },
    DominantColors: dominantColors(samples, undefined, maxDominantColors),
    Foreground: {
      Quality: maskQuality(samples, foreground),
      DominantColors: dominantColors(samples, foreground, maxDominantColors),
    },
    Background: {
      Quality: maskQuality(samples, background),
      DominantColors: dominantColors(samples, background, maxDominantColors),
    },
  };
}

/** A grid of at most SAMPLES x SAMPLES pixels: each one's nearest CSS colour and luma. */
function sample(rgb: Uint8Array, width: number, height: number): Samples {
  const step = Math.max(1, Math.ceil(Math.max(width, height) / SAMPLES));
  const cols = Math.max(1, Math.floor(width / step));
  const rows = Math.max(1, Math.floor(height / step));
  const color = new Uint16Array(cols * rows);
  const luma = new Float32Array(cols * rows);
  // Photos repeat colours: the nearest CSS colour is looked up once per 15-bit colour.
  const cache = new Map<number, number>();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = (r * step * width + c * step) * 3;
      const red = rgb[i]!;
      const green = rgb[i + 1]!;
      const blue = rgb[i + 2]!;
      const key = ((red >> 3) << 10) | ((green >> 3) << 5) | (blue >> 3);
      let index = cache.get(key);
      if (index === undefined) {
        index = nearestCssColor(red, green, blue);
        cache.set(key, index);
      }
      color[r * cols + c] = index;
      luma[r * cols + c] = 0.299 * red + 0.587 * green + 0.114 * blue;
    }
  }
  return { cols, rows, color, luma };
}

/**
 * 1 where a sample is background: its colour is one of those covering the border band. When that
 * leaves (almost) no foreground, as on a plain or evenly textured image, the centre half of the image
 * is taken as the foreground instead, as a photographer frames a subject.
 */
function backgroundMask(s: Samples): Uint8Array {
  const band = (r: number, c: number) =>
    r < s.rows * BORDER || r >= s.rows * (1 - BORDER) || c < s.cols * BORDER || c >= s.cols * (1 - BORDER);
  const borderCounts = new Map<number, number>();
  let borderTotal = 0;
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < s.cols; c++) {
      if (!band(r, c)) continue;
      const color = s.color[r * s.cols + c]!;
      borderCounts.set(color, (borderCounts.get(color) ?? 0) + 1);
      borderTotal++;
    }
  }
  const backgroundColors = new Set([...borderCounts].filter(([, n]) => n >= borderTotal * BORDER_COLOR_SHARE).map(([color]) => color));
  const mask = new Uint8Array(s.cols * s.rows);
  let foreground = 0;
  for (let k = 0; k < mask.length; k++) {
    mask[k] = backgroundColors.has(s.color[k]!) ? 1 : 0;
    foreground += 1 - mask[k]!;
  }
  if (foreground >= mask.length * 0.02) return mask;
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < s.cols; c++) {
      const centre = r >= s.rows / 4 && r < (s.rows * 3) / 4 && c >= s.cols / 4 && c < (s.cols * 3) / 4;
      mask[r * s.cols + c] = centre ? 0 : 1;
    }
  }
  return mask;
}

/** The colours of the samples where `mask` is 1 (all when absent), largest share first, as Rekognition lists them. */
function dominantColors(s: Samples, mask: Uint8Array | undefined, max: number): DominantColor[] {
  const counts = new Map<number, number>();
  let total = 0;
  for (let k = 0; k < s.color.length; k++) {
    if (mask && !mask[k]) continue;
    counts.set(s.color[k]!, (counts.get(s.color[k]!) ?? 0) + 1);
    total++;
  }
  if (total === 0) return [];
  return [...counts]
    .map(([index, n]) => ({ index, percent: (n / total) * 100 }))
    .filter((c) => c.percent >= MIN_PIXEL_PERCENT)
    .sort((a, b) => b.percent - a.percent || a.index - b.index)
    .slice(0, max)
    .map(({ index, percent }) => {
      const css = CSS_COLORS[index]!;
      const [red, green, blue] = css.rgb;
      // Rekognition reports the named colour's own RGB and hex, not the pixels' average.
      return {
        Red: red,
        Green: green,
        Blue: blue,
        HexCode: `#${[red, green, blue].map((v) => v.toString(16).padStart(2, '0')).join('')}`,
        CSSColor: css.name,
        SimplifiedColor: css.simplified,
        PixelPercent: round(percent),
      };
    });
}

/** Brightness and sharpness (what Rekognition gives a foreground or background) over the masked samples. */
function maskQuality(s: Samples, mask: Uint8Array): { Brightness: number; Sharpness: number } {
  let lumaSum = 0;
  let count = 0;
  let lapSum = 0;
  let lapSq = 0;
  let lapCount = 0;
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < s.cols; c++) {
      const k = r * s.cols + c;
      if (!mask[k]) continue;
      lumaSum += s.luma[k]!;
      count++;
      if (r === 0 || c === 0 || r === s.rows - 1 || c === s.cols - 1) continue;
      // Only inside the region: the step from foreground to background is an edge of the mask, not detail.
      if (!mask[k - 1] || !mask[k + 1] || !mask[k - s.cols] || !mask[k + s.cols]) continue;
      const lap = s.luma[k - 1]! + s.luma[k + 1]! + s.luma[k - s.cols]! + s.luma[k + s.cols]! - 4 * s.luma[k]!;
      lapSum += lap;
      lapSq += lap * lap;
      lapCount++;
    }
  }
  if (count === 0) return { Brightness: 0, Sharpness: 0 };
  const mean = lapCount > 0 ? lapSum / lapCount : 0;
  const variance = lapCount > 0 ? lapSq / lapCount - mean * mean : 0;
  // The same scales as regionQuality (pixel-stats.ts), so a region and the whole image compare.
  return { Brightness: round((lumaSum / count / 255) * 100), Sharpness: round(100 * (1 - Math.exp(-variance / 300))) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The same properties with at most `max` colours per list. Lists are sorted largest share first and cut
 * last, so cutting a result computed with the largest `max` equals computing with `max`: the shared
 * per-image analysis (image-analyses.ts) computes once and each request takes its own count.
 */
export function limitDominantColors(properties: DetectLabelsImageProperties, max: number): DetectLabelsImageProperties {
  return {
    ...properties,
    DominantColors: properties.DominantColors?.slice(0, max),
    Foreground: { ...properties.Foreground, DominantColors: properties.Foreground?.DominantColors?.slice(0, max) },
    Background: { ...properties.Background, DominantColors: properties.Background?.DominantColors?.slice(0, max) },
  };
}
