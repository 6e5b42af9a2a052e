import 'aws-sdk-client-mock-jest';
import { DetectTextCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { callRekognition, compactBox, rekognitionImage, round, saveRawResponse } from '../../../tasks/shared/rekognition';
import { analysisInput, awsError, BUCKET, ETAG, putBody } from './image-task-helpers';

const s3Mock = mockClient(S3Client);
const rekognitionMock = mockClient(RekognitionClient);

beforeEach(() => {
  s3Mock.reset();
  rekognitionMock.reset();
});

describe('Function: rekognitionImage', () => {
  it('names the upload and its version when the analysis reads the upload', () => {
    // Prepare
    const input = analysisInput({ image: { versionId: 'v3' } });

    // Act & Assess
    expect(rekognitionImage(input)).toEqual({
      S3Object: { Bucket: BUCKET, Name: 'uploads/photos/astronaut.png', Version: 'v3' },
    });
  });

  it('names the normalized copy without a version', () => {
    // Prepare
    const key = `normalized/photos/astronaut.png/${ETAG}.jpg`;
    const input = analysisInput({ image: { versionId: 'v3' }, validation: { normalized: true, analysisObject: { bucket: BUCKET, key } } });

    // Act & Assess
    expect(rekognitionImage(input)).toEqual({ S3Object: { Bucket: BUCKET, Name: key } });
  });
});

describe('Function: callRekognition', () => {
  it.each([
    ['ThrottlingException', 400, 'Rekognition.ThrottlingException'],
    ['ProvisionedThroughputExceededException', 400, 'Rekognition.ThrottlingException'],
    ['LimitExceededException', 400, 'Rekognition.ThrottlingException'],
    ['InternalServerError', 500, 'Rekognition.ServiceUnavailable'],
    ['TimeoutError', 0, 'Rekognition.NetworkError'],
    ['InvalidImageFormatException', 400, 'Rekognition.InvalidImageFormatException'],
    ['ImageTooLargeException', 400, 'Rekognition.ImageTooLargeException'],
    ['InvalidS3ObjectException', 400, 'Rekognition.InvalidS3ObjectException'],
    ['AccessDeniedException', 403, 'Rekognition.AccessDeniedException'],
    ['InvalidParameterException', 400, 'Rekognition.InvalidParameterException'],
  ])('renames %s to %s', async (name, status, expected) => {
    // Prepare
    rekognitionMock.on(DetectTextCommand).rejects(awsError(name, status, 'boom'));

    // Act
    const call = callRekognition(new RekognitionClient({}), (client) => client.send(new DetectTextCommand({ Image: {} })));

    // Assess: the original name stays readable in the message.
    await expect(call).rejects.toMatchObject({ name: expected, message: `${name}: boom` });
  });
});

describe('Function: saveRawResponse', () => {
  it('writes the response without the SDK metadata and returns its s3:// URI', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});
    const response = { $metadata: { httpStatusCode: 200, requestId: 'r' }, TextDetections: [{ DetectedText: 'hi' }] };

    // Act
    const uri = await saveRawResponse(new S3Client({}), analysisInput(), 'text.json', response, {
      analysisPrefix: 'analysis/',
      uploadPrefix: 'uploads/',
    });

    // Assess
    const key = `analysis/photos/astronaut.png/${ETAG}/text.json`;
    expect(uri).toBe(`s3://${BUCKET}/${key}`);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: key, ContentType: 'application/json' });
    expect(JSON.parse(putBody(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toString())).toEqual({
      TextDetections: [{ DetectedText: 'hi' }],
    });
  });
});

describe('Function: round and compactBox', () => {
  it.each([
    [99.87654, 2, 99.88],
    [0.004, 2, 0],
    [0.123456, 4, 0.1235],
    [undefined, 2, 0],
  ])('rounds %s to %i decimals', (value, decimals, expected) => {
    expect(round(value, decimals)).toBe(expected);
  });

  it('maps a Rekognition box to lower-case ratios with 4 decimals', () => {
    expect(compactBox({ Left: 0.123456, Top: 0.5, Width: 0.25001, Height: 1 })).toEqual({ left: 0.1235, top: 0.5, width: 0.25, height: 1 });
  });
});
