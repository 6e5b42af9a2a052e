// The OCR gate (local/rekognition/text-analysis.ts) against the ungated OCR, with the real Tesseract model:
// on every text fixture DetectText reports the same with and without the gate; photos without text skip the enlarged pass.
import sharp from 'sharp';
import { decodeOriented, profileSize, resizeRgb, type RgbImage } from '../../../local/rekognition/image-source';
import { OcrModel } from '../../../local/rekognition/models/tesseract-ocr';
import { buildDetectTextResponse, parseDetectTextParams } from '../../../local/rekognition/operations/detect-text';
import { readText } from '../../../local/rekognition/text-analysis';
import { fixture, PHOTOS_WITHOUT_TEXT, TEXT_FIXTURES } from './text-fixtures';

const ocr = new OcrModel();

afterAll(async () => {
  await ocr.close();
});

/** The image as the shared analyses hand it to the text analysis: decoded once, at most DetectText's size. */
async function textInput(bytes: Buffer): Promise<{ image: RgbImage; target: { width: number; height: number } }> {
  const pixels = await decodeOriented(bytes);
  const target = profileSize('DetectText', pixels.width, pixels.height);
  return { image: target.width < pixels.width ? await resizeRgb(pixels, target) : pixels, target };
}

describe('OCR gate', () => {
  it.each(Object.keys(TEXT_FIXTURES))(
    'reports every line the ungated OCR reports on %s',
    async (name) => {
      // Prepare
      const { image, target } = await textInput(await TEXT_FIXTURES[name]!());

      // Act
      const ungated = await readText(ocr, image, target, false);
      const gated = await readText(ocr, image, target, true);

      // Assess: DetectText reports the same (tesseract's texture noise, never reported, may differ)
      const params = parseDetectTextParams({});
      expect(buildDetectTextResponse(gated.lines, params)).toEqual(buildDetectTextResponse(ungated.lines, params));
      expect(ungated.gate).toBe('direct');
    },
    120_000,
  );

  it.each(Object.keys(TEXT_FIXTURES))(
    'reads the same lines on %s as tesseract reads from a PNG of the same grey pixels',
    async (name) => {
      // Prepare: the grey image at DetectText's size, as a PNG (what the analyzer handed tesseract before)
      const { image, target } = await textInput(await TEXT_FIXTURES[name]!());
      const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(target.width, target.height, { fit: 'fill' })
        .grayscale()
        .png()
        .toBuffer();

      // Act
      const fromPng = await ocr.recognize(png, target.width, target.height);
      const analysed = await readText(ocr, image, target, false);

      // Assess: the same lines, words, boxes and confidences
      expect(analysed.lines).toEqual(fromPng);
    },
    120_000,
  );

  it('reads text on the rendered fixtures at all (the fixtures are valid)', async () => {
    // Prepare
    // Tesseract reads none of the handwriting, gated or not.
    const names = Object.keys(TEXT_FIXTURES).filter((n) => !n.startsWith('everyday/text.png'));

    // Act
    const lineCounts = await Promise.all(
      names.map(async (name) => {
        const { image, target } = await textInput(await TEXT_FIXTURES[name]!());
        const { lines } = await readText(ocr, image, target, true);
        return [
          name,
          buildDetectTextResponse(lines, parseDetectTextParams({})).TextDetections!.filter((d) => d.Type === 'LINE').length,
        ] as const;
      }),
    );

    // Assess
    for (const [name, count] of lineCounts) expect({ name, found: count > 0 }).toEqual({ name, found: true });
  }, 120_000);

  it.each(PHOTOS_WITHOUT_TEXT)(
    'skips the enlarged OCR pass on %s, a photo without text',
    async (file) => {
      // Prepare
      const { image, target } = await textInput(fixture(file));

      // Act
      const gated = await readText(ocr, image, target, true);

      // Assess
      expect(gated).toEqual({ lines: [], gate: 'skipped' });
    },
    60_000,
  );
});
