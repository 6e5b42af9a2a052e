/**
 * Reads the dead-letter queue for replays. A message is either picflow's DeadLetterMessage
 * (sent by the state machine or the execution-status net: `originalEvent` inside), the bare
 * EventBridge event (sent by the rule's target when it could not start an execution), or a status-change
 * event the net could not handle (its input is the upload event); each yields the event to run again.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterMessage, ExecutionStatusChangeEvent, S3ObjectCreatedEvent } from '../../tasks/shared/types';

export interface DeadLetter {
  receiptHandle: string;
  messageId: string;
  event?: S3ObjectCreatedEvent;
  /** What the message says went wrong (the stored reason), for printing. */
  reason: string;
  executionId?: string;
}

/** Seconds one receive waits for a message: 20, the SQS maximum (the local SQS server answers at once). */
const LONG_POLL_SECONDS = 20;

/**
 * Every message currently in the queue, each hidden for `visibilitySeconds` while it is replayed.
 *
 * An empty receive does not mean an empty queue on SQS (a short poll samples only some of its servers,
 * and counts lag), so it long-polls and stops only when the queue's own counts agree: no visible
 * message left (ApproximateNumberOfMessages, ...Delayed) and no message in flight except the ones this
 * call holds (ApproximateNumberOfMessagesNotVisible counts those too, so it can never reach 0 here).
 * Messages held by another consumer become visible again when it lets go of them, and are received then.
 */
export async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  visibilitySeconds: number,
  onProgress?: (received: number, waitingFor: number) => void,
): Promise<DeadLetter[]> {
  const letters = new Map<string, DeadLetter>();
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilitySeconds, WaitTimeSeconds: LONG_POLL_SECONDS }),
    );
    // Keyed by message id: a message whose visibility ran out while held comes back with a new receipt handle.
    for (const message of Messages) letters.set(message.MessageId!, parseDeadLetter(message.Body ?? '', message.ReceiptHandle!, message.MessageId!));
    if (Messages.length > 0) continue;
    const waitingFor = await messagesLeft(sqs, queueUrl, letters.size);
    if (waitingFor === 0) return [...letters.values()];
    onProgress?.(letters.size, waitingFor);
  }
}

/** How many messages the queue holds besides the `held` ones in flight with us. */
async function messagesLeft(sqs: SQSClient, queueUrl: string, held: number): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const count = (name: string) => Number(Attributes[name as keyof typeof Attributes] ?? 0);
  return count('ApproximateNumberOfMessages') + count('ApproximateNumberOfMessagesDelayed') + Math.max(0, count('ApproximateNumberOfMessagesNotVisible') - held);
}

export function parseDeadLetter(body: string, receiptHandle: string, messageId: string): DeadLetter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { receiptHandle, messageId, reason: `not JSON: ${body.slice(0, 80)}` };
  }
  const letter = parsed as Partial<DeadLetterMessage> & Partial<S3ObjectCreatedEvent>;
  if (letter.originalEvent) return { receiptHandle, messageId, event: letter.originalEvent, reason: letter.reason ?? '', executionId: letter.executionId };
  if (letter.source === 'aws.s3' && letter.detail) return { receiptHandle, messageId, event: letter as S3ObjectCreatedEvent, reason: 'the rule could not start an execution' };
  // A status-change event the execution-status net could not handle (its rule target's or its own
  // dead letter): the execution's input is the upload event.
  const change = parsed as Partial<ExecutionStatusChangeEvent>;
  if (change.source === 'aws.states' && typeof change.detail?.input === 'string') {
    const reason = `the execution-status net could not record ${change.detail.status} execution ${change.detail.executionArn}`;
    try {
      const event = JSON.parse(change.detail.input) as S3ObjectCreatedEvent;
      if (event?.source === 'aws.s3') return { receiptHandle, messageId, event, reason, executionId: change.detail.executionArn };
    } catch {
      // Falls through: nothing to replay.
    }
  }
  return { receiptHandle, messageId, reason: 'no event to replay in this message' };
}

export async function deleteLetter(sqs: SQSClient, queueUrl: string, letter: DeadLetter): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle }));
}

/** Puts a message back for later: visible again at once. */
export async function releaseLetter(sqs: SQSClient, queueUrl: string, letter: DeadLetter): Promise<void> {
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle, VisibilityTimeout: 0 }));
}
