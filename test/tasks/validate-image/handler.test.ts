import 'aws-sdk-client-mock-jest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import sharp, { type Metadata } from 'sharp';
import { ImageValidationError, StaleEventError } from '../../../tasks/shared/errors';
import type { ImageRef, ValidationResult } from '../../../tasks/shared/types';
import { handler } from '../../../tasks/validate-image/handler';
import {
  BLUE,
  declaredBombPng,
  encodedAs,
  HTML,
  isNearColour,
  oversizedPng,
  PDF,
  RED,
  sidewaysJpeg,
  solidPng,
  SVG,
  TEXT,
  truncated,
  twelveMegapixelJpeg,
} from '../shared/generated-images';
import { awsError, BUCKET, ETAG, fixture, imageRef, putBody, s3Body, useEnv } from '../shared/image-task-helpers';

const s3Mock = mockClient(S3Client);

/** S3 holding `bytes` at the event's key (a fresh stream for every GetObject). */
function uploadHolds(bytes: Buffer, declaredLength = bytes.length): void {
  s3Mock.on(HeadObjectCommand).resolves({ ContentLength: declaredLength, ETag: `"${ETAG}"` });
  s3Mock.on(GetObjectCommand).callsFake(() => ({ Body: s3Body(bytes), ContentLength: declaredLength }));
  s3Mock.on(PutObjectCommand).resolves({});
}

function upload(key: string, overrides: Partial<ImageRef> = {}): { image: ImageRef } {
  return { image: imageRef({ key: `uploads/photos/${key}`, imageId: `${BUCKET}/uploads/photos/${key}`, ...overrides }) };
}

/** The normalized JPEG the handler wrote, decoded. */
async function normalizedCopy(): Promise<{ key: string; contentType?: string; bytes: Buffer; meta: Metadata }> {
  const calls = s3Mock.commandCalls(PutObjectCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0].args[0].input;
  const bytes = putBody(input);
  return { key: input.Key as string, contentType: input.ContentType, bytes, meta: await sharp(bytes).metadata() };
}

async function rejection(promise: Promise<unknown>): Promise<ImageValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageValidationError);
  return error as ImageValidationError;
}

beforeEach(() => {
  s3Mock.reset();
});

describe('Function: handler', () => {
  useEnv();

  describe('uploads Rekognition reads as they are', () => {
    it.each([
      ['rocket.jpg', 'jpeg', 640, 427],
      ['astronaut.png', 'png', 512, 512],
      ['page.png', 'png', 384, 191],
    ])('accepts %s as a %s of %ix%i without a copy', async (name, format, width, height) => {
      // Prepare
      const bytes = fixture(name);
      uploadHolds(bytes);

      // Act
      const result = await handler(upload(name));

      // Assess
      expect(result).toEqual<ValidationResult>({
        format: format as ValidationResult['format'],
        width,
        height,
        bytes: bytes.length,
        analysisObject: { bucket: BUCKET, key: `uploads/photos/${name}` },
        normalized: false,
        image: upload(name).image,
      });
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('reads the event version only: HeadObject and GetObject carry IfMatch and VersionId', async () => {
      // Prepare
      uploadHolds(fixture('rocket.jpg'));

      // Act
      await handler(upload('rocket.jpg', { versionId: 'v42' }));

      // Assess
      const pinned = { Bucket: BUCKET, Key: 'uploads/photos/rocket.jpg', IfMatch: `"${ETAG}"`, VersionId: 'v42' };
      expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, pinned);
      expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, pinned);
    });
  });

  describe('uploads that need a JPEG copy', () => {
    it.each([
      ['webp', 600, 400],
      ['tiff', 600, 400],
      ['avif', 200, 133],
    ] as const)('converts a %s to a JPEG that decodes', async (format, width, height) => {
      // Prepare
      const bytes = await encodedAs(format, width);
      uploadHolds(bytes);

      // Act
      const result = await handler(upload(`coffee.${format}`));

      // Assess
      const copy = await normalizedCopy();
      const key = `normalized/photos/coffee.${format}/${ETAG}.jpg`;
      expect(result).toEqual({
        format,
        width,
        height,
        bytes: bytes.length,
        analysisObject: { bucket: BUCKET, key },
        normalized: true,
        normalizedReason: `${format.toUpperCase()} is not a format Rekognition reads`,
        image: upload(`coffee.${format}`).image,
      });
      expect(copy).toMatchObject({ key, contentType: 'image/jpeg', meta: { format: 'jpeg', width, height } });
      await expect(sharp(copy.bytes, { failOn: 'truncated' }).stats()).resolves.toBeDefined();
    });

    it('takes the first frame of an animated GIF and enlarges it to 80 px on its short side', async () => {
      // Prepare: the 24-frame GIF fixture enlarged to 50x90 (its own 14x25 is TOO_SMALL, below).
      uploadHolds(await sharp(fixture('no_time_for_that_tiny.gif'), { animated: true }).resize(50, 90, { fit: 'fill' }).gif().toBuffer());

      // Act
      const result = await handler(upload('tiny.gif'));

      // Assess
      expect(result).toMatchObject({ format: 'gif', width: 50, height: 90, normalized: true });
      expect(result.normalizedReason).toBe(
        "GIF is not a format Rekognition reads; first of 24 frames; 50x90 px upscaled to 80x144 (Rekognition's minimum side is 80 px)",
      );
      const copy = await normalizedCopy();
      expect(copy.meta).toMatchObject({ format: 'jpeg', width: 80, height: 144 });
      expect(copy.meta.pages ?? 1).toBe(1);
    });

    it('turns an EXIF-rotated JPEG upright: sizes swapped, pixels rotated, orientation tag gone', async () => {
      // Prepare: stored 600x400 sideways (red left, blue right), orientation 6.
      uploadHolds(await sidewaysJpeg());

      // Act
      const result = await handler(upload('phone.jpg'));

      // Assess
      expect(result).toMatchObject({ format: 'jpeg', width: 400, height: 600, normalized: true });
      expect(result.normalizedReason).toBe('EXIF orientation 6 applied');
      const copy = await normalizedCopy();
      expect(copy.meta).toMatchObject({ width: 400, height: 600 });
      expect(copy.meta.orientation).toBeUndefined();
      expect(copy.meta.exif).toBeUndefined();
      const { data } = await sharp(copy.bytes).raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => ({
        r: data[(y * 400 + x) * 3],
        g: data[(y * 400 + x) * 3 + 1],
        b: data[(y * 400 + x) * 3 + 2],
      });
      expect(isNearColour(pixel(200, 50), RED)).toBe(true);
      expect(isNearColour(pixel(200, 550), BLUE)).toBe(true);
    });

    it('downscales a 12 MP photo to a 4096-px long edge', async () => {
      // Prepare
      uploadHolds(await twelveMegapixelJpeg());

      // Act
      const result = await handler(upload('big.jpg'));

      // Assess
      expect(result).toMatchObject({ format: 'jpeg', width: 4240, height: 2832, normalized: true });
      expect(result.normalizedReason).toBe('4240x2832 px downscaled to 4096x2736 (long edge at most 4096 px)');
      const copy = await normalizedCopy();
      expect(copy.meta).toMatchObject({ format: 'jpeg', width: 4096, height: 2736 });
    });

    it("copies a PNG over Rekognition's 15 MiB S3 limit to a smaller JPEG", async () => {
      // Prepare
      const bytes = await oversizedPng();
      uploadHolds(bytes);

      // Act
      const result = await handler(upload('noise.png'));

      // Assess
      expect(result).toMatchObject({ format: 'png', width: 2400, height: 2300, bytes: bytes.length, normalized: true });
      expect(result.normalizedReason).toBe(`${bytes.length} bytes is over Rekognition's 15728640-byte limit`);
      const copy = await normalizedCopy();
      expect(copy.bytes.length).toBeLessThan(15 * 1024 * 1024);
      expect(copy.meta).toMatchObject({ format: 'jpeg', width: 2400, height: 2300 });
    });
  });

  describe('rejections', () => {
    it('rejects an empty object as EMPTY without downloading it', async () => {
      // Prepare
      uploadHolds(Buffer.alloc(0));

      // Act
      const error = await rejection(handler(upload('empty.jpg')));

      // Assess
      expect(error.reason).toBe('EMPTY');
      expect(error.message).toBe('EMPTY: the uploaded object is empty (0 bytes)');
      expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    });

    it.each([
      ['a PDF', PDF, 'a PDF document'],
      ['text', TEXT, 'text'],
      ['an SVG', SVG, 'an SVG drawing (vector images are not supported)'],
      ['an HTML page', HTML, 'an HTML page'],
    ])('rejects %s named .jpg as UNSUPPORTED_FORMAT, whatever its name says', async (_name, bytes, described) => {
      // Prepare
      uploadHolds(bytes);

      // Act
      const error = await rejection(handler(upload('looks-like-a-photo.jpg')));

      // Assess
      expect(error.reason).toBe('UNSUPPORTED_FORMAT');
      expect(error.message).toBe(
        `UNSUPPORTED_FORMAT: the file looks like ${described}, not a JPEG, PNG, GIF, WebP, TIFF, AVIF or HEIF image`,
      );
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('rejects truncated.jpg as CORRUPT with a readable reason', async () => {
      // Prepare
      uploadHolds(fixture('truncated.jpg'));

      // Act
      const error = await rejection(handler(upload('truncated.jpg')));

      // Assess
      expect(error.reason).toBe('CORRUPT');
      expect(error.message).toMatch(/^CORRUPT: the JPEG data is damaged or incomplete and cannot be decoded \(premature end of JPEG image/);
      expect(error.message).not.toMatch(/VipsJpeg|\n/);
    });

    it.each([
      // PNG: the header survives, the pixel data is cut (caught by the full decode).
      ['png', () => encodedAs('png')],
      // JPEG: likewise, and libvips would otherwise pad the missing rows with grey.
      ['jpeg', () => encodedAs('jpeg')],
      // WebP: caught while rendering the JPEG copy.
      ['webp', () => encodedAs('webp')],
    ])('rejects a %s cut in half as CORRUPT', async (format, make) => {
      // Prepare
      uploadHolds(truncated(await make()));

      // Act
      const error = await rejection(handler(upload(`half.${format}`)));

      // Assess
      expect(error.reason).toBe('CORRUPT');
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('rejects a JPEG missing only its last tenth: the integrity check reads the data to the end', async () => {
      // Prepare: the last rows are the ones a shrink-on-load decode could be tempted to skip
      const whole = await encodedAs('jpeg');
      uploadHolds(Buffer.from(whole.subarray(0, Math.floor(whole.length * 0.9))));

      // Act
      const error = await rejection(handler(upload('nine-tenths.jpg')));

      // Assess
      expect(error.reason).toBe('CORRUPT');
    });

    it('rejects a PNG declaring 30000x30000 as DECOMPRESSION_BOMB without decoding it', async () => {
      // Prepare
      const bomb = await declaredBombPng();
      uploadHolds(bomb);
      const statsSpy = jest.spyOn(sharp.prototype, 'stats');
      const toBufferSpy = jest.spyOn(sharp.prototype, 'toBuffer');

      try {
        // Act
        const error = await rejection(handler(upload('bomb.png')));

        // Assess
        expect(bomb.length).toBeLessThan(100);
        expect(error.reason).toBe('DECOMPRESSION_BOMB');
        expect(error.message).toBe(
          'DECOMPRESSION_BOMB: the image declares 30000x30000 = 900,000,000 pixels, over the limit of 100,000,000 pixels ' +
            '(MAX_IMAGE_PIXELS); it was not decoded (that would take about 3.6 GB of memory)',
        );
        expect(statsSpy).not.toHaveBeenCalled();
        expect(toBufferSpy).not.toHaveBeenCalled();
      } finally {
        statsSpy.mockRestore();
        toBufferSpy.mockRestore();
      }
    });

    describe('with MAX_IMAGE_PIXELS=1000000', () => {
      useEnv({ MAX_IMAGE_PIXELS: '1000000' });

      it('rejects a genuine, valid 2000x2000 PNG as DECOMPRESSION_BOMB', async () => {
        // Prepare
        uploadHolds(await solidPng(2000, 2000));

        // Act
        const error = await rejection(handler(upload('solid.png')));

        // Assess
        expect(error.reason).toBe('DECOMPRESSION_BOMB');
        expect(error.message).toContain('2000x2000 = 4,000,000 pixels, over the limit of 1,000,000 pixels');
      });
    });

    describe('with MAX_IMAGE_BYTES=10000', () => {
      useEnv({ MAX_IMAGE_BYTES: '10000' });

      it('rejects an object over the limit as TOO_LARGE from HeadObject alone, without GetObject', async () => {
        // Prepare
        uploadHolds(fixture('astronaut.png'));

        // Act
        const error = await rejection(handler(upload('astronaut.png')));

        // Assess
        expect(error.reason).toBe('TOO_LARGE');
        expect(error.message).toMatch(/^TOO_LARGE: the upload is [\d,]+ bytes \([\d.]+ MiB\), over the limit of 10,000 bytes \(0\.0 MiB\)/);
        expect(s3Mock).toHaveReceivedCommandTimes(HeadObjectCommand, 1);
        expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
      });

      it('stops a download that grows past the limit though HeadObject said it was small', async () => {
        // Prepare: the object was replaced with a bigger one between HeadObject and GetObject (or lies).
        const bytes = fixture('astronaut.png');
        s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 5_000 });
        s3Mock.on(GetObjectCommand).callsFake(() => ({ Body: s3Body(bytes) }));

        // Act
        const error = await rejection(handler(upload('astronaut.png')));

        // Assess
        expect(error.reason).toBe('TOO_LARGE');
      });
    });

    it.each([
      ['a 1x1 PNG', () => solidPng(1, 1)],
      ['the 14x25 GIF fixture', async () => fixture('no_time_for_that_tiny.gif')],
    ])('rejects %s as TOO_SMALL instead of enlarging it to 80 px', async (_name, make) => {
      // Prepare
      uploadHolds(await make());

      // Act
      const error = await rejection(handler(upload('small.png')));

      // Assess
      expect(error.reason).toBe('TOO_SMALL');
      expect(error.message).toMatch(/below 40 px on a side/);
    });

    it('rejects a 2x3000 sliver as TOO_SMALL', async () => {
      // Prepare
      uploadHolds(await solidPng(2, 3000));

      // Act
      const error = await rejection(handler(upload('sliver.png')));

      // Assess
      expect(error.reason).toBe('TOO_SMALL');
    });
  });

  describe('S3 failures', () => {
    it('throws StaleEventError when the object was replaced (412 on HEAD, unnamed)', async () => {
      // Prepare
      s3Mock.on(HeadObjectCommand).rejects(awsError('Unknown', 412));

      // Act & Assess
      await expect(handler(upload('rocket.jpg'))).rejects.toBeInstanceOf(StaleEventError);
      expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    });

    it('rejects a missing object as NOT_FOUND (recorded FAILED), never as StaleEventError (a quiet success)', async () => {
      // Prepare
      s3Mock.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

      // Act
      const error = await rejection(handler(upload('rocket.jpg')));

      // Assess
      expect(error.reason).toBe('NOT_FOUND');
      expect(error.message).toContain(`s3://${BUCKET}/uploads/photos/rocket.jpg does not exist`);
      expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    });

    it('throws StaleEventError when the store ignores If-Match and returns another ETag', async () => {
      // Prepare: a store that ignores If-Match (s3rver did) answers HEAD with the current object whatever If-Match says
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 1000, ETag: '"0123456789abcdef0123456789abcdef"' });

      // Act & Assess
      await expect(handler(upload('rocket.jpg'))).rejects.toMatchObject({
        name: 'StaleEventError',
        message: expect.stringContaining('changed since the event'),
      });
      expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    });

    it('throws StaleEventError when the object changes between HeadObject and GetObject', async () => {
      // Prepare
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 1000 });
      s3Mock.on(GetObjectCommand).rejects(awsError('PreconditionFailed', 412));

      // Act & Assess
      await expect(handler(upload('rocket.jpg'))).rejects.toMatchObject({ name: 'StaleEventError' });
    });

    it.each([
      ['SlowDown', 503, 'S3.ThrottlingException'],
      ['InternalError', 500, 'S3.ServiceUnavailable'],
      ['AccessDenied', 403, 'S3.AccessDenied'],
    ])('renames %s (%i) from GetObject to %s', async (name, status, expected) => {
      // Prepare
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 1000 });
      s3Mock.on(GetObjectCommand).rejects(awsError(name, status));

      // Act & Assess
      await expect(handler(upload('rocket.jpg'))).rejects.toMatchObject({ name: expected });
    });

    it('renames a failed write of the normalized copy', async () => {
      // Prepare
      uploadHolds(await encodedAs('webp', 100));
      s3Mock.on(PutObjectCommand).rejects(awsError('SlowDown', 503));

      // Act & Assess
      await expect(handler(upload('coffee.webp'))).rejects.toMatchObject({ name: 'S3.ThrottlingException' });
    });
  });
});
