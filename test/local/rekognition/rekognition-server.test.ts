// The local Rekognition endpoint end to end: a real server, real models (Human, CenterNet, nsfwjs, Tesseract)
// and the real @aws-sdk/client-rekognition. One server for the file (2 workers, models preloaded).
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  DetectTextCommand,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { startRekognitionServer, type RekognitionServer } from '../../../local/rekognition';
import { fixtureImage as image } from '../../support/fixture-images';
import { localRekognitionClient } from '../../support/rekognition-client';
import { signedHeaders } from '../support/signed-headers';

/** The error a call rejects with (fails the test if it resolves). */
async function errorOf(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

class NoSuchKey extends Error {
  override name = 'NoSuchKey';
}

const s3Objects = new Map<string, Buffer>([['photos/chelsea.png', image('chelsea.png')]]);
const s3Reads: string[] = [];

let server: RekognitionServer;
let rekognition: RekognitionClient;

beforeAll(async () => {
  server = await startRekognitionServer({
    workers: 2,
    preload: true,
    faults: {},
    readS3Object: async (bucket, key, version) => {
      s3Reads.push(`${bucket}/${key}@${version ?? ''}`);
      const body = s3Objects.get(key);
      if (bucket !== 'picflow-uploads' || !body) throw new NoSuchKey('The specified key does not exist.');
      return body;
    },
  });
  rekognition = localRekognitionClient(server);
}, 60_000);

afterAll(async () => {
  rekognition?.destroy();
  await server?.close();
});

afterEach(() => {
  server.faults.configure({});
});

describe('DetectFaces', () => {
  it('finds exactly one happy, smiling face on astronaut.png with ALL attributes', async () => {
    // Prepare
    const bytes = image('astronaut.png');

    // Act
    const res = await rekognition.send(new DetectFacesCommand({ Image: { Bytes: bytes }, Attributes: ['ALL'] }));

    // Assess
    expect(res.FaceDetails).toHaveLength(1);
    const face = res.FaceDetails![0]!;
    expect(face.Emotions![0]!.Type).toBe('HAPPY');
    expect(face.Emotions!.map((e) => e.Type).sort()).toEqual([
      'ANGRY',
      'CALM',
      'CONFUSED',
      'DISGUSTED',
      'FEAR',
      'HAPPY',
      'SAD',
      'SURPRISED',
    ]);
    expect(face.AgeRange!.Low).toBeLessThanOrEqual(face.AgeRange!.High!);
    expect(face.Smile).toEqual({ Value: true, Confidence: expect.any(Number) });
    expect(face.Gender!.Value).toMatch(/^(Male|Female)$/);
    expect(face.EyesOpen!.Value).toBe(true);
    expect(face.Confidence).toBeGreaterThan(80);
    const box = face.BoundingBox!;
    // The face is in the upper middle of the 512x512 photo.
    expect(box.Left! + box.Width! / 2).toBeGreaterThan(0.35);
    expect(box.Left! + box.Width! / 2).toBeLessThan(0.55);
    expect(box.Top!).toBeLessThan(0.3);
    const landmarks = new Map(face.Landmarks!.map((l) => [l.Type, l]));
    expect(landmarks.size).toBe(30);
    expect(landmarks.get('eyeLeft')!.X!).toBeLessThan(landmarks.get('eyeRight')!.X!);
    expect(landmarks.get('eyeLeft')!.Y!).toBeLessThan(landmarks.get('mouthLeft')!.Y!);
    expect(face.Pose).toEqual({ Roll: expect.any(Number), Yaw: expect.any(Number), Pitch: expect.any(Number) });
    expect(face.Quality!.Brightness).toBeGreaterThan(0);
  });

  it('returns only the default attributes when Attributes is not given', async () => {
    // Prepare
    const bytes = image('astronaut.png');

    // Act
    const res = await rekognition.send(new DetectFacesCommand({ Image: { Bytes: bytes } }));

    // Assess
    const face = res.FaceDetails![0]!;
    expect(Object.keys(face).sort()).toEqual(['BoundingBox', 'Confidence', 'Landmarks', 'Pose', 'Quality']);
  });

  it('finds no face on rocket.jpg (the low-score false face is filtered)', async () => {
    // Prepare
    const bytes = image('rocket.jpg');

    // Act
    const res = await rekognition.send(new DetectFacesCommand({ Image: { Bytes: bytes }, Attributes: ['ALL'] }));

    // Assess
    expect(res.FaceDetails).toEqual([]);
  });

  it('finds two faces on two astronauts side by side', async () => {
    // Prepare
    const astronaut = image('astronaut.png');
    const bytes = await sharp({ create: { width: 1024, height: 512, channels: 3, background: '#000' } })
      .composite([
        { input: astronaut, left: 0, top: 0 },
        { input: astronaut, left: 512, top: 0 },
      ])
      .png()
      .toBuffer();

    // Act
    const res = await rekognition.send(new DetectFacesCommand({ Image: { Bytes: bytes } }));

    // Assess
    expect(res.FaceDetails).toHaveLength(2);
    const centres = res.FaceDetails!.map((f) => f.BoundingBox!.Left! + f.BoundingBox!.Width! / 2).sort();
    expect(centres[0]).toBeLessThan(0.5);
    expect(centres[1]).toBeGreaterThan(0.5);
  });
});

describe('DetectLabels', () => {
  it('labels chelsea.png as a Cat with an instance box and animal parents', async () => {
    // Prepare
    const bytes = image('chelsea.png');

    // Act
    const res = await rekognition.send(new DetectLabelsCommand({ Image: { Bytes: bytes } }));

    // Assess
    const cat = res.Labels!.find((l) => l.Name === 'Cat');
    expect(cat).toBeDefined();
    expect(cat!.Confidence).toBeGreaterThanOrEqual(55);
    expect(cat!.Instances).toHaveLength(1);
    expect(cat!.Instances![0]!.BoundingBox!.Width).toBeGreaterThan(0.5);
    expect(cat!.Parents!.map((p) => p.Name)).toEqual(['Animal', 'Mammal', 'Pet']);
    expect(cat!.Categories).toEqual([{ Name: 'Animals and Pets' }]);
    expect(res.Labels!.map((l) => l.Name)).toEqual(expect.arrayContaining(['Animal', 'Mammal', 'Pet']));
    expect(res.Labels!.find((l) => l.Name === 'Dog')).toBeUndefined();
    expect(res.LabelModelVersion).toBe('3.0');
  });

  it('labels coffee.png with a Cup', async () => {
    // Prepare
    const bytes = image('coffee.png');

    // Act
    const res = await rekognition.send(new DetectLabelsCommand({ Image: { Bytes: bytes }, MaxLabels: 10 }));

    // Assess
    const cup = res.Labels!.find((l) => l.Name === 'Cup');
    expect(cup).toBeDefined();
    expect(cup!.Instances!.length).toBeGreaterThanOrEqual(1);
  });

  it('applies MinConfidence, MaxLabels and label filters', async () => {
    // Prepare
    const bytes = image('chelsea.png');

    // Act
    const none = await rekognition.send(new DetectLabelsCommand({ Image: { Bytes: bytes }, MinConfidence: 99.95 }));
    const one = await rekognition.send(new DetectLabelsCommand({ Image: { Bytes: bytes }, MaxLabels: 1 }));
    const onlyCats = await rekognition.send(
      new DetectLabelsCommand({ Image: { Bytes: bytes }, Settings: { GeneralLabels: { LabelInclusionFilters: ['Cat'] } } }),
    );

    // Assess
    expect(none.Labels).toEqual([]);
    expect(one.Labels).toHaveLength(1);
    expect(onlyCats.Labels!.map((l) => l.Name)).toEqual(['Cat']);
  });

  it('reads the image from S3Object through the injected reader', async () => {
    // Prepare
    s3Reads.length = 0;

    // Act
    const res = await rekognition.send(
      new DetectLabelsCommand({ Image: { S3Object: { Bucket: 'picflow-uploads', Name: 'photos/chelsea.png', Version: 'v1' } } }),
    );

    // Assess
    expect(s3Reads).toEqual(['picflow-uploads/photos/chelsea.png@v1']);
    expect(res.Labels!.map((l) => l.Name)).toContain('Cat');
  });
});

describe('DetectText', () => {
  it('reads lines and words of page.png with ids, parents and geometry', async () => {
    // Prepare
    const bytes = image('page.png');

    // Act
    const res = await rekognition.send(new DetectTextCommand({ Image: { Bytes: bytes } }));

    // Assess
    const lines = res.TextDetections!.filter((d) => d.Type === 'LINE');
    const words = res.TextDetections!.filter((d) => d.Type === 'WORD');
    const text = lines.map((l) => l.DetectedText).join('\n');
    expect(text).toContain('segmentation');
    expect(text).toContain('markers');
    expect(text).toMatch(/background/);
    expect(words.length).toBeGreaterThan(lines.length);
    const lineIds = new Set(lines.map((l) => l.Id));
    for (const w of words) expect(lineIds.has(w.ParentId)).toBe(true);
    expect(res.TextDetections!.map((d) => d.Id)).toEqual(res.TextDetections!.map((_, i) => i));
    const g = lines[0]!.Geometry!;
    expect(g.Polygon).toHaveLength(4);
    for (const v of [g.BoundingBox!.Left!, g.BoundingBox!.Top!, g.BoundingBox!.Width!, g.BoundingBox!.Height!]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('reports no text on a photo without any (texture noise is filtered)', async () => {
    // Prepare
    const bytes = image('chelsea.png');

    // Act
    const res = await rekognition.send(new DetectTextCommand({ Image: { Bytes: bytes } }));

    // Assess
    expect(res.TextDetections).toEqual([]);
    expect(res.TextModelVersion).toBe('3.0');
  });
});

describe('DetectModerationLabels', () => {
  it('finds nothing explicit on astronaut.png', async () => {
    // Prepare
    const bytes = image('astronaut.png');

    // Act
    const res = await rekognition.send(new DetectModerationLabelsCommand({ Image: { Bytes: bytes } }));

    // Assess
    expect(res.ModerationLabels!.filter((l) => /Explicit/.test(l.Name!))).toEqual([]);
    expect(res.ModerationModelVersion).toBe('7.0');
  });
});

describe('errors', () => {
  it('rejects a GIF with InvalidImageFormatException (HTTP 400)', async () => {
    // Prepare
    const bytes = image('no_time_for_that_tiny.gif');

    // Act
    const err = await errorOf(rekognition.send(new DetectLabelsCommand({ Image: { Bytes: bytes } })));

    // Assess
    expect(err.name).toBe('InvalidImageFormatException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('rejects a truncated JPEG with InvalidImageFormatException', async () => {
    // Prepare
    const bytes = image('truncated.jpg');

    // Act
    const err = await errorOf(rekognition.send(new DetectFacesCommand({ Image: { Bytes: bytes } })));

    // Assess
    expect(err.name).toBe('InvalidImageFormatException');
  });

  it('rejects more than 5 MB of Bytes with ImageTooLargeException', async () => {
    // Prepare: a PNG signature followed by 5.5 MB of filler.
    const bytes = Buffer.alloc(5.5 * 1024 * 1024, 7);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);

    // Act
    const err = await errorOf(rekognition.send(new DetectFacesCommand({ Image: { Bytes: bytes } })));

    // Assess
    expect(err.name).toBe('ImageTooLargeException');
  });

  it('rejects a missing S3 object with InvalidS3ObjectException', async () => {
    // Act
    const err = await errorOf(
      rekognition.send(new DetectFacesCommand({ Image: { S3Object: { Bucket: 'picflow-uploads', Name: 'nope.jpg' } } })),
    );

    // Assess
    expect(err.name).toBe('InvalidS3ObjectException');
    expect(err.message).toMatch(/NoSuchKey/);
  });

  it('rejects an out-of-range MinConfidence with InvalidParameterException', async () => {
    // Act
    const err = await errorOf(rekognition.send(new DetectLabelsCommand({ Image: { Bytes: image('coffee.png') }, MinConfidence: 150 })));

    // Assess
    expect(err.name).toBe('InvalidParameterException');
  });

  it('speaks AWS JSON 1.1 on the wire: x-amzn-ErrorType header and __type body, any well-formed signature accepted', async () => {
    // Act
    const res = await fetch(server.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'RekognitionService.DetectText',
        ...signedHeaders('rekognition'),
      },
      body: JSON.stringify({ Image: { Bytes: image('no_time_for_that_tiny.gif').toString('base64') } }),
    });
    const unknown = await fetch(server.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'RekognitionService.RecognizeCelebrities',
        ...signedHeaders('rekognition'),
      },
      body: '{}',
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidImageFormatException');
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await res.json()).toEqual({ __type: 'InvalidImageFormatException', message: expect.any(String) });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });
});

describe('fault injection', () => {
  it('throttles DetectFaces twice, then lets it through; counters per operation', async () => {
    // Prepare
    server.faults.configure({ DetectFaces: { throttle: 2 } });
    const call = () => rekognition.send(new DetectFacesCommand({ Image: { Bytes: image('rocket.jpg') } }));

    // Act
    const first = await errorOf(call());
    const second = await errorOf(call());
    const third = await call();

    // Assess
    expect(first.name).toBe('ThrottlingException');
    expect(first.$metadata?.httpStatusCode).toBe(500);
    expect(second.name).toBe('ThrottlingException');
    expect(third.FaceDetails).toEqual([]);
    expect(server.faults.stats().DetectFaces).toEqual({ calls: 3, throttled: 2, failed: 0 });
  });

  it('lets the SDK retry through injected throttles (default retry strategy)', async () => {
    // Prepare
    server.faults.configure({ DetectModerationLabels: { throttle: 2 } });
    const retrying = localRekognitionClient(server, 3);

    // Act
    const res = await retrying.send(new DetectModerationLabelsCommand({ Image: { Bytes: image('coffee.png') } }));
    retrying.destroy();

    // Assess
    expect(res.$metadata.attempts).toBe(3);
    expect(server.faults.stats().DetectModerationLabels?.throttled).toBe(2);
  });

  it('fails DetectText permanently with the configured error until reset', async () => {
    // Prepare
    server.faults.configure({ DetectText: { fail: 'InternalServerError' } });
    const call = () => rekognition.send(new DetectTextCommand({ Image: { Bytes: image('page.png') } }));

    // Act
    const first = await errorOf(call());
    const second = await errorOf(call());
    server.faults.configure({});
    const afterReset = await call();

    // Assess
    expect(first.name).toBe('InternalServerError');
    expect(second.name).toBe('InternalServerError');
    expect(afterReset.TextDetections!.length).toBeGreaterThan(0);
  });
});

describe('queue', () => {
  it('answers ThrottlingException when every worker is busy and the queue is full', async () => {
    // Prepare: one lazy worker, no queue: the first request occupies it (model load + inference).
    const small = await startRekognitionServer({ workers: 1, maxQueue: 0 });
    const client = localRekognitionClient(small);
    // Three different images: calls on the same image share one analysis (image-analyses.ts).
    const images = ['coffee.png', 'chelsea.png', 'rocket.jpg'].map(image);

    // Act
    const results = await Promise.allSettled(
      images.map((bytes) => client.send(new DetectModerationLabelsCommand({ Image: { Bytes: bytes } }))),
    );
    client.destroy();
    await small.close();

    // Assess
    const names = results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).name));
    expect(names.filter((n) => n === 'ok').length).toBeGreaterThanOrEqual(1);
    expect(names.filter((n) => n === 'ThrottlingException').length).toBeGreaterThanOrEqual(1);
    expect(small.stats().workers).toBe(0);
  });
});
