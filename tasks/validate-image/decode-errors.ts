/** Turns sharp/libvips decoder failures into readable ImageValidationErrors (CORRUPT, or UNSUPPORTED_FORMAT for undecodable codecs). */
import { ImageValidationError } from '../shared/errors';
import type { ImageFormat } from '../shared/types';

/**
 * libvips reports failures as several lines, each prefixed with the loader's name
 * ("Input buffer has corrupt header: VipsJpeg: premature end of JPEG image\nVipsJpeg: ...").
 * Keep the distinct messages without the prefixes, in order.
 */
export function readableDecoderMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const parts = raw
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^Input (buffer|file) has corrupt header:\s*/i, '')
        .replace(/^(?:[\w.-]+:\s+)+/, '')
        .trim(),
    )
    // "vips2png: unable to write to target" is the encoder giving up after the decoder failed: noise.
    .filter((line) => line.length > 0 && !/unable to write to target/i.test(line));
  return [...new Set(parts)].join('; ') || 'the decoder gave no reason';
}

/** A decoding failure as the rejection the pipeline records. */
export function corruptError(error: unknown, format: ImageFormat, compression?: string): ImageValidationError {
  if (error instanceof ImageValidationError) return error;
  const detail = readableDecoderMessage(error);
  // Prebuilt libvips carries an AV1 decoder only: an iPhone HEIC (HEVC inside HEIF) is a valid
  // image this pipeline cannot read, which is not the same as a damaged one.
  if (format === 'heif' && compression === 'hevc') {
    return new ImageValidationError(
      'UNSUPPORTED_FORMAT',
      `HEIC images compressed with HEVC cannot be decoded here (${detail}); upload a JPEG or PNG export instead`,
    );
  }
  return new ImageValidationError('CORRUPT', `the ${format.toUpperCase()} data is damaged or incomplete and cannot be decoded (${detail})`);
}
