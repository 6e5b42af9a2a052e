/**
 * Reads the dead-letter queue for replays. A message is either picflow's DeadLetterMessage
 * (sent by the state machine or the execution-status net: `originalEvent` inside), the bare
 * EventBridge event (sent by the rule's target when it could not start an execution), or a status-change
 * event the net could not handle (its input is the upload event); each yields the event to run again.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterMessage, ExecutionStatusChangeEvent, S3ObjectCreatedEvent } from '../../tasks/shared/types';

export interface DeadLetter {
  receiptHandle: string;
  messageId: string;
  event?: S3ObjectCreatedEvent;
  /** What the message says went wrong (the stored reason), for printing. */
  reason: string;
  executionId?: string;
}

/** Every message currently in the queue, each hidden for `visibilitySeconds` while it is replayed. */
export async function receiveAll(sqs: SQSClient, queueUrl: string, visibilitySeconds: number): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilitySeconds, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return letters;
    for (const message of Messages) letters.push(parseDeadLetter(message.Body ?? '', message.ReceiptHandle!, message.MessageId!));
  }
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
