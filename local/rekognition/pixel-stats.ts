/** Brightness and sharpness of an image region, 0..100 like Rekognition's ImageQuality. */

export interface RegionQuality {
  brightness: number;
  sharpness: number;
  /** Standard deviation of the luma, scaled so that 127.5 (black/white halves) is 100. */
  contrast: number;
}

/**
 * `rgb` is packed RGB (3 bytes a pixel); `box` is [left, top, width, height] as ratios of the image.
 * Brightness: mean luma scaled to 0..100. Sharpness: variance of the 4-neighbour Laplacian of the luma,
 * mapped to 0..100 with 100·(1 − e^(−var/300)) (a blurred face ≈ 10-30, an in-focus one ≈ 70-95).
 */
export function regionQuality(rgb: Uint8Array, width: number, height: number, box: [number, number, number, number]): RegionQuality {
  const x0 = Math.max(0, Math.floor(box[0] * width));
  const y0 = Math.max(0, Math.floor(box[1] * height));
  const x1 = Math.min(width, Math.ceil((box[0] + box[2]) * width));
  const y1 = Math.min(height, Math.ceil((box[1] + box[3]) * height));
  const w = x1 - x0;
  const h = y1 - y0;
  if (w < 3 || h < 3) return { brightness: 0, sharpness: 0, contrast: 0 };
  // Subsample big regions to at most ~256x256 luma samples.
  const step = Math.max(1, Math.floor(Math.max(w, h) / 256));
  const cols = Math.floor(w / step);
  const rows = Math.floor(h / step);
  const luma = new Float32Array(cols * rows);
  let sum = 0;
  let sumSq = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = ((y0 + r * step) * width + (x0 + c * step)) * 3;
      const y = 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
      luma[r * cols + c] = y;
      sum += y;
      sumSq += y * y;
    }
  }
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let r = 1; r < rows - 1; r++) {
    for (let c = 1; c < cols - 1; c++) {
      const k = r * cols + c;
      const lap = luma[k - 1]! + luma[k + 1]! + luma[k - cols]! + luma[k + cols]! - 4 * luma[k]!;
      lapSum += lap;
      lapSq += lap * lap;
      n++;
    }
  }
  const mean = n > 0 ? lapSum / n : 0;
  const variance = n > 0 ? lapSq / n - mean * mean : 0;
  const count = cols * rows;
  const lumaMean = sum / count;
  const lumaStd = Math.sqrt(Math.max(0, sumSq / count - lumaMean * lumaMean));
  return {
    brightness: (lumaMean / 255) * 100,
    contrast: Math.min(100, (lumaStd / 127.5) * 100),
    sharpness: 100 * (1 - Math.exp(-variance / 300)),
  };
}
