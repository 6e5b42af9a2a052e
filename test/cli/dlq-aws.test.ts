// `picflow dlq list|discard --stack` against AWS, with the SDK clients mocked: the stack's outputs name
// the queue; a listing puts every message back; a discard deletes the permanent failures (or the named
// messages) and releases the others.
import 'aws-sdk-client-mock-jest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { awsQueue } from '../../cli/dlq';
import { objectCreatedEvent } from '../support/events';
import { mockStackOutputs } from '../support/stack-outputs';
import { fakeDeadLetterQueue } from './fake-dead-letter-queue';

const cloudformation = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/picflow-dlq';

function deadLetter(key: string, failure: { state: string; error: string; cause: string }) {
  return JSON.stringify({
    status: 'FAILED',
    reason: `${failure.state} failed`,
    failures: [failure],
    executionId: 'arn:x',
    failedAt: '2026-11-26T10:00:00.000Z',
    originalEvent: objectCreatedEvent({ key }),
  });
}
const MESSAGES = [
  {
    MessageId: 'm-corrupt',
    ReceiptHandle: 'r-corrupt',
    Body: deadLetter('uploads/corrupt.jpg', { state: 'ValidateImage', error: 'ImageValidationError', cause: 'CORRUPT: truncated' }),
  },
  {
    MessageId: 'm-throttled',
    ReceiptHandle: 'r-throttled',
    Body: deadLetter('uploads/busy.jpg', { state: 'DetectFaces', error: 'Rekognition.ThrottlingException', cause: 'Rate exceeded' }),
  },
];

describe('Function: awsQueue (picflow dlq --stack)', () => {
  beforeEach(() => {
    cloudformation.reset();
    sqs.reset();
    mockStackOutputs(cloudformation, { StateMachineArn: 'arn:sm', DeadLetterQueueUrl: QUEUE_URL });
  });

  it('lists every message with its permanence and puts them all back', async () => {
    // Prepare
    const queue = fakeDeadLetterQueue(sqs, MESSAGES);
    const dlq = await awsQueue('Picflow', 'us-east-1');

    // Act
    const messages = await dlq.list();
    await dlq.close();

    // Assess
    expect(messages.map((m) => [m.messageId, m.key, m.permanent, m.failureKind])).toEqual([
      ['m-corrupt', 'uploads/corrupt.jpg', true, 'CORRUPT'],
      ['m-throttled', 'uploads/busy.jpg', false, 'Rekognition.ThrottlingException'],
    ]);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'r-throttled',
      VisibilityTimeout: 0,
    });
    expect(queue.left()).toEqual(['m-corrupt', 'm-throttled']);
  });

  it('discards every permanent failure and releases the rest', async () => {
    // Prepare
    const queue = fakeDeadLetterQueue(sqs, MESSAGES);
    const dlq = await awsQueue('Picflow', 'us-east-1');

    // Act
    const result = await dlq.discard({ allPermanent: true });

    // Assess
    expect(result.discarded.map((m) => m.messageId)).toEqual(['m-corrupt']);
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: QUEUE_URL, ReceiptHandle: 'r-corrupt' });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'r-throttled', VisibilityTimeout: 0 });
    expect(queue.left()).toEqual(['m-throttled']);
  });

  it('discards a named message whatever its failure, and names the ids it did not find', async () => {
    // Prepare
    const queue = fakeDeadLetterQueue(sqs, MESSAGES);
    const dlq = await awsQueue('Picflow', 'us-east-1');

    // Act
    const result = await dlq.discard({ messageIds: ['m-throttled', 'm-gone'] });

    // Assess
    expect(result).toMatchObject({ discarded: [{ messageId: 'm-throttled' }], notFound: ['m-gone'] });
    expect(queue.left()).toEqual(['m-corrupt']);
  });
});
