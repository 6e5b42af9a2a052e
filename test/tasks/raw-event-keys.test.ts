// The AWS runtime with awkward keys: the event exactly as EventBridge delivers it (key RAW), through
// the real task code, against a mocked S3 that holds objects under exact keys. Every S3 call must
// name the uploaded key byte for byte; a key that was decoded on the way would find nothing.
import 'aws-sdk-client-mock-jest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as claimImage } from '../../tasks/claim-image/handler';
import { handler as createThumbnails } from '../../tasks/create-thumbnails/handler';
import { ImageValidationError } from '../../tasks/shared/errors';
import { rekognitionImage } from '../../tasks/shared/rekognition';
import { MAX_S3_KEY_BYTES } from '../../tasks/shared/s3-objects';
import type { ExecutionInput, ValidationResult } from '../../tasks/shared/types';
import { handler as validateImage } from '../../tasks/validate-image/handler';
import { AWKWARD_KEYS } from '../support/awkward-keys';
import { objectCreatedEvent } from '../support/events';
import { awsError, fixture, putBody, s3Body, useEnv } from './shared/image-task-helpers';

const s3Mock = mockClient(S3Client);
const ddb = mockClient(DynamoDBDocumentClient);
const BUCKET = 'picflow-images';
const ETAG = '0f343b0931126a20f133d67c2b018a3b';
const OTHER_ETAG = 'aaaabbbbccccddddeeeeffff00001111';

/** A bucket as S3 keeps it: exact keys, If-Match honoured, 404 for anything else. */
function bucketHolds(objects: Record<string, { bytes: Buffer; etag: string }>): void {
  const find = (key: string | undefined, ifMatch: string | undefined) => {
    const object = key === undefined ? undefined : objects[key];
    if (!object) throw awsError('NotFound', 404);
    if (ifMatch !== undefined && ifMatch !== `"${object.etag}"`) throw awsError('Unknown', 412);
    return object;
  };
  s3Mock.on(HeadObjectCommand).callsFake((input: { Key?: string; IfMatch?: string }) => {
    const object = find(input.Key, input.IfMatch);
    return { ContentLength: object.bytes.length, ETag: `"${object.etag}"` };
  });
  s3Mock.on(GetObjectCommand).callsFake((input: { Key?: string; IfMatch?: string }) => {
    const object = find(input.Key, input.IfMatch);
    return { Body: s3Body(object.bytes), ContentLength: object.bytes.length, ETag: `"${object.etag}"` };
  });
  s3Mock.on(PutObjectCommand).callsFake((input) => {
    if (Buffer.byteLength(input.Key as string) > MAX_S3_KEY_BYTES) throw awsError('KeyTooLongError', 400);
    objects[input.Key as string] = { bytes: putBody(input), etag: OTHER_ETAG };
    return {};
  });
}

/** The execution input as the definition's first state builds it from the EventBridge event. */
function executionInput(key: string): ExecutionInput {
  return {
    event: objectCreatedEvent({ bucket: BUCKET, key, etag: ETAG, size: fixture('rocket.jpg').length }),
    executionId: 'arn:aws:states:us-east-1:123456789012:execution:picflow:raw-keys',
    startedAt: '2026-11-23T18:00:01.000Z',
  };
}

/** ClaimImage, then ValidateImage, as the definition chains them. */
async function claimAndValidate(key: string): Promise<ValidationResult> {
  const claim = await claimImage(executionInput(key));
  expect(claim.decision).toBe('PROCESS');
  return validateImage({ image: claim.image });
}

function keysOf(command: typeof HeadObjectCommand | typeof GetObjectCommand | typeof PutObjectCommand): string[] {
  return s3Mock.commandCalls(command).map((call) => call.args[0].input.Key as string);
}

beforeEach(() => {
  s3Mock.reset();
  ddb.reset();
  ddb.on(UpdateCommand).resolves({});
});

describe('Raw event keys on the AWS runtime', () => {
  useEnv({ UPLOAD_PREFIX: 'uploads/' });

  it.each(AWKWARD_KEYS)('processes the upload whose key has %s under its exact key', async (_, name) => {
    // Prepare
    const key = `uploads/${name}`;
    bucketHolds({ [key]: { bytes: fixture('rocket.jpg'), etag: ETAG } });

    // Act
    const validation = await claimAndValidate(key);
    const thumbnails = await createThumbnails({ image: validation.image, validation });
    const rekognition = rekognitionImage({ image: validation.image, validation });

    // Assess: the item, every read and Rekognition name the uploaded key byte for byte
    const exact = Buffer.from(key);
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.Key).toEqual({ imageId: `${BUCKET}/${key}` });
    expect(Buffer.from(validation.image.key)).toEqual(exact);
    expect(validation.image.imageId).toBe(`${BUCKET}/${key}`);
    expect(keysOf(HeadObjectCommand).map((k) => Buffer.from(k))).toEqual([exact]);
    expect(keysOf(GetObjectCommand).map((k) => Buffer.from(k))).toEqual([exact, exact]);
    expect(Buffer.from(rekognition.S3Object!.Name!)).toEqual(exact);
    // ...and every thumbnail was written under a key S3 accepts (at most 1,024 bytes)
    expect(thumbnails.status).toBe('SUCCEEDED');
    expect(keysOf(PutObjectCommand).sort()).toEqual(thumbnails.thumbnails!.map((t) => t.key).sort());
    for (const written of keysOf(PutObjectCommand)) {
      expect(written.startsWith('thumbnails/')).toBe(true);
      expect(Buffer.byteLength(written)).toBeLessThanOrEqual(MAX_S3_KEY_BYTES);
    }
  });

  describe('an event whose raw key names no object', () => {
    it('accepts the form-decoded reading when that object has the event ETag, keeping the claimed imageId', async () => {
      // Prepare: the event says `a+b+c.jpg` (encoded by some tool); the bucket holds `a b c.jpg`
      bucketHolds({ 'uploads/a b c.jpg': { bytes: fixture('rocket.jpg'), etag: ETAG } });

      // Act
      const validation = await claimAndValidate('uploads/a+b+c.jpg');
      await createThumbnails({ image: validation.image, validation });

      // Assess
      expect(validation.image).toMatchObject({ key: 'uploads/a b c.jpg', imageId: `${BUCKET}/uploads/a+b+c.jpg`, etag: ETAG });
      expect(validation.analysisObject).toEqual({ bucket: BUCKET, key: 'uploads/a b c.jpg' });
      expect(keysOf(HeadObjectCommand)).toEqual(['uploads/a+b+c.jpg', 'uploads/a b c.jpg']);
      expect(keysOf(GetObjectCommand)).toEqual(['uploads/a b c.jpg', 'uploads/a b c.jpg']);
    });

    it('does not accept the form-decoded reading when it holds another ETag (another upload): NOT_FOUND', async () => {
      // Prepare
      bucketHolds({ 'uploads/a b.jpg': { bytes: fixture('rocket.jpg'), etag: OTHER_ETAG } });

      // Act
      const error = await claimAndValidate('uploads/a+b.jpg').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ImageValidationError);
      expect(error).toMatchObject({
        reason: 'NOT_FOUND',
        message: expect.stringContaining('"uploads/a b.jpg" is not the event\'s object'),
      });
      expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    });

    it('rejects as NOT_FOUND when neither the raw key nor its decoded reading exists', async () => {
      // Prepare
      bucketHolds({});

      // Act
      const error = await claimAndValidate('uploads/a+b.jpg').catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'ImageValidationError', reason: 'NOT_FOUND' });
      expect(keysOf(HeadObjectCommand)).toEqual(['uploads/a+b.jpg', 'uploads/a b.jpg']);
    });

    it('prefers the raw key: the decoded reading is never asked for when the raw key exists', async () => {
      // Prepare
      bucketHolds({
        'uploads/a+b.jpg': { bytes: fixture('rocket.jpg'), etag: ETAG },
        'uploads/a b.jpg': { bytes: fixture('rocket.jpg'), etag: ETAG },
      });

      // Act
      const validation = await claimAndValidate('uploads/a+b.jpg');

      // Assess
      expect(validation.image.key).toBe('uploads/a+b.jpg');
      expect(keysOf(HeadObjectCommand)).toEqual(['uploads/a+b.jpg']);
    });
  });
});
