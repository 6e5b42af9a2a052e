/**
 * `npx tsx bench/analyzer-steps.ts`: where the local analyzer's CPU goes on an everyday photo. Runs each step of
 * analyzer v2 (decode, each resize, each model, the image properties, the gated OCR) in this process on the
 * everyday photos of bench/everyday.ts, once to warm up and once measured, and prints CPU-seconds per photo and
 * step (process.cpuUsage: tesseract's own thread included). The models only: the stack around them (S3, the
 * engine, DynamoDB, thumbnails) is the difference to `npm run bench:everyday`'s CPU-s per image.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeOriented, profileSize, resizeRgb, rgbForOperation } from '../local/rekognition/image-source';
import { imageProperties, MAX_DOMINANT_COLORS } from '../local/rekognition/image-properties';
import { ObjectModel } from '../local/rekognition/models/centernet-objects';
import { FaceModel } from '../local/rekognition/models/human-faces';
import { NsfwModel } from '../local/rekognition/models/nsfw-classifier';
import { OcrModel } from '../local/rekognition/models/tesseract-ocr';
import { regionQuality } from '../local/rekognition/pixel-stats';
import { readText } from '../local/rekognition/text-analysis';
import { EVERYDAY } from './everyday';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures');

/** CPU-seconds per step name, summed over the photos. */
type Totals = Map<string, number>;

async function step<T>(totals: Totals, name: string, work: () => Promise<T> | T): Promise<T> {
  const before = process.cpuUsage();
  const result = await work();
  const spent = process.cpuUsage(before);
  totals.set(name, (totals.get(name) ?? 0) + (spent.user + spent.system) / 1e6);
  return result;
}

async function main(): Promise<void> {
  const faces = new FaceModel();
  const objects = new ObjectModel();
  // The first CenterNet pass alone: `objects` minus this is the zoomed-out second pass.
  const objectsOnePass = new ObjectModel({ zoomOutBelow: 0 });
  const nsfw = new NsfwModel();
  const ocr = new OcrModel();
  await Promise.all([faces.load(), objects.load(), objectsOnePass.load(), nsfw.load(), ocr.load()]);
  // As the bench uploads them: JPEG quality 90 at their own size.
  const photos = await Promise.all(
    EVERYDAY.map((file) => sharp(join(FIXTURES, file)).removeAlpha().toColourspace('srgb').jpeg({ quality: 90 }).toBuffer()),
  );
  let totals: Totals = new Map();
  const gates: string[] = [];
  for (const pass of ['warm-up', 'measured']) {
    totals = new Map();
    gates.length = 0;
    for (const bytes of photos) {
      const pixels = await step(totals, 'decode', () => decodeOriented(bytes));
      const faceInput = await step(totals, 'resize for faces', () => rgbForOperation('DetectFaces', pixels));
      await step(totals, 'faces (Human)', () => faces.detect(faceInput.data, faceInput.width, faceInput.height));
      const objectInput = await step(totals, 'resize for objects', () => rgbForOperation('DetectLabels', pixels));
      const { data, width, height } = objectInput;
      await step(totals, 'objects, first pass only', () => objectsOnePass.detect(data, width, height));
      await step(totals, 'objects (CenterNet)', () => objects.detect(data, width, height));
      await step(totals, 'image properties', () => {
        regionQuality(data, width, height, [0, 0, 1, 1]);
        return imageProperties(data, width, height, MAX_DOMINANT_COLORS);
      });
      const nsfwInput = await step(totals, 'resize for moderation', () => rgbForOperation('DetectModerationLabels', pixels));
      await step(totals, 'moderation (nsfwjs)', () => nsfw.classify(nsfwInput.data, nsfwInput.width, nsfwInput.height));
      const target = profileSize('DetectText', pixels.width, pixels.height);
      const text = await step(totals, 'text (gated OCR)', async () =>
        readText(ocr, target.width < pixels.width ? await resizeRgb(pixels, target) : pixels, target, true),
      );
      gates.push(text.gate);
    }
    if (pass === 'measured') break;
  }
  const n = photos.length;
  const lines = [`${n} everyday photos, CPU-s per photo (warm):`, ''];
  let sum = 0;
  for (const [name, seconds] of totals) {
    if (name !== 'objects, first pass only') sum += seconds;
    lines.push(`${name.padEnd(26)} ${(seconds / n).toFixed(3)}`);
  }
  lines.push(`${'analyzer total'.padEnd(26)} ${(sum / n).toFixed(3)}`, '');
  lines.push(`zoomed-out CenterNet passes: ${objects.zoomedOut / 2} of ${n}; OCR gate: ${gates.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  await ocr.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
