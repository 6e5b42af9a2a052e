/** Sends a DeadLetterMessage to the dead-letter queue, as the SendToDeadLetterQueue state does (the message as its JSON body). */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterMessage } from '../shared/types';

export async function sendDeadLetter(sqs: SQSClient, queueUrl: string, message: DeadLetterMessage): Promise<string | undefined> {
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
  return sent.MessageId;
}
