// A dead-letter queue behind a mocked SQSClient (aws-sdk-client-mock), for the tests of `replay --stack` and `dlq --stack`.
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * The dead-letter queue as SQS keeps it: a message is visible or in flight (after a receive, until it is
 * deleted or released); the counts are exact. `emptyReceives` first answers that many receives with
 * nothing although messages are there, as a short poll or a cold long poll can.
 */
export function fakeDeadLetterQueue(
  sqs: AwsClientStub<SQSClient>,
  messages: { MessageId: string; ReceiptHandle: string; Body: string }[],
  emptyReceives = 0,
) {
  const inFlight = new Map<string, boolean>(messages.map((m) => [m.ReceiptHandle, false]));
  const stored = new Map(messages.map((m) => [m.ReceiptHandle, m]));
  let empties = emptyReceives;
  let receives = 0;
  sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => {
    if (++receives > 1000) throw new Error('runaway receive loop');
    if (empties-- > 0) return {};
    const taken = [...stored.values()].filter((m) => !inFlight.get(m.ReceiptHandle)).slice(0, input.MaxNumberOfMessages);
    for (const m of taken) inFlight.set(m.ReceiptHandle, true);
    return taken.length ? { Messages: taken } : {};
  });
  sqs.on(GetQueueAttributesCommand).callsFake(() => {
    const notVisible = [...stored.keys()].filter((h) => inFlight.get(h)).length;
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(stored.size - notVisible),
        ApproximateNumberOfMessagesNotVisible: String(notVisible),
        ApproximateNumberOfMessagesDelayed: '0',
      },
    };
  });
  sqs.on(DeleteMessageCommand).callsFake((input: { ReceiptHandle: string }) => void stored.delete(input.ReceiptHandle));
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs
    .on(ChangeMessageVisibilityCommand)
    .callsFake(
      (input: { ReceiptHandle: string; VisibilityTimeout: number }) => void inFlight.set(input.ReceiptHandle, input.VisibilityTimeout > 0),
    );
  return {
    /** A message sent while the replay runs (the dead letter of a failed re-run). */
    send(message: { MessageId: string; ReceiptHandle: string; Body: string }) {
      stored.set(message.ReceiptHandle, message);
      inFlight.set(message.ReceiptHandle, false);
    },
    left: () => [...stored.values()].map((m) => m.MessageId),
  };
}
