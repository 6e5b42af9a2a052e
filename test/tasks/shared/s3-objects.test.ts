import 'aws-sdk-client-mock-jest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ImageValidationError, StaleEventError } from '../../../tasks/shared/errors';
import {
  analysisKey,
  bareEtag,
  headObject,
  keyWithoutUploadPrefix,
  normalizedKey,
  ObjectTooLargeError,
  pinFor,
  putImage,
  putJson,
  readObject,
  s3Uri,
  MAX_S3_KEY_BYTES,
  thumbnailKey,
} from '../../../tasks/shared/s3-objects';
import { longKey } from '../../support/awkward-keys';
import { awsError, BUCKET, ETAG, imageRef, putBody, s3Body } from './image-task-helpers';

const s3Mock = mockClient(S3Client);
// The helpers take their client (the task's); the mock answers for every S3Client.
const s3 = new S3Client({});
const PREFIXES = { uploadPrefix: 'uploads/', normalizedPrefix: 'normalized/', thumbnailPrefix: 'thumbnails/', analysisPrefix: 'analysis/' };

beforeEach(() => {
  s3Mock.reset();
});

describe('Function: derived keys', () => {
  it.each([
    ['uploads/a/b.png', 'uploads/', 'a/b.png'],
    ['uploads/b.png', 'uploads/', 'b.png'],
    ['elsewhere/b.png', 'uploads/', 'elsewhere/b.png'],
    ['b.png', '', 'b.png'],
  ])('strips the upload prefix from %s (prefix %s)', (key, prefix, expected) => {
    // Act & Assess
    expect(keyWithoutUploadPrefix(key, prefix)).toBe(expected);
  });

  it('names the normalized copy, thumbnails and analysis files after the key and the ETag', () => {
    // Prepare
    const image = imageRef({ key: 'uploads/photos/cat picture.webp', etag: `"${ETAG}"` });

    // Act & Assess
    expect(normalizedKey(image, PREFIXES)).toBe(`normalized/photos/cat picture.webp/${ETAG}.jpg`);
    expect(thumbnailKey(image, 'cover-128x128', PREFIXES)).toBe(`thumbnails/photos/cat picture.webp/${ETAG}/cover-128x128.jpg`);
    expect(analysisKey(image, 'faces.json', PREFIXES)).toBe(`analysis/photos/cat picture.webp/${ETAG}/faces.json`);
  });

  it("keeps the outputs of a 1,000-byte key within S3's 1,024 bytes, in one folder per key", () => {
    // Prepare: two keys that differ only at their very end
    const key = `uploads/${longKey('uploads/')}`;
    const image = imageRef({ key, etag: `${ETAG}-12` });
    const sibling = imageRef({ key: key.replace(/\.jpg$/, '.png'), etag: `${ETAG}-12` });

    // Act
    const keys = [
      normalizedKey(image, PREFIXES),
      thumbnailKey(image, 'cover-128x128', PREFIXES),
      thumbnailKey(image, 'inside-512x512', PREFIXES),
      analysisKey(image, 'moderation.json', PREFIXES),
    ];
    const folder = (derived: string) => derived.slice(0, derived.lastIndexOf(`/${ETAG}`));

    // Assess
    for (const derived of keys) expect(Buffer.byteLength(derived)).toBeLessThanOrEqual(MAX_S3_KEY_BYTES);
    expect(folder(keys[1])).toBe(folder(keys[2]));
    expect(folder(keys[1])).toMatch(/~[0-9a-f]{16}$/);
    expect(thumbnailKey(sibling, 'cover-128x128', PREFIXES)).not.toBe(keys[1]);
  });

  it.each([
    ['"abc"', 'abc'],
    ['abc', 'abc'],
    ['W/"abc-2"', 'abc-2'],
  ])('bares the ETag %s', (etag, expected) => {
    expect(bareEtag(etag)).toBe(expected);
  });

  it('writes s3:// URIs', () => {
    // Act
    const uri = s3Uri({ bucket: BUCKET, key: 'analysis/a/b.json' });

    // Assess
    expect(uri).toBe(`s3://${BUCKET}/analysis/a/b.json`);
  });

  it('pins only the upload itself', () => {
    // Prepare
    const image = imageRef({ versionId: 'v1' });

    // Act & Assess
    expect(pinFor({ bucket: image.bucket, key: image.key }, image)).toEqual({ etag: ETAG, versionId: 'v1' });
    expect(pinFor({ bucket: image.bucket, key: 'normalized/x.jpg' }, image)).toBeUndefined();
  });
});

describe('Function: readObject', () => {
  const location = { bucket: BUCKET, key: 'uploads/a.bin' };

  it('reads the whole object, pinned with a quoted IfMatch and the VersionId', async () => {
    // Prepare
    const bytes = Buffer.from('0123456789');
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(bytes), ContentLength: bytes.length });

    // Act
    const result = await readObject(s3, location, { maxBytes: 100, pin: { etag: ETAG, versionId: 'v7' } });

    // Assess
    expect(result.equals(bytes)).toBe(true);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: BUCKET,
      Key: 'uploads/a.bin',
      IfMatch: `"${ETAG}"`,
      VersionId: 'v7',
    });
  });

  it('refuses an object whose declared length is over the cap', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(Buffer.alloc(10)), ContentLength: 1_000 });

    // Act & Assess
    await expect(readObject(s3, location, { maxBytes: 100 })).rejects.toBeInstanceOf(ObjectTooLargeError);
  });

  it('stops reading a stream that turns out longer than its declared length', async () => {
    // Prepare: the length header says 50, the stream has 500.
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(Buffer.alloc(500)), ContentLength: 50 });

    // Act & Assess
    await expect(readObject(s3, location, { maxBytes: 100 })).rejects.toMatchObject({ name: 'ObjectTooLargeError', bytes: 500 });
  });

  it('raises StaleEventError when a pinned read fails with PreconditionFailed (another ETag now)', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(awsError('PreconditionFailed', 412));

    // Act & Assess
    await expect(readObject(s3, location, { maxBytes: 100, pin: { etag: ETAG } })).rejects.toBeInstanceOf(StaleEventError);
  });

  it.each([
    ['NoSuchKey', 404],
    ['NoSuchVersion', 404],
  ])('raises ImageValidationError NOT_FOUND, never StaleEventError, when a pinned read fails with %s', async (name, status) => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(awsError(name, status));

    // Act & Assess
    await expect(readObject(s3, location, { maxBytes: 100, pin: { etag: ETAG } })).rejects.toMatchObject({
      name: 'ImageValidationError',
      reason: 'NOT_FOUND',
      message: expect.stringContaining(`s3://${BUCKET}/${location.key} does not exist`),
    });
  });

  it('keeps a 404 of an unpinned read a plain S3 error', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));

    // Act & Assess
    await expect(readObject(s3, location, { maxBytes: 100 })).rejects.toMatchObject({ name: 'S3.NoSuchKey' });
  });

  it.each([
    ['SlowDown', 503, 'S3.ThrottlingException'],
    ['InternalError', 500, 'S3.ServiceUnavailable'],
    ['AccessDenied', 403, 'S3.AccessDenied'],
  ])('renames %s for the state machine', async (name, status, expected) => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(awsError(name, status));

    // Act & Assess
    await expect(readObject(s3, location, { maxBytes: 100, pin: { etag: ETAG } })).rejects.toMatchObject({ name: expected });
  });
});

describe('Function: headObject', () => {
  const location = { bucket: BUCKET, key: 'uploads/a.png' };

  it('raises StaleEventError for a 412 on a pinned object', async () => {
    // Prepare: a HEAD response has no body, so the SDK cannot name a 412: it arrives as "Unknown".
    s3Mock.on(HeadObjectCommand).rejects(awsError('Unknown', 412));

    // Act & Assess
    await expect(headObject(s3, location, { etag: ETAG })).rejects.toThrow(StaleEventError);
  });

  it('raises ImageValidationError NOT_FOUND for a 404 on a pinned object: a missing object is no newer upload', async () => {
    // Prepare
    s3Mock.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

    // Act
    const error = await headObject(s3, location, { etag: ETAG }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ImageValidationError);
    expect(error).toMatchObject({ reason: 'NOT_FOUND' });
  });

  it('does not call a missing bucket stale', async () => {
    // Prepare
    s3Mock.on(HeadObjectCommand).rejects(awsError('NoSuchBucket', 404));

    // Act & Assess
    await expect(headObject(s3, location, { etag: ETAG })).rejects.toMatchObject({ name: 'S3.NoSuchBucket' });
  });
});

describe('Function: putJson and putImage', () => {
  it('writes compact JSON with its content type', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});

    // Act
    await putJson(s3, { bucket: BUCKET, key: 'analysis/x.json' }, { a: [1, 2] });

    // Assess
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: 'analysis/x.json', ContentType: 'application/json' });
    expect(putBody(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toString()).toBe('{"a":[1,2]}');
  });

  it('writes images as image/jpeg by default, renaming failures', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).rejectsOnce(awsError('SlowDown', 503)).resolves({});

    // Act & Assess
    await expect(putImage(s3, { bucket: BUCKET, key: 'thumbnails/x.jpg' }, Buffer.from([1]))).rejects.toMatchObject({
      name: 'S3.ThrottlingException',
    });
    await putImage(s3, { bucket: BUCKET, key: 'thumbnails/x.jpg' }, Buffer.from([1]));
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { ContentType: 'image/jpeg' });
  });
});
