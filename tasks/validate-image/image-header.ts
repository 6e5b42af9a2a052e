/** Reads an upload's header with sharp (dimensions, orientation, frames) and rejects decompression bombs before any pixel is decoded. */
import sharp, { type Metadata } from 'sharp';
import { ImageValidationError } from '../shared/errors';
import type { ImageFormat } from '../shared/types';
import { corruptError } from './decode-errors';

export interface ImageHeader {
  /** Stored size of one frame, before EXIF orientation. */
  width: number;
  height: number;
  /** Size as displayed: width and height swap for orientations 5 to 8 (90° turns). */
  displayWidth: number;
  displayHeight: number;
  /** EXIF orientation, 1 (as stored) to 8. */
  orientation: number;
  /** Frames (animated GIF/WebP) or pages (TIFF); only the first is analysed. */
  pages: number;
  /** The codec inside a HEIF container (`av1`, `hevc`), when sharp reports it. */
  compression?: string;
}

/**
 * The header only: sharp's metadata() parses the container without decoding pixels, so a file that
 * declares 30000x30000 costs nothing here. sharp's own pixel limit is lifted for this read so that
 * the check below can reject with the actual numbers instead of sharp's terse message.
 */
export async function readHeader(buffer: Buffer, format: ImageFormat, maxPixels: number): Promise<ImageHeader> {
  let meta: Metadata;
  try {
    meta = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw corruptError(error, format);
  }
  const width = meta.width ?? 0;
  // For animated images `height` may be all frames stacked; `pageHeight` is one frame.
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width < 1 || height < 1) {
    throw new ImageValidationError('CORRUPT', `the ${format.toUpperCase()} header declares no usable dimensions (${width}x${height})`);
  }
  checkPixelCount(width, height, maxPixels);
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const turned = orientation >= 5;
  return {
    width,
    height,
    displayWidth: turned ? height : width,
    displayHeight: turned ? width : height,
    orientation,
    pages: meta.pages ?? 1,
    ...(meta.compression ? { compression: meta.compression } : {}),
  };
}

/** Rejects an image whose decoded pixels would not fit in memory (a "decompression bomb"). */
export function checkPixelCount(width: number, height: number, maxPixels: number): void {
  const pixels = width * height;
  if (pixels <= maxPixels) return;
  // 4 bytes a pixel (RGBA) is what a decoder would allocate at least once.
  const gigabytes = (pixels * 4) / 1e9;
  throw new ImageValidationError(
    'DECOMPRESSION_BOMB',
    `the image declares ${width}x${height} = ${pixels.toLocaleString('en-US')} pixels, over the limit of ` +
      `${maxPixels.toLocaleString('en-US')} pixels (MAX_IMAGE_PIXELS); it was not decoded ` +
      `(that would take about ${gigabytes.toFixed(1)} GB of memory)`,
  );
}
