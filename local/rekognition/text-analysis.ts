/**
 * OCR only where there may be text: a cheap page-layout look decides whether the full OCR pass runs at all
 * (runs in an analyzer worker).
 *
 * Tesseract reads small print better enlarged, so DetectText's profile enlarges images whose longest side is
 * under ~1600 px up to 2x; on a photo that OCR pass costs 1-2 s and reads only texture noise (which
 * detect-text.ts then filters out). On those same enlarged pixels, page-layout analysis alone (PSM AUTO, which
 * sets image regions aside, no recognition) finds no text line at all on such photos, in 80-400 ms, while on every
 * text fixture it finds at least one (test/local/rekognition/text-gate.test.ts holds both; a look at the image's own
 * size or 1.5x was tried and misses a 14 px caption). So: no line → no text, skip OCR; any line → run exactly the
 * ungated pass on the same pixels, so the result is the ungated one.
 */
import sharp from 'sharp';
import type { RgbImage } from './image-source';
import type { OcrLine, OcrModel } from './models/tesseract-ocr';

/** What the gate decided: `direct` = no enlargement was due (one pass, as ungated), `skipped`, `enlarged`. */
export type OcrGateDecision = 'direct' | 'skipped' | 'enlarged';

export interface TextAnalysis {
  lines: OcrLine[];
  gate: OcrGateDecision;
}

/**
 * The grey image as binary PGM: tesseract reads it with the same pixels as a PNG (same lines, boxes and
 * confidences on every text fixture) without the deflate on our side and the inflate on its side.
 */
async function grayPgm(image: RgbImage, width: number, height: number): Promise<Buffer> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (width !== image.width || height !== image.height) pipeline = pipeline.resize(width, height, { fit: 'fill' });
  const gray = await pipeline.grayscale().raw().toBuffer();
  return Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`), gray]);
}

/**
 * Lines of text of `image` read at `target` size (DetectText's profile size). With `gate` (the default
 * path), an enlargement is only paid for when a pass at the image's own size found a text line.
 */
export async function readText(
  ocr: OcrModel,
  image: RgbImage,
  target: { width: number; height: number },
  gate: boolean,
): Promise<TextAnalysis> {
  const enlarges = target.width > image.width || target.height > image.height;
  if (gate && enlarges) {
    const pgm = await grayPgm(image, target.width, target.height);
    const laidOut = await ocr.recognize(pgm, target.width, target.height, true);
    if (laidOut.length === 0) return { lines: [], gate: 'skipped' };
    return { lines: await ocr.recognize(pgm, target.width, target.height), gate: 'enlarged' };
  }
  const lines = await ocr.recognize(await grayPgm(image, target.width, target.height), target.width, target.height);
  return { lines, gate: gate && enlarges ? 'enlarged' : 'direct' };
}
