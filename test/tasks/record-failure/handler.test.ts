import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { failureReason, failuresFrom } from '../../../tasks/record-failure/describe-failure';
import { handler } from '../../../tasks/record-failure/handler';
import { CLAIMED_EXTRA_CONDITION, MARK_FAILED_CONDITION } from '../../../tasks/record-failure/mark-failed';
import { logger } from '../../../tasks/shared/logger';
import { sequencerKey } from '../../../tasks/shared/sequencer';
import {
  conditionFailed,
  EXECUTION_ID,
  imageRef,
  lambdaCause,
  recordFailureInput,
  s3Event,
  SEQUENCER,
  useTaskEnvironment,
  validation,
} from '../shared/factories';

const ddb = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2024-05-01T10:00:07.000Z');
const CORRUPT_REASON = 'ValidateImage failed: ImageValidationError: CORRUPT: the JPEG data ends early (truncated file)';

describe('Function: handler', () => {
  useTaskEnvironment(ddb, NOW, { TABLE_NAME: 'images', CLAIM_TIMEOUT_SECONDS: '900', UPLOAD_PREFIX: undefined });

  it('marks the key ValidateImage resolved (a form-decoded reading) on the item claimed under the event key', async () => {
    // Prepare: the event said `a+b.jpg`, ValidateImage found the object at `a b.jpg`, a branch failed later
    const claimed = imageRef({ key: 'uploads/a+b.jpg' });
    const input = {
      ...recordFailureInput({ key: 'uploads/a+b.jpg' }),
      validation: validation({ image: { ...claimed, key: 'uploads/a b.jpg' } }),
    };

    // Act
    await handler(input);

    // Assess
    const update = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.Key).toEqual({ imageId: claimed.imageId });
    expect(Object.values(update.ExpressionAttributeValues ?? {})).toContain('uploads/a b.jpg');
  });

  it('marks the item FAILED with a readable reason and returns the dead letter', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const result = await handler(recordFailureInput());

    // Assess
    expect(result).toEqual({
      imageId: 'picflow-uploads/uploads/cat.jpg',
      status: 'FAILED',
      reason: CORRUPT_REASON,
      deadLetter: {
        imageId: 'picflow-uploads/uploads/cat.jpg',
        bucket: 'picflow-uploads',
        key: 'uploads/cat.jpg',
        status: 'FAILED',
        reason: CORRUPT_REASON,
        failures: [{ state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT: the JPEG data ends early (truncated file)' }],
        executionId: EXECUTION_ID,
        failedAt: NOW.toISOString(),
        originalEvent: s3Event(),
      },
    });
    // The item, then the label index emptied (tasks/shared/label-index.ts)
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 2);
    const input = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(input.Key).toEqual({ imageId: 'picflow-uploads/uploads/cat.jpg' });
    // This execution's claim made the item: it is marked only while it exists (a delete meanwhile must stay a delete).
    expect(input.ConditionExpression).toBe(`(${MARK_FAILED_CONDITION}) AND ${CLAIMED_EXTRA_CONDITION}`);
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':status': 'FAILED',
      ':statusReason': CORRUPT_REASON,
      ':failure': { state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT: the JPEG data ends early (truncated file)' },
      ':updatedAt': NOW.toISOString(),
      ':completedAt': NOW.toISOString(),
      ':ifSequencerKey': sequencerKey(SEQUENCER),
      ':ifExecutionId': EXECUTION_ID,
      ':ifStaleBefore': '2024-05-01T09:45:07.000Z',
    });
    // A failure never deletes what the item holds; it only says the attempt failed.
    expect(input.UpdateExpression).not.toMatch(/REMOVE .*#faces/);
  });

  it('still returns FAILED and the dead letter when the condition protects a newer item', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { imageId: 'picflow-uploads/uploads/cat.jpg' } });

    // Act
    const result = await handler(recordFailureInput());

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.reason).toBe(CORRUPT_REASON);
    expect(result.deadLetter?.originalEvent).toEqual(s3Event());
  });

  it('sends no dead letter when its claimed item is gone: the image was deleted during its analysis', async () => {
    // Prepare: the mark is refused and a strong read finds no item
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});

    // Act
    const result = await handler(recordFailureInput());

    // Assess
    expect(result).toEqual({
      imageId: 'picflow-uploads/uploads/cat.jpg',
      status: 'SUPERSEDED',
      reason: expect.stringMatching(/^SUPERSEDED: uploads\/cat.jpg was deleted during its analysis; its failure \(.+\) was not recorded$/),
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { imageId: 'picflow-uploads/uploads/cat.jpg' }, ConsistentRead: true });
  });

  it("logs its warning with the invocation's keys (execution id, key, state), not through the bare root logger", async () => {
    // Prepare: the condition protects a newer item, so RecordFailure warns that it did not mark it
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { imageId: 'picflow-uploads/uploads/cat.jpg' } });
    const written: string[] = [];
    // Powertools writes warnings to process.stderr as JSON lines.
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    logger.setLogLevel('WARN');

    // Act
    try {
      await handler(recordFailureInput());
    } finally {
      logger.setLogLevel('SILENT');
      jest.restoreAllMocks();
    }

    // Assess
    expect(stderr).toHaveBeenCalled();
    const lines = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const warning = lines.find((l) => String(l.message).startsWith('Item not marked FAILED'));
    expect(warning).toMatchObject({ level: 'WARN', executionId: EXECUTION_ID, key: 'uploads/cat.jpg', state: 'RecordFailure' });
  });

  it('decodes the image from the event when the claim itself failed', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});
    const input = recordFailureInput({
      withClaim: false,
      key: 'uploads/my cat.jpg',
      failedStates: {
        ClaimImage: {
          Error: 'DynamoDB.ThrottlingException',
          Cause: lambdaCause('DynamoDB.ThrottlingException', 'ThrottlingException: slow down'),
        },
      },
    });

    // Act
    const result = await handler(input);

    // Assess
    expect(result.imageId).toBe('picflow-uploads/uploads/my cat.jpg');
    expect(result.reason).toBe('ClaimImage failed: DynamoDB.ThrottlingException: ThrottlingException: slow down');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: { imageId: 'picflow-uploads/uploads/my cat.jpg' } });
  });

  it('writes nothing but still dead-letters an invalid event', async () => {
    // Prepare
    const input = recordFailureInput({
      withClaim: false,
      key: 'thumbnails/cat.jpg',
      failedStates: {
        ClaimImage: {
          Error: 'InvalidEventError',
          Cause: lambdaCause('InvalidEventError', 'the key "thumbnails/cat.jpg" is outside the upload prefix "uploads/"'),
        },
      },
    });

    // Act
    const result = await handler(input);

    // Assess
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({
      status: 'FAILED',
      reason: 'ClaimImage failed: InvalidEventError: the key "thumbnails/cat.jpg" is outside the upload prefix "uploads/"',
      deadLetter: expect.objectContaining({ status: 'FAILED', originalEvent: s3Event({ key: 'thumbnails/cat.jpg' }) }),
    });
    expect(result.deadLetter).not.toHaveProperty('imageId');
  });

  it('tolerates an input whose event is not an object at all', async () => {
    // Prepare
    const input = recordFailureInput({ withClaim: false, event: 'garbage', failedStates: { ClaimImage: { Error: 'InvalidEventError' } } });

    // Act
    const result = await handler(input);

    // Assess
    expect(result.reason).toBe('ClaimImage failed: InvalidEventError');
    expect(result.deadLetter?.originalEvent).toBe('garbage');
  });

  it('renames DynamoDB throttling and rethrows it, so the definition retries before dead-lettering', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    // Act & Assess
    await expect(handler(recordFailureInput())).rejects.toMatchObject({ name: 'DynamoDB.ThrottlingException' });
  });

  describe('reasons', () => {
    it.each([
      [
        'Lambda JSON',
        { ValidateImage: { Error: 'ImageValidationError', Cause: lambdaCause('ImageValidationError', 'TOO_LARGE: 60 MB is over 50 MB') } },
        'ValidateImage failed: ImageValidationError: TOO_LARGE: 60 MB is over 50 MB',
      ],
      [
        'plain text',
        { StoreResult: { Error: 'States.Timeout', Cause: 'Task timed out after 60.00 seconds' } },
        'StoreResult failed: States.Timeout: Task timed out after 60.00 seconds',
      ],
      ['no cause', { AnalyzeImage: { Error: 'States.Runtime' } }, 'AnalyzeImage failed: States.Runtime'],
      ['no failed state at all', {}, 'Unknown failed: UnknownError: RecordFailure ran without a failed state in its input'],
    ])('reads %s', (_, failedStates, reason) => {
      // Act & Assess
      expect(failureReason(failuresFrom(failedStates))).toBe(reason);
    });

    it('keeps the reason to 1000 characters', () => {
      // Act
      const reason = failureReason(failuresFrom({ ValidateImage: { Error: 'X', Cause: lambdaCause('X', 'y'.repeat(50_000)) } }));

      // Assess
      expect(reason.length).toBeLessThanOrEqual(1000);
      expect(reason.startsWith('ValidateImage failed: X: yyy')).toBe(true);
    });
  });
});
