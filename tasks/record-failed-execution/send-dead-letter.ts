/** Sends a DeadLetterMessage to the dead-letter queue, as the SendToDeadLetterQueue state does (the message as its JSON body). */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/aws-clients';
import type { DeadLetterMessage } from '../shared/types';

export async function sendDeadLetter(queueUrl: string, message: DeadLetterMessage): Promise<string | undefined> {
  const sent = await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
  return sent.MessageId;
}
