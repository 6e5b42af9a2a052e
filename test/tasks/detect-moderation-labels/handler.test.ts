import 'aws-sdk-client-mock-jest';
import { DetectModerationLabelsCommand, type DetectModerationLabelsResponse, RekognitionClient } from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../tasks/detect-moderation-labels/handler';
import { analysisInput, awsError, BUCKET, ETAG, putBody, useEnv } from '../shared/image-task-helpers';

const s3Mock = mockClient(S3Client);
const rekognitionMock = mockClient(RekognitionClient);
const RAW_KEY = `analysis/photos/astronaut.png/${ETAG}/moderation.json`;

function swimwearResponse(): DetectModerationLabelsResponse {
  return {
    ModerationLabels: [
      { Confidence: 71.234567, Name: 'Female Swimwear or Underwear', ParentName: 'Swimwear or Underwear', TaxonomyLevel: 2 },
      { Confidence: 88.87654, Name: 'Swimwear or Underwear', ParentName: '', TaxonomyLevel: 1 },
    ],
    ModerationModelVersion: '7.0',
    ContentTypes: [],
  };
}

beforeEach(() => {
  s3Mock.reset();
  rekognitionMock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
});

describe('Function: handler', () => {
  useEnv();

  it('calls DetectModerationLabels with the configured confidence, archives the raw response, returns labels and a verdict', async () => {
    // Prepare
    rekognitionMock.on(DetectModerationLabelsCommand).resolves({ ...swimwearResponse(), $metadata: {} });

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectModerationLabelsCommand, {
      Image: { S3Object: { Bucket: BUCKET, Name: 'uploads/photos/astronaut.png' } },
      MinConfidence: 60,
    });
    const call = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(call).toMatchObject({ Bucket: BUCKET, Key: RAW_KEY, ContentType: 'application/json' });
    expect(JSON.parse(putBody(call).toString())).toEqual(swimwearResponse());
    expect(result).toEqual({
      branch: 'moderation',
      status: 'SUCCEEDED',
      durationMs: expect.any(Number),
      labels: [
        { name: 'Swimwear or Underwear', parentName: '', confidence: 88.88 },
        { name: 'Female Swimwear or Underwear', parentName: 'Swimwear or Underwear', confidence: 71.23 },
      ],
      verdict: 'suggestive',
      rawRef: `s3://${BUCKET}/${RAW_KEY}`,
    });
  });

  it.each([
    [[], 'safe'],
    [[{ Name: 'Explicit Nudity', ParentName: 'Explicit', Confidence: 97, TaxonomyLevel: 2 }], 'explicit'],
    [[{ Name: 'Weapons', ParentName: 'Violence', Confidence: 80, TaxonomyLevel: 2 }], 'explicit'],
  ])('gives %j the verdict %s', async (moderationLabels, verdict) => {
    // Prepare
    rekognitionMock.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: moderationLabels });

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(result.verdict).toBe(verdict);
  });

  describe('with MIN_MODERATION_CONFIDENCE=85', () => {
    useEnv({ MIN_MODERATION_CONFIDENCE: '85' });

    it('passes the threshold to Rekognition', async () => {
      // Prepare
      rekognitionMock.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] });

      // Act
      await handler(analysisInput());

      // Assess
      expect(rekognitionMock).toHaveReceivedCommandWith(DetectModerationLabelsCommand, { MinConfidence: 85 });
    });
  });

  describe('with ANALYSES=faces', () => {
    useEnv({ ANALYSES: 'faces' });

    it('skips without calling Rekognition or S3', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      expect(result).toEqual({ branch: 'moderation', status: 'SKIPPED' });
      expect(rekognitionMock).not.toHaveReceivedCommand(DetectModerationLabelsCommand);
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });
  });

  it.each([
    ['ThrottlingException', 400, 'Rekognition.ThrottlingException'],
    ['ServiceUnavailableException', 503, 'Rekognition.ServiceUnavailable'],
    ['InvalidImageFormatException', 400, 'Rekognition.InvalidImageFormatException'],
    ['InvalidS3ObjectException', 400, 'Rekognition.InvalidS3ObjectException'],
  ])('fails with %s (%i) renamed %s', async (name, status, expected) => {
    // Prepare
    rekognitionMock.on(DetectModerationLabelsCommand).rejects(awsError(name, status));

    // Act & Assess
    await expect(handler(analysisInput())).rejects.toMatchObject({ name: expected });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});
