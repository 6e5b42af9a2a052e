/**
 * The dead-letter queue's SQS side: receive every message (for a replay, or a short look for a listing),
 * delete one, or put one back. Each message is read with parse.ts.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseDeadLetter, type DeadLetter } from './parse';

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
    const received = await receiveBatch(sqs, queueUrl, visibilitySeconds, LONG_POLL_SECONDS);
    // Keyed by message id: a message whose visibility ran out while held comes back with a new receipt handle.
    for (const letter of received) letters.set(letter.messageId, letter);
    if (received.length > 0) continue;
    const waitingFor = await messagesLeft(sqs, queueUrl, letters.size);
    if (waitingFor === 0) return [...letters.values()];
    onProgress?.(letters.size, waitingFor);
  }
}

/**
 * The messages visible now, for a listing: received with a short visibility (short polls until one comes
 * back empty), then made visible again at once. Messages held by a replay are not waited for.
 */
export async function peekAll(sqs: SQSClient, queueUrl: string, visibilitySeconds: number): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  try {
    for (;;) {
      const received = await receiveBatch(sqs, queueUrl, visibilitySeconds, 0);
      if (received.length === 0) break;
      letters.push(...received);
    }
  } finally {
    await Promise.all(letters.map((letter) => releaseLetter(sqs, queueUrl, letter).catch(() => undefined)));
  }
  return letters;
}

async function receiveBatch(sqs: SQSClient, queueUrl: string, visibilitySeconds: number, waitSeconds: number): Promise<DeadLetter[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: waitSeconds,
    }),
  );
  return Messages.map((message) => parseDeadLetter(message.Body ?? '', message.ReceiptHandle!, message.MessageId!));
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
  return (
    count('ApproximateNumberOfMessages') +
    count('ApproximateNumberOfMessagesDelayed') +
    Math.max(0, count('ApproximateNumberOfMessagesNotVisible') - held)
  );
}

export async function deleteLetter(sqs: SQSClient, queueUrl: string, letter: DeadLetter): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle }));
}

/** Puts a message back for later: visible again at once. */
export async function releaseLetter(sqs: SQSClient, queueUrl: string, letter: DeadLetter): Promise<void> {
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle, VisibilityTimeout: 0 }));
}
