import 'aws-sdk-client-mock-jest';
import { DetectFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../tasks/detect-faces/handler';
import { analysisInput, awsError, BUCKET, ETAG, putBody, useEnv } from '../shared/image-task-helpers';
import { crowd, smilingFace } from './face-details';

const s3Mock = mockClient(S3Client);
const rekognitionMock = mockClient(RekognitionClient);

beforeEach(() => {
  s3Mock.reset();
  rekognitionMock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
});

// Face indexing off: DetectFaces as before the face collection (IndexFaces: index-faces.test.ts).
describe('Function: handler', () => {
  useEnv({ FACE_INDEXING: 'false' });

  it('calls DetectFaces on the analysis object with all attributes, archives the raw response and returns compact faces', async () => {
    // Prepare
    const response = { FaceDetails: [smilingFace()], OrientationCorrection: undefined };
    rekognitionMock.on(DetectFacesCommand).resolves({ ...response, $metadata: { httpStatusCode: 200 } });

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandTimes(DetectFacesCommand, 1);
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectFacesCommand, {
      Image: { S3Object: { Bucket: BUCKET, Name: 'uploads/photos/astronaut.png' } },
      Attributes: ['ALL'],
    });
    const rawKey = `analysis/photos/astronaut.png/${ETAG}/faces.json`;
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: rawKey, ContentType: 'application/json' });
    const raw = JSON.parse(putBody(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toString());
    expect(raw).toEqual(JSON.parse(JSON.stringify({ FaceDetails: [smilingFace()] })));
    expect(result).toEqual({
      branch: 'faces',
      status: 'SUCCEEDED',
      durationMs: expect.any(Number),
      faces: [expect.objectContaining({ dominantEmotion: 'HAPPY', smile: { value: true, confidence: 98.48 } })],
      faceCount: 1,
      rawRef: `s3://${BUCKET}/${rawKey}`,
    });
  });

  it('reads the normalized copy when there is one', async () => {
    // Prepare
    const key = `normalized/photos/astronaut.webp/${ETAG}.jpg`;
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [] });

    // Act
    const result = await handler(
      analysisInput({ image: { versionId: 'v1' }, validation: { normalized: true, analysisObject: { bucket: BUCKET, key } } }),
    );

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectFacesCommand, { Image: { S3Object: { Bucket: BUCKET, Name: key } } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', faces: [], faceCount: 0 });
  });

  it('stays compact with 100 faces', async () => {
    // Prepare
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: crowd(100) });

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(result.faceCount).toBe(100);
    expect(JSON.stringify(result).length).toBeLessThan(50_000);
  });

  describe('with ANALYSES=labels,text,moderation', () => {
    useEnv({ ANALYSES: 'labels,text,moderation' });

    it('skips without calling Rekognition or S3', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      expect(result).toEqual({ branch: 'faces', status: 'SKIPPED' });
      expect(rekognitionMock).not.toHaveReceivedCommand(DetectFacesCommand);
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });
  });

  it.each([
    ['ThrottlingException', 400, 'Rekognition.ThrottlingException'],
    ['ProvisionedThroughputExceededException', 400, 'Rekognition.ThrottlingException'],
    ['InternalServerError', 500, 'Rekognition.ServiceUnavailable'],
    ['InvalidImageFormatException', 400, 'Rekognition.InvalidImageFormatException'],
    ['ImageTooLargeException', 400, 'Rekognition.ImageTooLargeException'],
    ['InvalidS3ObjectException', 400, 'Rekognition.InvalidS3ObjectException'],
    ['AccessDeniedException', 403, 'Rekognition.AccessDeniedException'],
    ['InvalidParameterException', 400, 'Rekognition.InvalidParameterException'],
  ])('fails with %s (%i) renamed %s, writing nothing', async (name, status, expected) => {
    // Prepare
    rekognitionMock.on(DetectFacesCommand).rejects(awsError(name, status));

    // Act & Assess
    await expect(handler(analysisInput())).rejects.toMatchObject({ name: expected });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('fails with S3.ThrottlingException when the raw response cannot be written', async () => {
    // Prepare
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [smilingFace()] });
    s3Mock.on(PutObjectCommand).rejects(awsError('SlowDown', 503));

    // Act & Assess
    await expect(handler(analysisInput())).rejects.toMatchObject({ name: 'S3.ThrottlingException' });
  });
});
