/** Identifies an upload from its first bytes (magic numbers), never from its name or Content-Type. */
import type { ImageFormat } from '../shared/types';

/** The image format of `bytes`, or undefined when it is not one picflow reads. */
export function detectFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  // Little-endian "II*\0", big-endian "MM\0*", and BigTIFF (43 instead of 42).
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return 'tiff';
  }
  const brands = ftypBrands(bytes);
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
  if (brands.some((b) => HEIF_BRANDS.has(b))) return 'heif';
  return undefined;
}

// AVIF is checked first: an AVIF file's major brand is often the generic HEIF `mif1`, with `avif`
// among its compatible brands.
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

/**
 * A readable guess at what a non-image upload is ("a PDF document", "text"), for the rejection message.
 * A guess only: the rejection stands whatever it says.
 */
export function describeContent(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'a PDF document';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive (or an Office document)';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'a gzip archive';
  if (ascii(bytes, 0, 2) === 'BM') return 'a BMP image (not supported: convert it to PNG or JPEG)';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'a Windows icon (ICO)';
  if (ascii(bytes, 0, 4) === '8BPS') return 'a Photoshop document (PSD)';
  if (startsWith(bytes, [0xff, 0x0a]) || ascii(bytes, 4, 8) === 'JXL \r\n\x87\n') return 'a JPEG XL image (not supported)';
  const brands = ftypBrands(bytes);
  if (brands.length > 0) return `an ISO media file (brand ${brands[0].trim() || '?'}), probably a video`;
  if (ascii(bytes, 0, 4) === 'RIFF') return `a RIFF file (${ascii(bytes, 8, 4).trim() || 'unknown kind'}), not WebP`;
  if (isMostlyText(bytes)) {
    const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
    if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) {
      return 'an SVG drawing (vector images are not supported)';
    }
    if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'an HTML page';
    if (head.startsWith('{') || head.startsWith('[')) return 'JSON text';
    return 'text';
  }
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised binary data (starts with ${hex})`;
}

/** The major and compatible brands of an ISO-BMFF file (`....ftyp<major><minor><compatible>*`). */
function ftypBrands(bytes: Uint8Array): string[] {
  if (bytes.length < 16 || ascii(bytes, 4, 4) !== 'ftyp') return [];
  const boxSize = readUInt32BE(bytes, 0);
  const end = Math.min(Math.max(boxSize, 16), bytes.length);
  const brands = [ascii(bytes, 8, 4)];
  // Bytes 12..16 are the minor version, then compatible brands, four bytes each.
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(bytes, offset, 4));
  return brands;
}

/** Printable UTF-8 (tabs and newlines allowed) in the first KB: enough to call it "text". */
function isMostlyText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 1024);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  }
  if (control > sample.length / 100) return false;
  try {
    // fatal: a byte sequence that is not UTF-8 throws (a cut-off final character is tolerated below).
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, Math.max(0, sample.length - 3)));
    return true;
  } catch {
    return false;
  }
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (bytes.length < offset + length) return '';
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function readUInt32BE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}
