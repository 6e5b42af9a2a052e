/** Renders one thumbnail spec with sharp: upright (EXIF applied), resized, metadata stripped, JPEG. */
import sharp, { type Sharp } from 'sharp';
import type { ThumbnailSpec } from '../shared/config';

/** Thumbnails are small and viewed, not analysed: 80 is indistinguishable from 90 at half the bytes. */
export const THUMBNAIL_JPEG_QUALITY = 80;

export interface RenderedThumbnail {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * The decoded source, oriented once; each spec clones it. rotate() with no angle applies the EXIF
 * orientation, and since no withMetadata() follows, the output carries no EXIF (no stale orientation
 * tag to rotate it a second time, and no camera GPS position leaking into a public thumbnail).
 */
export function thumbnailSource(buffer: Buffer, maxPixels: number): Sharp {
  return sharp(buffer, { limitInputPixels: maxPixels }).rotate();
}

export async function renderThumbnail(source: Sharp, spec: ThumbnailSpec): Promise<RenderedThumbnail> {
  const { data, info } = await source
    .clone()
    .resize({
      width: spec.width,
      height: spec.height,
      fit: spec.fit,
      // 'cover' fills its box exactly (a square avatar stays square); 'inside' is a preview and
      // never invents pixels for an image smaller than the box.
      withoutEnlargement: spec.fit === 'inside',
    })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: THUMBNAIL_JPEG_QUALITY })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
