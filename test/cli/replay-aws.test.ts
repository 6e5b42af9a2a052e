// `picflow replay --stack` against AWS, with the SDK clients mocked: the stack's outputs name the
// queue and state machine, each message's original event starts one execution, and a message is
// deleted only when that execution succeeded (a failed re-run's own dead letter is removed).
import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { replayOnAws } from '../../cli/replay';
import { objectCreatedEvent } from '../support/events';

const cloudformation = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/picflow-dlq';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ImagePipeline';
const execution = (n: number) => `arn:aws:states:us-east-1:123456789012:execution:ImagePipeline:replay-${n}`;

function deadLetter(key: string, executionId = 'arn:aws:states:us-east-1:123456789012:execution:ImagePipeline:original') {
  return JSON.stringify({ status: 'FAILED', reason: 'x', failures: [], executionId, failedAt: '', originalEvent: objectCreatedEvent({ key }) });
}

describe('Function: replayOnAws', () => {
  beforeEach(() => {
    cloudformation.reset();
    sfn.reset();
    sqs.reset();
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Picflow', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE }, { OutputKey: 'DeadLetterQueueUrl', OutputValue: QUEUE_URL }] }],
    });
  });

  it('deletes the message whose re-run succeeded, keeps the other, and removes the failed re-run\'s duplicate', async () => {
    // Prepare: two dead letters; the raw EventBridge event form (from the rule's own DLQ) for the second
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm-ok', ReceiptHandle: 'r-ok', Body: deadLetter('uploads/ok.jpg') },
          { MessageId: 'm-bad', ReceiptHandle: 'r-bad', Body: JSON.stringify(objectCreatedEvent({ key: 'uploads/bad.jpg' })) },
        ],
      })
      .resolvesOnce({})
      // After the replays: the failed re-run sent its own dead letter
      .resolvesOnce({ Messages: [{ MessageId: 'm-dup', ReceiptHandle: 'r-dup', Body: deadLetter('uploads/bad.jpg', execution(2)) }] })
      .resolves({});
    sfn
      .on(StartExecutionCommand)
      .callsFake((input: { input: string }) => ({ executionArn: JSON.parse(input.input).detail.object.key === 'uploads/ok.jpg' ? execution(1) : execution(2), startDate: new Date() }));
    sfn.on(DescribeExecutionCommand, { executionArn: execution(1) }).resolves({ status: 'SUCCEEDED' });
    sfn.on(DescribeExecutionCommand, { executionArn: execution(2) }).resolves({ status: 'FAILED' });

    // Act
    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1' });

    // Assess
    expect(outcomes.map((o) => [o.letter.messageId, o.status])).toEqual([
      ['m-ok', 'SUCCEEDED'],
      ['m-bad', 'FAILED'],
    ]);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE, input: JSON.stringify(objectCreatedEvent({ key: 'uploads/ok.jpg' })) });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: QUEUE_URL, ReceiptHandle: 'r-ok' });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: QUEUE_URL, ReceiptHandle: 'r-dup' });
    expect(sqs).not.toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'r-bad' });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'r-bad', VisibilityTimeout: 0 });
  });

  it('with --dry-run starts nothing and puts every message back', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: deadLetter('uploads/a.jpg') }] }).resolves({});

    const outcomes = await replayOnAws('Picflow', { region: 'us-east-1', dryRun: true });

    expect(outcomes.map((o) => o.status)).toEqual(['DRY_RUN']);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'r1', VisibilityTimeout: 0 });
  });

  it('explains a stack that is not a picflow stack', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });

    await expect(replayOnAws('Other', { region: 'us-east-1' })).rejects.toThrow(/no StateMachineArn \/ DeadLetterQueueUrl outputs/);
  });
});
