import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CLAIM_CONDITION, claimRequest } from '../../../tasks/claim-image/claim-request';
import { handler } from '../../../tasks/claim-image/handler';
import { InvalidEventError } from '../../../tasks/shared/errors';
import { sequencerKey } from '../../../tasks/shared/sequencer';
import type { ImageItem } from '../../../tasks/shared/types';
import {
  EXECUTION_ID,
  executionInput,
  imageRef,
  NEWER_SEQUENCER,
  OLDER_SEQUENCER,
  OTHER_EXECUTION_ID,
  SEQUENCER,
  conditionFailed,
  useTaskEnvironment,
} from '../shared/factories';

const ddb = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2024-05-01T10:00:02.000Z');

function storedItem(overrides: Partial<ImageItem> = {}): Partial<ImageItem> {
  const sequencer = overrides.sequencer ?? SEQUENCER;
  return {
    imageId: 'picflow-uploads/uploads/cat.jpg',
    sequencer,
    sequencerKey: sequencerKey(sequencer),
    status: 'SUCCEEDED',
    executionId: OTHER_EXECUTION_ID,
    updatedAt: '2024-05-01T09:00:00.000Z',
    completedAt: '2024-05-01T09:00:00.000Z',
    ...overrides,
  };
}

describe('Function: handler', () => {
  useTaskEnvironment(ddb, NOW, { TABLE_NAME: 'images', CLAIM_TIMEOUT_SECONDS: '900', UPLOAD_PREFIX: undefined });

  it('claims a new image with one conditional update that writes the claim and clears old results', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const result = await handler(executionInput({ key: 'uploads/my cat.jpg', versionId: 'v1' }));

    // Assess
    expect(result).toEqual({
      image: imageRef({ key: 'uploads/my cat.jpg', versionId: 'v1' }),
      decision: 'PROCESS',
      reason: `first event for picflow-uploads/uploads/my cat.jpg (sequencer ${SEQUENCER})`,
    });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    const input = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(input.TableName).toBe('images');
    expect(input.Key).toEqual({ imageId: 'picflow-uploads/uploads/my cat.jpg' });
    expect(input.ConditionExpression).toBe(CLAIM_CONDITION);
    expect(input.UpdateExpression).toMatch(/^SET .*#status = :status.* REMOVE .*#faces.*#moderation.*#failure/);
    expect(input.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :createdAt)');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':bucket': 'picflow-uploads',
      ':key': 'uploads/my cat.jpg',
      ':versionId': 'v1',
      ':etag': 'b1946ac92492d2347c6235b4d2611184',
      ':size': 12345,
      ':sequencer': SEQUENCER,
      ':sequencerKey': sequencerKey(SEQUENCER),
      ':status': 'PROCESSING',
      ':executionId': EXECUTION_ID,
      ':startedAt': '2024-05-01T10:00:01.000Z',
      ':updatedAt': NOW.toISOString(),
      ':createdAt': NOW.toISOString(),
      ':analyzer': 'amazon-rekognition',
      ':ifSequencerKey': sequencerKey(SEQUENCER),
      ':ifExecutionId': EXECUTION_ID,
      ':ifStaleBefore': '2024-05-01T09:45:02.000Z',
    });
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('defines every placeholder it uses and uses every placeholder it defines', () => {
    // Prepare
    const request = claimRequest({
      tableName: 'images',
      image: imageRef(),
      executionId: EXECUTION_ID,
      startedAt: '2024-05-01T10:00:01.000Z',
      analyzer: 'amazon-rekognition',
      claimTimeoutSeconds: 900,
      now: NOW,
    });
    const expressions = `${request.UpdateExpression} ${request.ConditionExpression}`;

    // Act
    const usedNames = new Set(expressions.match(/#\w+/g));
    const usedValues = new Set(expressions.match(/:\w+/g));

    // Assess: DynamoDB rejects both undefined and unused placeholders.
    expect(new Set(Object.keys(request.ExpressionAttributeNames!))).toEqual(usedNames);
    expect(new Set(Object.keys(request.ExpressionAttributeValues!))).toEqual(usedValues);
    // An unversioned object removes the previous version's versionId instead of keeping it.
    expect(request.UpdateExpression).toMatch(/REMOVE #versionId/);
  });

  it.each([
    [
      'a newer version',
      { sequencer: OLDER_SEQUENCER, status: 'SUCCEEDED' as const },
      `newer version (sequencer ${SEQUENCER}) replaces ${OLDER_SEQUENCER} (was SUCCEEDED)`,
    ],
    [
      'a replay of a FAILED attempt',
      { status: 'FAILED' as const, statusReason: 'ValidateImage failed: boom' },
      `replay of sequencer ${SEQUENCER}: the last attempt was FAILED (ValidateImage failed: boom)`,
    ],
    ['a replay of a PARTIAL attempt', { status: 'PARTIAL' as const }, `replay of sequencer ${SEQUENCER}: the last attempt was PARTIAL`],
    [
      'a retry of this execution’s own claim',
      { status: 'PROCESSING' as const, executionId: EXECUTION_ID, updatedAt: '2024-05-01T10:00:01.000Z' },
      'this execution already holds the claim (ClaimImage was retried)',
    ],
    [
      'an abandoned claim',
      { status: 'PROCESSING' as const, updatedAt: '2024-05-01T09:00:00.000Z' },
      `takes over the claim of ${OTHER_EXECUTION_ID}, abandoned since 2024-05-01T09:00:00.000Z`,
    ],
  ])('PROCESSes %s and says so', async (_, previous, reason) => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: storedItem(previous) });

    // Act
    const result = await handler(executionInput());

    // Assess
    expect(result.decision).toBe('PROCESS');
    expect(result.reason).toBe(reason);
  });

  it.each([
    [
      'this version already SUCCEEDED',
      storedItem({ status: 'SUCCEEDED', executionId: OTHER_EXECUTION_ID }),
      `already SUCCEEDED for this version (sequencer ${SEQUENCER}) at 2024-05-01T09:00:00.000Z by ${OTHER_EXECUTION_ID}`,
    ],
    [
      'a newer version owns the key',
      storedItem({ sequencer: NEWER_SEQUENCER, status: 'PROCESSING' }),
      `a newer version owns the key: stored sequencer ${NEWER_SEQUENCER} (PROCESSING) is newer than this event's ${SEQUENCER}`,
    ],
    [
      'another execution is processing it',
      storedItem({ status: 'PROCESSING', updatedAt: '2024-05-01T09:59:00.000Z' }),
      `another execution (${OTHER_EXECUTION_ID}) is processing it since 2024-05-01T09:59:00.000Z; its claim can be taken over 900 s after that`,
    ],
    [
      'the item vanished meanwhile',
      undefined,
      'the item of picflow-uploads/uploads/cat.jpg changed during the claim (it is gone now); not processing this event twice',
    ],
  ])('SKIPs when %s, with a readable reason', async (_, stored, reason) => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: stored });

    // Act
    const result = await handler(executionInput());

    // Assess
    expect(result).toEqual({ image: imageRef(), decision: 'SKIP', reason });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: 'images',
      Key: { imageId: 'picflow-uploads/uploads/cat.jpg' },
      ConsistentRead: true,
    });
  });

  it('renames DynamoDB throttling to DynamoDB.ThrottlingException and rethrows it, for the Retry rule', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(
      Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const act = handler(executionInput());

    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'DynamoDB.ThrottlingException',
      message: 'ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.',
    });
  });

  it('rethrows a failure of the follow-up read, renamed', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));

    // Act & Assess
    await expect(handler(executionInput())).rejects.toMatchObject({ name: 'DynamoDB.ServiceUnavailable' });
  });

  it.each([['uploads/holiday/'], ['uploads/']])('skips the folder marker %s quietly, before touching the table', async (key) => {
    // Act
    const result = await handler(executionInput({ key }));

    // Assess: SKIP ends the execution in a Succeed state: no item, no dead letter, no alarm
    expect(result).toMatchObject({ decision: 'SKIP', reason: expect.stringContaining('folder marker') });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ['a derived object', executionInput({ key: 'thumbnails/cat.jpg' })],
    ['a foreign event', { ...executionInput(), event: { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' } }],
  ])('rejects %s with InvalidEventError before touching the table', async (_, input) => {
    // Act & Assess
    await expect(handler(input as never)).rejects.toBeInstanceOf(InvalidEventError);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
