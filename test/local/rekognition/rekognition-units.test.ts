// Model-free parts of the local Rekognition endpoint: fault configuration, image format checks,
// the response mappings (moderation taxonomy, text hierarchy, label hierarchy) and ANALYZER_NAME.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ANALYZER_NAME } from '../../../local/rekognition';
import { RekognitionError } from '../../../local/rekognition/errors';
import { FaultInjector, parseFaultConfig } from '../../../local/rekognition/faults';
import { detectImageFormat, resolveImageBytes } from '../../../local/rekognition/image-source';
import { buildDetectLabelsResponse, parseDetectLabelsParams } from '../../../local/rekognition/operations/detect-labels';
import {
  buildDetectModerationLabelsResponse,
  parseDetectModerationLabelsParams,
} from '../../../local/rekognition/operations/detect-moderation-labels';
import { buildDetectTextResponse, parseDetectTextParams } from '../../../local/rekognition/operations/detect-text';
import { parseDetectFacesParams } from '../../../local/rekognition/operations/detect-faces';

const IMAGES = path.join(__dirname, '..', '..', 'fixtures', 'images');
const ROOT = path.join(__dirname, '..', '..', '..');

describe('faults', () => {
  it('parses PICFLOW_FAULTS and throttles N times before letting calls through; reset re-arms', () => {
    // Prepare
    const faults = new FaultInjector(parseFaultConfig('{"DetectFaces":{"throttle":2},"DetectText":{"fail":"InternalServerError"}}'));
    const outcome = (op: 'DetectFaces' | 'DetectText' | 'DetectLabels'): string => {
      try {
        faults.check(op);
        return 'ok';
      } catch (err) {
        return (err as RekognitionError).name;
      }
    };

    // Act
    const faces = [outcome('DetectFaces'), outcome('DetectFaces'), outcome('DetectFaces')];
    const text = [outcome('DetectText'), outcome('DetectText')];
    const labels = outcome('DetectLabels');
    const stats = faults.stats();
    faults.reset();
    const afterReset = outcome('DetectFaces');

    // Assess
    expect(faces).toEqual(['ThrottlingException', 'ThrottlingException', 'ok']);
    expect(text).toEqual(['InternalServerError', 'InternalServerError']);
    expect(labels).toBe('ok');
    expect(stats).toEqual({
      DetectFaces: { calls: 3, throttled: 2, failed: 0 },
      DetectText: { calls: 2, throttled: 0, failed: 2 },
      DetectLabels: { calls: 1, throttled: 0, failed: 0 },
    });
    expect(afterReset).toBe('ThrottlingException');
  });

  it('refuses unknown operations and error names', () => {
    // Act / Assess
    expect(() => parseFaultConfig('{"RecognizeCelebrities":{"throttle":1}}')).toThrow(/unknown operation/);
    expect(() => parseFaultConfig('{"DetectFaces":{"fail":"Boom"}}')).toThrow(/error name/);
    expect(() => parseFaultConfig('{not json')).toThrow(/PICFLOW_FAULTS/);
    expect(parseFaultConfig(undefined)).toEqual({});
  });
});

describe('image source', () => {
  it('accepts JPEG and PNG by magic bytes only', () => {
    // Prepare
    const read = (n: string): Buffer => readFileSync(path.join(IMAGES, n));

    // Act / Assess
    expect(detectImageFormat(read('rocket.jpg'))).toBe('jpeg');
    expect(detectImageFormat(read('page.png'))).toBe('png');
    expect(detectImageFormat(read('no_time_for_that_tiny.gif'))).toBeUndefined();
  });

  it('enforces the 15 MB S3 limit and exactly one of Bytes / S3Object', async () => {
    // Prepare
    const big = Buffer.alloc(15 * 1024 * 1024 + 1);
    const reader = async (): Promise<Buffer> => big;

    // Act
    const tooLarge = await resolveImageBytes({ S3Object: { Bucket: 'b', Name: 'k' } }, reader).catch((e: Error) => e.name);
    const both = await resolveImageBytes({ Bytes: 'AAAA', S3Object: { Bucket: 'b', Name: 'k' } }, reader).catch((e: Error) => e.name);
    const missing = await resolveImageBytes(undefined, reader).catch((e: Error) => e.name);

    // Assess
    expect(tooLarge).toBe('ImageTooLargeException');
    expect(both).toBe('InvalidParameterException');
    expect(missing).toBe('InvalidParameterException');
  });
});

describe('operation mappings', () => {
  it('maps nsfwjs Porn above threshold to Explicit / Explicit Nudity, and ignores Sexy below 0.95', () => {
    // Prepare
    const params = parseDetectModerationLabelsParams({});

    // Act
    const porn = buildDetectModerationLabelsResponse({ Porn: 0.93, Sexy: 0.05, Neutral: 0.01, Drawing: 0.005, Hentai: 0.005 }, params);
    const football = buildDetectModerationLabelsResponse({ Porn: 0.01, Sexy: 0.89, Neutral: 0.1, Drawing: 0, Hentai: 0 }, params);

    // Assess
    expect(porn.ModerationLabels).toEqual([
      { Name: 'Explicit', ParentName: '', TaxonomyLevel: 1, Confidence: 93 },
      { Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2, Confidence: 93 },
    ]);
    expect(football.ModerationLabels).toEqual([]);
  });

  it('builds LINE then WORD detections with ParentId, dropping low-confidence noise', () => {
    // Prepare
    const params = parseDetectTextParams({});
    const word = (text: string, confidence: number, x: number) => ({
      text,
      confidence,
      box: [x, 0.1, 0.1, 0.05] as [number, number, number, number],
    });

    // Act
    const res = buildDetectTextResponse(
      [
        { text: 'Hello world', confidence: 90, box: [0, 0.1, 0.3, 0.05], words: [word('Hello', 95, 0), word('world', 85, 0.15)] },
        { text: 'Ee', confidence: 20, box: [0, 0.5, 0.1, 0.05], words: [word('Ee', 20, 0)] },
      ],
      params,
    );

    // Assess
    expect(res.TextDetections!.map((d) => [d.Type, d.Id, d.ParentId, d.DetectedText])).toEqual([
      ['LINE', 0, undefined, 'Hello world'],
      ['WORD', 1, 0, 'Hello'],
      ['WORD', 2, 0, 'world'],
    ]);
    expect(res.TextDetections![0]!.Confidence).toBe(90);
  });

  it('adds ancestors as labels without instances and calibrates confidence', () => {
    // Prepare
    const params = parseDetectLabelsParams({});

    // Act
    const res = buildDetectLabelsResponse([{ label: 'dog', score: 0.6, box: [0.1, 0.1, 0.5, 0.5] }], params);

    // Assess
    expect(res.Labels!.map((l) => [l.Name, l.Instances!.length])).toEqual([
      ['Animal', 0],
      ['Canine', 0],
      ['Dog', 1],
      ['Mammal', 0],
      ['Pet', 0],
    ]);
    expect(res.Labels!.find((l) => l.Name === 'Dog')!.Parents!.map((p) => p.Name)).toEqual(['Animal', 'Canine', 'Mammal', 'Pet']);
    expect(res.Labels![0]!.Confidence).toBeCloseTo(99, 0);
  });

  it('validates DetectFaces Attributes', () => {
    // Act / Assess
    expect(() => parseDetectFacesParams({ Attributes: ['EVERYTHING'] })).toThrow(RekognitionError);
    expect([...parseDetectFacesParams({ Attributes: ['SMILE'] }).attributes]).toEqual(['SMILE']);
    expect(parseDetectFacesParams({ Attributes: ['ALL'] }).attributes.has('EMOTIONS')).toBe(true);
    expect(parseDetectFacesParams({}).attributes.has('EMOTIONS')).toBe(false);
  });
});

describe('ANALYZER_NAME', () => {
  it('names the installed model packages and their versions', () => {
    // Prepare
    const version = (pkg: string): string =>
      (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

    // Act
    const expected =
      `picflow-local (human ${version('@vladmandic/human')}, ` + `nsfwjs ${version('nsfwjs')}, tesseract.js ${version('tesseract.js')})`;

    // Assess
    expect(ANALYZER_NAME).toBe(expected);
  });
});
