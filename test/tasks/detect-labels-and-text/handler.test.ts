import 'aws-sdk-client-mock-jest';
import { DetectLabelsCommand, DetectTextCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../tasks/detect-labels-and-text/handler';
import { analysisInput, awsError, BUCKET, ETAG, putBody, useEnv } from '../shared/image-task-helpers';
import { labelsResponse, labelsWithPropertiesResponse, textResponse } from './responses';

const s3Mock = mockClient(S3Client);
const rekognitionMock = mockClient(RekognitionClient);
const IMAGE = { S3Object: { Bucket: BUCKET, Name: 'uploads/photos/astronaut.png' } };
const RAW_PREFIX = `analysis/photos/astronaut.png/${ETAG}`;

function rawWritten(key: string): unknown {
  const call = s3Mock.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === key);
  expect(call).toBeDefined();
  return JSON.parse(putBody(call!.args[0].input).toString());
}

beforeEach(() => {
  s3Mock.reset();
  rekognitionMock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  rekognitionMock.on(DetectLabelsCommand).resolves(labelsResponse());
  rekognitionMock.on(DetectTextCommand).resolves(textResponse());
});

describe('Function: handler', () => {
  useEnv();

  it('calls DetectLabels and DetectText, archives both raw responses and returns compact labels and lines', async () => {
    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectLabelsCommand, { Image: IMAGE, MinConfidence: 70, MaxLabels: 25 });
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectTextCommand, { Image: IMAGE });
    expect(rawWritten(`${RAW_PREFIX}/labels.json`)).toEqual(labelsResponse());
    expect(rawWritten(`${RAW_PREFIX}/text.json`)).toEqual(textResponse());
    expect(result).toEqual({
      branch: 'labelsAndText',
      status: 'SUCCEEDED',
      durationMs: expect.any(Number),
      labels: [expect.objectContaining({ name: 'Cat', parents: ['Pet', 'Mammal', 'Animal'] }), expect.objectContaining({ name: 'Animal' })],
      text: [expect.objectContaining({ text: 'The quick brown fox' })],
      rawRefs: { labels: `s3://${BUCKET}/${RAW_PREFIX}/labels.json`, text: `s3://${BUCKET}/${RAW_PREFIX}/text.json` },
    });
  });

  it('asks DetectLabels for IMAGE_PROPERTIES too and returns the dominant colours and quality, compact', async () => {
    // Prepare: Rekognition answers 8 colours; the item keeps the first 5
    rekognitionMock.on(DetectLabelsCommand).resolves(labelsWithPropertiesResponse(8));

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectLabelsCommand, {
      Features: ['GENERAL_LABELS', 'IMAGE_PROPERTIES'],
      Settings: { ImageProperties: { MaxDominantColors: 5 } },
    });
    expect(result.colors).toHaveLength(5);
    expect(result.colors?.[0]).toEqual({ hex: '#2f4f4f', css: 'darkslategrey', simplified: 'grey', percent: 39.45 });
    expect(result.imageQuality).toEqual({ brightness: 59.9, sharpness: 81, contrast: 80.4 });
    expect(rawWritten(`${RAW_PREFIX}/labels.json`)).toEqual(labelsWithPropertiesResponse(8));
  });

  describe('with IMAGE_PROPERTIES=false', () => {
    useEnv({ IMAGE_PROPERTIES: 'false' });

    it('asks for the labels alone, as Rekognition defaults to', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      const request = rekognitionMock.commandCalls(DetectLabelsCommand)[0]!.args[0].input;
      expect(request).not.toHaveProperty('Features');
      expect(request).not.toHaveProperty('Settings');
      expect(result).not.toHaveProperty('colors');
    });
  });

  it('runs the two calls concurrently', async () => {
    // Prepare: each call answers only once the other has started; called one after the other, the
    // first would wait for the second forever (here: fail after 2 s).
    const started = { labels: false, text: false };
    const other = (mine: keyof typeof started, theirs: keyof typeof started) => async () => {
      started[mine] = true;
      const deadline = Date.now() + 2_000;
      while (!started[theirs]) {
        if (Date.now() > deadline) throw new Error(`${theirs} never started while ${mine} was in flight`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return mine === 'labels' ? labelsResponse() : textResponse();
    };
    rekognitionMock.on(DetectLabelsCommand).callsFake(other('labels', 'text'));
    rekognitionMock.on(DetectTextCommand).callsFake(other('text', 'labels'));

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(result.status).toBe('SUCCEEDED');
  });

  describe('with MIN_LABEL_CONFIDENCE=85, MAX_LABELS=10, MIN_TEXT_CONFIDENCE=30', () => {
    useEnv({ MIN_LABEL_CONFIDENCE: '85', MAX_LABELS: '10', MIN_TEXT_CONFIDENCE: '30' });

    it('passes the label settings to Rekognition and filters lines with the text threshold', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      expect(rekognitionMock).toHaveReceivedCommandWith(DetectLabelsCommand, { MinConfidence: 85, MaxLabels: 10 });
      expect(result.text?.map((line) => line.text)).toEqual(['The quick brown fox', 'smudge']);
    });
  });

  describe('with ANALYSES=faces,labels', () => {
    useEnv({ ANALYSES: 'faces,labels' });

    it('calls DetectLabels only', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      expect(rekognitionMock).not.toHaveReceivedCommand(DetectTextCommand);
      expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
      expect(result.text).toBeUndefined();
      expect(result.labels).toHaveLength(2);
      expect(result.rawRefs).toEqual({ labels: `s3://${BUCKET}/${RAW_PREFIX}/labels.json` });
    });
  });

  describe('with ANALYSES=text', () => {
    useEnv({ ANALYSES: 'text' });

    it('calls DetectText only', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      expect(rekognitionMock).not.toHaveReceivedCommand(DetectLabelsCommand);
      expect(result.labels).toBeUndefined();
      expect(result.rawRefs).toEqual({ text: `s3://${BUCKET}/${RAW_PREFIX}/text.json` });
    });
  });

  describe('with ANALYSES=faces,moderation', () => {
    useEnv({ ANALYSES: 'faces,moderation' });

    it('skips without calling Rekognition or S3', async () => {
      // Act
      const result = await handler(analysisInput());

      // Assess
      expect(result).toEqual({ branch: 'labelsAndText', status: 'SKIPPED' });
      expect(rekognitionMock).not.toHaveReceivedCommand(DetectLabelsCommand);
      expect(rekognitionMock).not.toHaveReceivedCommand(DetectTextCommand);
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });
  });

  it('keeps the labels when DetectText fails for good, and says which half failed and why', async () => {
    // Prepare: DetectText is refused (a permanent error: retrying the task would not help)
    rekognitionMock.on(DetectTextCommand).rejects(awsError('AccessDeniedException', 400, 'not authorized to perform DetectText'));

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(result).toEqual({
      branch: 'labelsAndText',
      status: 'SUCCEEDED',
      durationMs: expect.any(Number),
      labels: [expect.objectContaining({ name: 'Cat' }), expect.objectContaining({ name: 'Animal' })],
      rawRefs: { labels: `s3://${BUCKET}/${RAW_PREFIX}/labels.json` },
      failedPart: {
        operation: 'DetectText',
        error: 'Rekognition.AccessDeniedException',
        cause: 'AccessDeniedException: not authorized to perform DetectText',
      },
    });
    expect(rawWritten(`${RAW_PREFIX}/labels.json`)).toEqual(labelsResponse());
  });

  it('keeps the text when DetectLabels fails for good', async () => {
    // Prepare
    rekognitionMock.on(DetectLabelsCommand).rejects(awsError('InvalidParameterException', 400));

    // Act
    const result = await handler(analysisInput());

    // Assess
    expect(result.labels).toBeUndefined();
    expect(result.text).toEqual([expect.objectContaining({ text: 'The quick brown fox' })]);
    expect(result.failedPart).toMatchObject({ operation: 'DetectLabels', error: 'Rekognition.InvalidParameterException' });
  });

  it('fails when both halves fail, with the transient error first so the definition retries', async () => {
    // Prepare
    rekognitionMock.on(DetectLabelsCommand).rejects(awsError('AccessDeniedException', 400));
    rekognitionMock.on(DetectTextCommand).rejects(awsError('ThrottlingException', 400));

    // Act & Assess
    await expect(handler(analysisInput())).rejects.toMatchObject({ name: 'Rekognition.ThrottlingException' });
  });

  it('fails when both halves fail for good', async () => {
    // Prepare
    rekognitionMock.on(DetectLabelsCommand).rejects(awsError('AccessDeniedException', 400));
    rekognitionMock.on(DetectTextCommand).rejects(awsError('InvalidParameterException', 400));

    // Act & Assess
    await expect(handler(analysisInput())).rejects.toMatchObject({ name: 'Rekognition.AccessDeniedException' });
  });

  describe('with ANALYSES=text and DetectText refused', () => {
    useEnv({ ANALYSES: 'text' });

    it('fails when its only half fails for good: there is nothing to keep', async () => {
      // Prepare
      rekognitionMock.on(DetectTextCommand).rejects(awsError('AccessDeniedException', 400));

      // Act & Assess
      await expect(handler(analysisInput())).rejects.toMatchObject({ name: 'Rekognition.AccessDeniedException' });
    });
  });

  it.each([
    ['DetectLabels', 'ThrottlingException', 400, 'Rekognition.ThrottlingException', DetectLabelsCommand],
    ['DetectText', 'InternalServerError', 500, 'Rekognition.ServiceUnavailable', DetectTextCommand],
    ['DetectText', 'InvalidImageFormatException', 400, 'Rekognition.InvalidImageFormatException', DetectTextCommand],
    ['DetectLabels', 'ImageTooLargeException', 400, 'Rekognition.ImageTooLargeException', DetectLabelsCommand],
  ] as const)(
    'fails (transient, or about the image) when %s fails with %s (%i), renamed %s',
    async (_operation, name, status, expected, command) => {
      // Prepare
      rekognitionMock.on(command).rejects(awsError(name, status));

      // Act & Assess
      await expect(handler(analysisInput())).rejects.toMatchObject({ name: expected });
    },
  );
});
