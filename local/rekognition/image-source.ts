/**
 * Rekognition's `Image` parameter → validated image bytes → decoded pixels for one operation.
 * Bytes: base64 in the JSON, at most 5 MB decoded. S3Object: read through an injected reader, at most 15 MB.
 * Only JPEG and PNG are accepted (by magic bytes), as Rekognition does; decoding uses sharp and applies
 * the EXIF orientation (Rekognition reports boxes in the orientation-corrected frame).
 */
import sharp, { type Metadata } from 'sharp';
import { RekognitionError } from './errors';
import type { OperationName } from './operation-names';

export const MAX_BYTES_IMAGE = 5 * 1024 * 1024;
export const MAX_S3_IMAGE = 15 * 1024 * 1024;

/** Reads an S3 object; rejects with an error named NoSuchKey / NoSuchBucket / AccessDenied / ... when it cannot. */
export type ReadS3Object = (bucket: string, key: string, version?: string) => Promise<Buffer>;

export type ImageFormat = 'jpeg' | 'png';

export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  return undefined;
}

function invalidParameter(message: string): RekognitionError {
  return new RekognitionError('InvalidParameterException', message);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The image bytes of a request's `Image` member (validated: size limit and JPEG/PNG). */
export async function resolveImageBytes(image: unknown, readS3Object?: ReadS3Object): Promise<Buffer> {
  if (image === undefined || image === null)
    throw invalidParameter("1 validation error detected: Value null at 'image' failed to satisfy constraint: Member must not be null");
  if (typeof image !== 'object' || Array.isArray(image)) throw invalidParameter('Image must be an object');
  const { Bytes, S3Object } = image as { Bytes?: unknown; S3Object?: unknown };
  if ((Bytes === undefined) === (S3Object === undefined)) throw invalidParameter('Image must have exactly one of Bytes or S3Object');

  let bytes: Buffer;
  if (Bytes !== undefined) {
    if (typeof Bytes !== 'string' || !BASE64.test(Bytes.replace(/\s+/g, ''))) throw invalidParameter('Image.Bytes must be base64-encoded');
    // Cheap size check before decoding: 4 base64 characters carry 3 bytes.
    if (Math.floor((Bytes.length * 3) / 4) - 2 > MAX_BYTES_IMAGE) throw tooLarge(MAX_BYTES_IMAGE);
    bytes = Buffer.from(Bytes, 'base64');
    if (bytes.length > MAX_BYTES_IMAGE) throw tooLarge(MAX_BYTES_IMAGE);
    if (bytes.length === 0) throw invalidParameter('Image.Bytes must not be empty');
  } else {
    const s3 = S3Object as { Bucket?: unknown; Name?: unknown; Version?: unknown };
    if (typeof s3 !== 'object' || s3 === null || typeof s3.Bucket !== 'string' || typeof s3.Name !== 'string' || !s3.Bucket || !s3.Name) {
      throw invalidParameter('Image.S3Object needs Bucket and Name');
    }
    if (s3.Version !== undefined && typeof s3.Version !== 'string') throw invalidParameter('Image.S3Object.Version must be a string');
    if (!readS3Object)
      throw new RekognitionError('InvalidS3ObjectException', 'S3Object images are not configured on this endpoint (no readS3Object).');
    try {
      bytes = await readS3Object(s3.Bucket, s3.Name, s3.Version as string | undefined);
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new RekognitionError(
        'InvalidS3ObjectException',
        `Unable to get object metadata from S3. Check object key, region and/or access permissions. (${e?.name ?? 'Error'}: ` +
          `${e?.message ?? String(err)})`,
      );
    }
    if (bytes.length > MAX_S3_IMAGE) throw tooLarge(MAX_S3_IMAGE);
  }
  if (!detectImageFormat(bytes)) throw new RekognitionError('InvalidImageFormatException', 'Request has invalid image format');
  return bytes;
}

function tooLarge(limit: number): RekognitionError {
  return new RekognitionError('ImageTooLargeException', `Image size is too large. The maximum is ${limit} bytes.`);
}

/** Packed RGB pixels (3 bytes a pixel) at some scale of the image; ratios computed on it are the image's. */
export interface RgbImage {
  kind: 'rgb';
  data: Uint8Array;
  width: number;
  height: number;
  /** Size of the orientation-corrected original. */
  originalWidth: number;
  originalHeight: number;
}

/** An encoded grayscale PNG (for OCR, which decodes itself). */
export interface PngImage {
  kind: 'png';
  data: Uint8Array;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

export type DecodedImage = RgbImage | PngImage;

/** How each operation wants its pixels: models work on bounded sizes, so big photos are scaled down once here. */
const PROFILES: Record<OperationName, { kind: 'rgb' | 'png'; maxSide?: number; exact?: number; minSide?: number }> = {
  DetectFaces: { kind: 'rgb', maxSide: 1920 },
  DetectLabels: { kind: 'rgb', maxSide: 1024 },
  // nsfwjs stretches to 224x224 itself; doing it here keeps the transfer to the worker small.
  DetectModerationLabels: { kind: 'rgb', exact: 224 },
  // Tesseract reads small print better enlarged (up to 2x, to ~1600 px) and does not need more than ~3000 px.
  DetectText: { kind: 'png', maxSide: 3000, minSide: 1600 },
};

function invalidFormat(err: unknown): RekognitionError {
  return new RekognitionError(
    'InvalidImageFormatException',
    `Request has invalid image format (${(err as Error)?.message?.split('\n')[0] ?? 'decode failed'})`,
  );
}

/** The size an operation's profile scales an image of `width` x `height` to (before any encoding). */
export function profileSize(op: OperationName, width: number, height: number): { width: number; height: number } {
  const profile = PROFILES[op];
  if (profile.exact) return { width: profile.exact, height: profile.exact };
  const longest = Math.max(width, height);
  let scale = 1;
  if (profile.maxSide && longest > profile.maxSide) scale = profile.maxSide / longest;
  if (profile.minSide && longest < profile.minSide) scale = Math.min(2, profile.minSide / longest);
  if (scale === 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Decodes the image once, orientation applied, at full size: every operation's input is then resized from
 * these pixels (no second JPEG/PNG decode). Used by the shared per-image analyses (image-analyses.ts).
 */
export async function decodeOriented(bytes: Buffer): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { kind: 'rgb', data, width: info.width, height: info.height, originalWidth: info.width, originalHeight: info.height };
  } catch (err) {
    throw invalidFormat(err);
  }
}

/** An operation's RGB input resized from already decoded pixels (same profile as decodeForOperation). */
export async function rgbForOperation(op: Exclude<OperationName, 'DetectText'>, image: RgbImage): Promise<RgbImage> {
  return resizeRgb(image, profileSize(op, image.width, image.height));
}

/** The pixels stretched to `size` (the image itself when it already has that size). */
export async function resizeRgb(image: RgbImage, size: { width: number; height: number }): Promise<RgbImage> {
  if (size.width === image.width && size.height === image.height) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    kind: 'rgb',
    data,
    width: info.width,
    height: info.height,
    originalWidth: image.originalWidth,
    originalHeight: image.originalHeight,
  };
}

export async function decodeForOperation(op: OperationName, bytes: Buffer): Promise<DecodedImage> {
  const profile = PROFILES[op];
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'truncated' }).metadata();
  } catch (err) {
    throw invalidFormat(err);
  }
  if (!meta.width || !meta.height) throw invalidFormat(new Error('no dimensions'));
  const rotated = (meta.orientation ?? 1) >= 5;
  const originalWidth = rotated ? meta.height : meta.width;
  const originalHeight = rotated ? meta.width : meta.height;
  let pipeline = sharp(bytes, { failOn: 'truncated' }).rotate();
  if (profile.exact) {
    pipeline = pipeline.resize(profile.exact, profile.exact, { fit: 'fill' });
  } else {
    const longest = Math.max(originalWidth, originalHeight);
    let scale = 1;
    if (profile.maxSide && longest > profile.maxSide) scale = profile.maxSide / longest;
    if (profile.minSide && longest < profile.minSide) scale = Math.min(2, profile.minSide / longest);
    if (scale !== 1) {
      pipeline = pipeline.resize(Math.max(1, Math.round(originalWidth * scale)), Math.max(1, Math.round(originalHeight * scale)), {
        fit: 'fill',
      });
    }
  }
  try {
    if (profile.kind === 'png') {
      const { data, info } = await pipeline.removeAlpha().grayscale().png({ compressionLevel: 1 }).toBuffer({ resolveWithObject: true });
      return { kind: 'png', data, width: info.width, height: info.height, originalWidth, originalHeight };
    }
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { kind: 'rgb', data, width: info.width, height: info.height, originalWidth, originalHeight };
  } catch (err) {
    throw invalidFormat(err);
  }
}
