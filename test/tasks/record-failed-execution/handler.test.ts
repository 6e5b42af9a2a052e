// The execution-status net's AWS calls (DynamoDB, SQS, Step Functions mocked): what it reads, what it
// sends to the dead-letter queue, what it writes on the item, and when it does nothing.
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readDefinitionText } from '../../../statemachines/definition';
import { handler } from '../../../tasks/record-failed-execution/handler';
import { NET_EXTRA_CONDITION } from '../../../tasks/record-failed-execution/mark-execution-failed';
import { DEFINITION_FAIL_ERROR } from '../../../tasks/record-failed-execution/record-failed-execution';
import { MARK_FAILED_CONDITION } from '../../../tasks/record-failure/mark-failed';
import { sequencerKey } from '../../../tasks/shared/sequencer';
import type { DeadLetterMessage, ExecutionStatusChangeEvent, ImageItem } from '../../../tasks/shared/types';
import { conditionFailed, EXECUTION_ID, OTHER_EXECUTION_ID, s3Event, SEQUENCER, useTaskEnvironment } from '../shared/factories';

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const sfn = mockClient(SFNClient);
const NOW = new Date('2024-05-01T12:00:10.000Z');
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/picflow-dlq';
const IMAGE_ID = 'picflow-uploads/uploads/cat.jpg';

function statusChange(detail: Partial<ExecutionStatusChangeEvent['detail']> = {}): ExecutionStatusChangeEvent {
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2024-05-01T12:00:05Z',
    region: 'us-east-1',
    resources: [EXECUTION_ID],
    detail: {
      executionArn: EXECUTION_ID,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:picflow',
      name: 'exec-1',
      status: 'TIMED_OUT',
      startDate: Date.parse('2024-05-01T10:00:01.000Z'),
      stopDate: Date.parse('2024-05-01T12:00:01.000Z'),
      input: JSON.stringify(s3Event()),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      ...detail,
    },
  };
}

function item(overrides: Partial<ImageItem> = {}): ImageItem {
  return {
    imageId: IMAGE_ID,
    bucket: 'picflow-uploads',
    key: 'uploads/cat.jpg',
    etag: 'b1946ac92492d2347c6235b4d2611184',
    sequencer: SEQUENCER,
    sequencerKey: sequencerKey(SEQUENCER),
    size: 12345,
    status: 'PROCESSING',
    analyzer: 'amazon-rekognition',
    executionId: EXECUTION_ID,
    createdAt: '2024-05-01T10:00:01.000Z',
    updatedAt: '2024-05-01T10:00:01.000Z',
    startedAt: '2024-05-01T10:00:01.000Z',
    ...overrides,
  };
}

const sentMessages = (): DeadLetterMessage[] =>
  sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody!));

describe('Function: handler (RecordFailedExecution)', () => {
  useTaskEnvironment(ddb, NOW, {
    TABLE_NAME: 'images',
    DEAD_LETTER_QUEUE_URL: QUEUE_URL,
    CLAIM_TIMEOUT_SECONDS: '7200',
    UPLOAD_PREFIX: undefined,
  });
  beforeEach(() => {
    sqs.reset();
    sfn.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  it('a timed-out execution: sends the DeadLetterMessage with the original event, then marks its PROCESSING item FAILED', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});

    // Act
    const outcome = await handler(statusChange());

    // Assess
    expect(outcome).toMatchObject({ action: 'RECORDED', item: 'MARKED', messageId: 'm-1' });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 'images', Key: { imageId: IMAGE_ID }, ConsistentRead: true });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input.QueueUrl).toBe(QUEUE_URL);
    const reason = "Execution timed out (States.Timeout): it ran longer than the state machine's TimeoutSeconds";
    expect(sentMessages()).toEqual([
      {
        imageId: IMAGE_ID,
        bucket: 'picflow-uploads',
        key: 'uploads/cat.jpg',
        status: 'FAILED',
        reason,
        failures: [{ state: 'Execution', error: 'States.Timeout', cause: '' }],
        executionId: EXECUTION_ID,
        failedAt: NOW.toISOString(),
        originalEvent: s3Event(),
      },
    ]);
    const update = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.ConditionExpression).toBe(`(${MARK_FAILED_CONDITION}) AND (${NET_EXTRA_CONDITION})`);
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':status': 'FAILED',
      ':statusReason': reason,
      ':failure': { state: 'Execution', error: 'States.Timeout', cause: '' },
      ':executionId': EXECUTION_ID,
      ':startedAt': '2024-05-01T10:00:01.000Z',
      ':ifExecutionId': EXECUTION_ID,
      ':ifSequencerKey': sequencerKey(SEQUENCER),
    });
  });

  it.each([
    ['ABORTED', null, 'Execution was aborted (ExecutionAborted)'],
    ['FAILED', 'States.DataLimitExceeded', 'Execution failed over the payload limit (States.DataLimitExceeded)'],
    ['FAILED', 'States.Runtime', 'Execution failed with a runtime error (States.Runtime)'],
    ['FAILED', 'DynamoDB.ThrottlingException', "Execution failed outside the definition's failure path (DynamoDB.ThrottlingException)"],
  ] as const)('%s %s: the reason says what happened', async (status, error, start) => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});

    // Act
    await handler(statusChange({ status, error, cause: 'the cause' }));

    // Assess
    const [message] = sentMessages();
    expect(message.reason.startsWith(start)).toBe(true);
    expect(message.reason.endsWith(': the cause')).toBe(true);
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.ExpressionAttributeValues?.[':statusReason']).toBe(message.reason);
  });

  it('does nothing for a failure the definition recorded itself (its Fail state)', async () => {
    // Act
    const outcome = await handler(statusChange({ status: 'FAILED', error: DEFINITION_FAIL_ERROR, cause: 'ValidateImage failed: ...' }));

    // Assess
    expect(outcome.action).toBe('SKIPPED');
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it("names the same Error as the definition's Fail state", () => {
    // Prepare
    const definition = JSON.parse(readDefinitionText()) as { States: Record<string, { Type: string; Error?: string }> };

    // Act
    const failStates = Object.values(definition.States).filter((state) => state.Type === 'Fail');

    // Assess
    expect(failStates.map((state) => state.Error)).toEqual([DEFINITION_FAIL_ERROR]);
  });

  it('a repeated delivery (the net already marked this execution after it stopped) is a no-op', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({
      Item: item({
        status: 'FAILED',
        failure: { state: 'Execution', error: 'States.Timeout', cause: '' },
        updatedAt: '2024-05-01T12:00:02.000Z',
      }),
    });

    // Act
    const outcome = await handler(statusChange());

    // Assess
    expect(outcome.action).toBe('SKIPPED');
    expect(sqs).not.toHaveReceivedAnyCommand();
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('a repeated delivery of an event without a stop time is a no-op too, when the net already marked the execution', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({
      Item: item({
        status: 'FAILED',
        failure: { state: 'Execution', error: 'States.Timeout', cause: '' },
        updatedAt: '2024-05-01T12:00:02.000Z',
      }),
    });

    // Act
    const outcome = await handler(statusChange({ stopDate: null }));

    // Assess
    expect(outcome.action).toBe('SKIPPED');
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it('an event without a stop time still sends when only RecordFailure (not the net) marked the item', async () => {
    // Prepare
    ddb
      .on(GetCommand)
      .resolves({ Item: item({ status: 'FAILED', failure: { state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT' } }) });
    ddb.on(UpdateCommand).resolves({});

    // Act
    const outcome = await handler(
      statusChange({ status: 'FAILED', error: 'SQS.ServiceUnavailable', cause: 'queue unavailable', stopDate: null }),
    );

    // Assess
    expect(outcome.action).toBe('RECORDED');
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });

  it('still sends when SendToDeadLetterQueue failed after RecordFailure: keeps the recorded reason first', async () => {
    // Prepare
    const recorded = { state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT: truncated' };
    ddb.on(GetCommand).resolves({
      Item: item({ status: 'FAILED', statusReason: 'ValidateImage failed: ImageValidationError: CORRUPT: truncated', failure: recorded }),
    });
    ddb.on(UpdateCommand).resolves({});

    // Act
    await handler(statusChange({ status: 'FAILED', error: 'SQS.ServiceUnavailable', cause: 'queue unavailable' }));

    // Assess
    const [message] = sentMessages();
    expect(message.failures).toEqual([recorded, { state: 'Execution', error: 'SQS.ServiceUnavailable', cause: 'queue unavailable' }]);
    expect(message.reason).toMatch(/^ValidateImage failed: ImageValidationError: CORRUPT: truncated; Execution failed outside/);
  });

  it('a PARTIAL result of this execution is kept: the message is sent, the item is not touched', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item({ status: 'PARTIAL', statusReason: 'PARTIAL: faces failed', failure: undefined }) });

    // Act
    const outcome = await handler(statusChange({ status: 'FAILED', error: 'States.TaskFailed' }));

    // Assess
    expect(outcome).toMatchObject({ action: 'RECORDED', item: 'KEPT' });
    expect(sentMessages()[0].status).toBe('PARTIAL');
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('does nothing when this execution stored a SUCCEEDED result before it ended', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item({ status: 'SUCCEEDED' }) });

    // Act
    const outcome = await handler(statusChange({ status: 'ABORTED' }));

    // Assess
    expect(outcome.action).toBe('SKIPPED');
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it('sends but does not mark when the item belongs to a newer version or another execution', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item({ executionId: OTHER_EXECUTION_ID }) });
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const outcome = await handler(statusChange());

    // Assess
    expect(outcome).toMatchObject({ action: 'RECORDED', item: 'NOT_MARKED' });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });

  it('fetches the input with DescribeExecution when the event left it out', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(s3Event()) });
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    // Act
    const outcome = await handler(statusChange({ input: null, inputDetails: { included: false } }));

    // Assess
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: EXECUTION_ID });
    expect(outcome).toMatchObject({ action: 'RECORDED', item: 'MARKED' });
    expect(sentMessages()[0].originalEvent).toEqual(s3Event());
  });

  it('sends the message even when the input names no image (nothing to mark)', async () => {
    // Act
    const outcome = await handler(statusChange({ input: '{"not":"an S3 event"}' }));

    // Assess
    expect(outcome).toMatchObject({ action: 'RECORDED', item: 'NO_IMAGE' });
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(sentMessages()[0].originalEvent).toEqual({ not: 'an S3 event' });
  });

  it('fails (so Lambda retries) when the queue cannot be reached, and has not marked the item yet', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item() });
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }));

    // Act
    const result = handler(statusChange());

    // Assess
    await expect(result).rejects.toThrow('unavailable');
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });
});
