/**
 * Test inputs made with sharp at test time (nothing big is committed): other formats, an EXIF-rotated
 * JPEG, a 12 MP photo, decompression bombs, and non-images. Each call returns a new buffer.
 */
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { fixture } from './image-task-helpers';

/** coffee.png (600x400) re-encoded, smaller for the slow encoders (AVIF). */
export async function encodedAs(format: 'webp' | 'tiff' | 'avif' | 'jpeg' | 'png', width = 600): Promise<Buffer> {
  const image = sharp(fixture('coffee.png')).resize({ width });
  switch (format) {
    case 'webp':
      return image.webp().toBuffer();
    case 'tiff':
      return image.tiff().toBuffer();
    case 'avif':
      return image.avif({ effort: 0, quality: 50 }).toBuffer();
    case 'jpeg':
      return image.jpeg().toBuffer();
    case 'png':
      return image.png().toBuffer();
  }
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export const RED: Rgb = { r: 255, g: 0, b: 0 };
export const BLUE: Rgb = { r: 0, g: 0, b: 255 };

/** JPEG colours drift a little: "near" is within 40 on every channel. */
export function isNearColour(actual: Rgb, expected: Rgb): boolean {
  return Math.abs(actual.r - expected.r) < 40 && Math.abs(actual.g - expected.g) < 40 && Math.abs(actual.b - expected.b) < 40;
}

/**
 * A 600x400 JPEG stored sideways: left half red, right half blue, with EXIF orientation 6 ("rotate
 * 90° clockwise to display"). Displayed upright it is 400x600, red on top and blue below.
 */
export async function sidewaysJpeg(): Promise<Buffer> {
  const half = (colour: Rgb) =>
    sharp({ create: { width: 300, height: 400, channels: 3, background: colour } })
      .png()
      .toBuffer();
  const canvas = sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 0, g: 0, b: 0 } } });
  return canvas
    .composite([
      { input: await half(RED), left: 0, top: 0 },
      { input: await half(BLUE), left: 300, top: 0 },
    ])
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A 12 MP (4240x2832) JPEG photo, upscaled from coffee.png. */
export function twelveMegapixelJpeg(): Promise<Buffer> {
  return sharp(fixture('coffee.png')).resize(4240, 2832, { fit: 'fill' }).jpeg({ quality: 80 }).toBuffer();
}

/** A solid-colour PNG, a few KB even when large: zlib squeezes identical rows to almost nothing. */
export function solidPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/**
 * A 90-byte PNG whose header declares 30000x30000 (900 MP). Its pixel data is that of a 1x1 image:
 * anything that tried to decode it would fail as CORRUPT, so a DECOMPRESSION_BOMB verdict proves the
 * check ran on the header alone. (Encoding a genuine 900 MP PNG takes sharp several seconds.)
 */
export async function declaredBombPng(side = 30_000): Promise<Buffer> {
  const png = Buffer.from(await solidPng(1, 1));
  // IHDR: length (8..11), type (12..15), width (16..19), height (20..23), ..., CRC over type+data (29..32).
  png.writeUInt32BE(side, 16);
  png.writeUInt32BE(side, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

/** A PNG over Rekognition's 15 MiB: uncompressed noise, 2400x2300x3 ≈ 16.6 MB. */
export function oversizedPng(): Promise<Buffer> {
  const width = 2400;
  const height = 2300;
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 42;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    pixels[i] = seed >> 16;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** The first half of a file: a download cut short. */
export function truncated(buffer: Buffer): Buffer {
  return Buffer.from(buffer.subarray(0, Math.floor(buffer.length / 2)));
}

export const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n', 'latin1');
export const TEXT = Buffer.from('Dear picflow,\nthis is not an image.\n', 'utf8');
export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
export const HTML = Buffer.from('<!DOCTYPE html><html><body>hello</body></html>');
export const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]);
export const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42\0\0\0\0mp42isom', 'latin1')]);
export const BMP = Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(52)]);
export const RANDOM_BYTES = Buffer.from([0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]);
