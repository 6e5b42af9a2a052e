import 'aws-sdk-client-mock-jest';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import sharp, { type Metadata } from 'sharp';
import { handler } from '../../../tasks/create-thumbnails/handler';
import type { AnalysisInput } from '../../../tasks/shared/types';
import { BLUE, isNearColour, RED, sidewaysJpeg } from '../shared/generated-images';
import { analysisInput, awsError, BUCKET, ETAG, fixture, putBody, s3Body, useEnv } from '../shared/image-task-helpers';

const s3Mock = mockClient(S3Client);

function analysisObjectHolds(bytes: Buffer): void {
  s3Mock.on(GetObjectCommand).callsFake(() => ({ Body: s3Body(bytes), ContentLength: bytes.length }));
  s3Mock.on(PutObjectCommand).resolves({});
}

function inputFor(name: string, overrides: Parameters<typeof analysisInput>[0] = {}): AnalysisInput {
  const key = `uploads/photos/${name}`;
  return analysisInput({
    image: { key, imageId: `${BUCKET}/${key}`, ...overrides.image },
    validation: { analysisObject: { bucket: BUCKET, key }, ...overrides.validation },
  });
}

/** Every thumbnail written, by key, decoded. */
async function written(): Promise<Map<string, { contentType?: string; bytes: Buffer; meta: Metadata }>> {
  const result = new Map();
  for (const call of s3Mock.commandCalls(PutObjectCommand)) {
    const input = call.args[0].input;
    const bytes = putBody(input);
    result.set(input.Key, { contentType: input.ContentType, bytes, meta: await sharp(bytes).metadata() });
  }
  return result;
}

beforeEach(() => {
  s3Mock.reset();
});

describe('Function: handler', () => {
  useEnv();

  it('writes the default sizes (128x128 cover, 512x512 inside) as metadata-free JPEGs', async () => {
    // Prepare: coffee.png is 600x400.
    analysisObjectHolds(fixture('coffee.png'));

    // Act
    const result = await handler(inputFor('coffee.png'));

    // Assess
    const prefix = `thumbnails/photos/coffee.png/${ETAG}`;
    expect(result).toEqual({
      branch: 'thumbnails',
      status: 'SUCCEEDED',
      durationMs: expect.any(Number),
      thumbnails: [
        { name: 'cover-128x128', key: `${prefix}/cover-128x128.jpg`, width: 128, height: 128, fit: 'cover', bytes: expect.any(Number) },
        { name: 'inside-512x512', key: `${prefix}/inside-512x512.jpg`, width: 512, height: 341, fit: 'inside', bytes: expect.any(Number) },
      ],
    });
    const files = await written();
    for (const thumbnail of result.thumbnails ?? []) {
      const file = files.get(thumbnail.key);
      expect(file).toBeDefined();
      expect(file?.contentType).toBe('image/jpeg');
      expect(file?.bytes.length).toBe(thumbnail.bytes);
      expect(file?.meta).toMatchObject({ format: 'jpeg', width: thumbnail.width, height: thumbnail.height });
      expect(file?.meta.exif).toBeUndefined();
      expect(file?.meta.icc).toBeUndefined();
    }
  });

  it('reads the upload pinned to the event version when it is the analysis object', async () => {
    // Prepare
    analysisObjectHolds(fixture('astronaut.png'));

    // Act
    await handler(inputFor('astronaut.png', { image: { versionId: 'v9' } }));

    // Assess
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: BUCKET,
      Key: 'uploads/photos/astronaut.png',
      IfMatch: `"${ETAG}"`,
      VersionId: 'v9',
    });
  });

  it('reads a normalized copy without a pin', async () => {
    // Prepare
    analysisObjectHolds(fixture('rocket.jpg'));
    const key = `normalized/photos/rocket.webp/${ETAG}.jpg`;

    // Act
    await handler(inputFor('rocket.webp', { validation: { normalized: true, analysisObject: { bucket: BUCKET, key } } }));

    // Assess
    const input = s3Mock.commandCalls(GetObjectCommand)[0].args[0].input;
    expect(input).toEqual({ Bucket: BUCKET, Key: key });
  });

  it('never enlarges an image smaller than an "inside" box, but fills a "cover" box', async () => {
    // Prepare: chelsea.png is 451x300.
    analysisObjectHolds(fixture('chelsea.png'));

    // Act
    const result = await handler(inputFor('chelsea.png'));

    // Assess
    expect(result.thumbnails?.map((t) => [t.name, t.width, t.height])).toEqual([
      ['cover-128x128', 128, 128],
      ['inside-512x512', 451, 300],
    ]);
  });

  it('turns an EXIF-rotated JPEG upright and drops the orientation tag', async () => {
    // Prepare: stored 600x400 sideways (red left, blue right) with orientation 6.
    analysisObjectHolds(await sidewaysJpeg());

    // Act
    const result = await handler(inputFor('phone.jpg'));

    // Assess: displayed 400x600 fits 512x512 as 341x512, red on top.
    const inside = result.thumbnails?.find((t) => t.fit === 'inside');
    expect(inside).toMatchObject({ width: 341, height: 512 });
    const file = (await written()).get(inside?.key as string);
    expect(file?.meta.orientation).toBeUndefined();
    const { data, info } = await sharp(file?.bytes).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => {
      const i = (y * info.width + x) * info.channels;
      return { r: data[i], g: data[i + 1], b: data[i + 2] };
    };
    expect(isNearColour(pixel(170, 40), RED)).toBe(true);
    expect(isNearColour(pixel(170, 470), BLUE)).toBe(true);
  });

  describe('with THUMBNAIL_SIZES=64x32:cover,300x300', () => {
    useEnv({ THUMBNAIL_SIZES: '64x32:cover,300x300' });

    it('renders the configured sizes', async () => {
      // Prepare
      analysisObjectHolds(fixture('motorcycle_left.png'));

      // Act
      const result = await handler(inputFor('motorcycle_left.png'));

      // Assess: 741x500 inside 300x300 → 300x202.
      expect(result.thumbnails?.map((t) => [t.name, t.fit, t.width, t.height])).toEqual([
        ['cover-64x32', 'cover', 64, 32],
        ['inside-300x300', 'inside', 300, 202],
      ]);
      expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
    });
  });

  it.each([
    ['SlowDown', 503, 'S3.ThrottlingException'],
    ['InternalError', 500, 'S3.ServiceUnavailable'],
  ])('renames a %s (%i) from PutObject to %s', async (name, status, expected) => {
    // Prepare
    analysisObjectHolds(fixture('astronaut.png'));
    s3Mock.on(PutObjectCommand).rejects(awsError(name, status));

    // Act & Assess
    await expect(handler(inputFor('astronaut.png'))).rejects.toMatchObject({ name: expected });
  });
});
