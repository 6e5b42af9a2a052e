import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../tasks/store-result/handler';
import { STORE_CONDITION } from '../../../tasks/store-result/write-item';
import { sequencerKey } from '../../../tasks/shared/sequencer';
import {
  EXECUTION_ID,
  facesOk,
  failed,
  labelsAndTextOk,
  lambdaCause,
  moderationOk,
  s3Event,
  SEQUENCER,
  storeInput,
  thumbnailsOk,
  conditionFailed,
  useTaskEnvironment,
} from '../shared/factories';

const ddb = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2024-05-01T10:00:09.000Z');
const THROTTLED = failed(
  'faces',
  'Rekognition.ThrottlingException',
  lambdaCause('Rekognition.ThrottlingException', 'ThrottlingException: Rate exceeded'),
);

describe('Function: handler', () => {
  useTaskEnvironment(ddb, NOW, { TABLE_NAME: 'images', ANALYZER_NAME: 'amazon-rekognition' });

  it('stores a SUCCEEDED item only while the item holds this version, keeping createdAt', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const result = await handler(storeInput());

    // Assess
    expect(result).toEqual({
      imageId: 'picflow-uploads/uploads/cat.jpg',
      status: 'SUCCEEDED',
      reason: 'SUCCEEDED: 2 thumbnails, 1 face (HAPPY), 12 labels, 3 text lines, moderation safe',
    });
    // The item, then the label index (tasks/shared/label-index.ts)
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 2);
    const input = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(#imageId) AND #sequencerKey = :ifSequencerKey');
    expect(input.ConditionExpression).toBe(STORE_CONDITION);
    expect(input.Key).toEqual({ imageId: 'picflow-uploads/uploads/cat.jpg' });
    expect(input.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :createdAt)');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':ifSequencerKey': sequencerKey(SEQUENCER),
      ':status': 'SUCCEEDED',
      ':faceCount': 1,
      ':moderation': { verdict: 'safe', labels: [] },
      ':executionId': EXECUTION_ID,
      ':completedAt': NOW.toISOString(),
    });
    // Attributes this attempt did not produce are removed, not left from a previous attempt.
    expect(input.UpdateExpression).toMatch(/REMOVE .*#failure/);
    expect(input.UpdateExpression).not.toMatch(/REMOVE .*#faces\b/);
  });

  it('removes the faces of a previous attempt when this attempt has none', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    await handler(storeInput({ branches: [thumbnailsOk(), THROTTLED, labelsAndTextOk(), moderationOk()] }));

    // Assess
    const input = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(input.UpdateExpression).toMatch(/REMOVE .*#faces, #faceCount/);
    expect(input.ExpressionAttributeValues).not.toHaveProperty(':faces');
  });

  it('returns PARTIAL with a dead letter naming the failed state', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const result = await handler(storeInput({ branches: [thumbnailsOk(), THROTTLED, labelsAndTextOk(), moderationOk()] }));

    // Assess
    const reason =
      'PARTIAL: DetectFaces failed: Rekognition.ThrottlingException: ThrottlingException: Rate exceeded; kept 2 thumbnails, 12 labels, ' +
      '3 text lines, moderation safe';
    expect(result).toEqual({
      imageId: 'picflow-uploads/uploads/cat.jpg',
      status: 'PARTIAL',
      reason,
      deadLetter: {
        imageId: 'picflow-uploads/uploads/cat.jpg',
        bucket: 'picflow-uploads',
        key: 'uploads/cat.jpg',
        status: 'PARTIAL',
        reason,
        failures: [{ state: 'DetectFaces', error: 'Rekognition.ThrottlingException', cause: 'ThrottlingException: Rate exceeded' }],
        executionId: EXECUTION_ID,
        failedAt: NOW.toISOString(),
        originalEvent: s3Event(),
      },
    });
  });

  it('returns FAILED with a dead letter listing all four states when every branch failed', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});
    const branches = [failed('thumbnails', 'A'), THROTTLED, failed('labelsAndText', 'C'), failed('moderation', 'D')];

    // Act
    const result = await handler(storeInput({ branches }));

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.deadLetter?.status).toBe('FAILED');
    expect(result.deadLetter?.failures.map((f) => f.state)).toEqual([
      'CreateThumbnails',
      'DetectFaces',
      'DetectLabelsAndText',
      'DetectModerationLabels',
    ]);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'FAILED', ':moderation': { verdict: 'unavailable', labels: [] } }),
    });
  });

  it('answers SUPERSEDED, without a dead letter, when a newer version owns the item', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { imageId: 'picflow-uploads/uploads/cat.jpg', sequencer: '0062E99A88DC407461' } });

    // Act
    const result = await handler(storeInput({ branches: [thumbnailsOk(), THROTTLED, labelsAndTextOk(), moderationOk()] }));

    // Assess
    expect(result).toEqual({
      imageId: 'picflow-uploads/uploads/cat.jpg',
      status: 'SUPERSEDED',
      reason: `SUPERSEDED: a newer version of uploads/cat.jpg owns the item; this result (sequencer ${SEQUENCER}, PARTIAL) was not stored`,
    });
  });

  it.each([
    ['ThrottlingException', 400, 'DynamoDB.ThrottlingException'],
    ['InternalServerError', 500, 'DynamoDB.ServiceUnavailable'],
    ['ValidationException', 400, 'DynamoDB.ValidationException'],
  ])('rethrows %s renamed %s', async (name, httpStatusCode, renamed) => {
    // Prepare
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('no'), { name, $metadata: { httpStatusCode } }));

    // Act & Assess
    await expect(handler(storeInput())).rejects.toMatchObject({ name: renamed });
  });

  it('writes the same values when the same event is stored twice', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    await handler(storeInput());
    await handler(storeInput());

    // Assess
    const [first, second] = ddb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.ConditionExpression === STORE_CONDITION);
    expect(second).toEqual(first);
  });

  it('summarises several faces by their dominant emotions', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const result = await handler(storeInput({ branches: [thumbnailsOk(), facesOk(['CALM', 'HAPPY']), labelsAndTextOk(), moderationOk()] }));

    // Assess
    expect(result.reason).toBe('SUCCEEDED: 2 thumbnails, 2 faces (CALM, HAPPY), 12 labels, 3 text lines, moderation safe');
  });
});
