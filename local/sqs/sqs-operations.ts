/**
 * The SQS operations the local server implements, one function each, keyed by their X-Amz-Target name:
 * CreateQueue, GetQueueUrl, ListQueues, SendMessage, ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility, GetQueueAttributes and PurgeQueue.
 */
import { createHash, randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT } from '../local-account';
import { createQueue, messageForReceipt, persist, receiptHandle, removeMessage, type Queue, type StoredMessage } from './queue-store';

export class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** What every operation works on: the server's queues (loaded from `directory`) and how their URLs read. */
export interface SqsState {
  directory: string;
  queues: Map<string, Queue>;
  queueUrl(name: string): string;
}

type Input = Record<string, unknown>;
type Operation = (state: SqsState, input: Input) => unknown;

export const SQS_OPERATIONS: Record<string, Operation> = {
  CreateQueue(state, input) {
    const name = String(input.QueueName ?? '');
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) throw new SqsError('InvalidParameterValue', `Invalid queue name: ${name}`);
    if (!state.queues.has(name)) state.queues.set(name, createQueue(state.directory, name));
    const timeout = Number((input.Attributes as Record<string, string> | undefined)?.VisibilityTimeout ?? 30);
    state.queues.get(name)!.visibilityTimeoutSeconds = timeout;
    return { QueueUrl: state.queueUrl(name) };
  },

  GetQueueUrl(state, input) {
    const name = String(input.QueueName ?? '');
    if (!state.queues.has(name)) throw new SqsError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
    return { QueueUrl: state.queueUrl(name) };
  },

  ListQueues(state, input) {
    return { QueueUrls: [...state.queues.keys()].filter((n) => n.startsWith(String(input.QueueNamePrefix ?? ''))).map(state.queueUrl) };
  },

  SendMessage(state, input) {
    const queue = queueFromUrl(state, input.QueueUrl);
    const body = String(input.MessageBody ?? '');
    if (body.length === 0) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (Buffer.byteLength(body) > 256 * 1024) throw new SqsError('InvalidParameterValue', 'Message must be shorter than 262144 bytes.');
    const message: StoredMessage = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0 };
    persist(queue, message);
    return { MessageId: message.messageId, MD5OfMessageBody: md5(body) };
  },

  ReceiveMessage(state, input) {
    const queue = queueFromUrl(state, input.QueueUrl);
    const max = Math.min(Number(input.MaxNumberOfMessages ?? 1), 10);
    const visibility = Number(input.VisibilityTimeout ?? queue.visibilityTimeoutSeconds);
    const now = Date.now();
    const visible = [...queue.messages.values()]
      .filter((m) => (queue.invisibleUntil.get(m.messageId) ?? 0) <= now)
      .sort((a, b) => a.sentAt - b.sentAt)
      .slice(0, max);
    return {
      Messages: visible.map((m) => {
        m.receiveCount += 1;
        m.firstReceivedAt ??= now;
        persist(queue, m);
        queue.invisibleUntil.set(m.messageId, now + visibility * 1000);
        return {
          MessageId: m.messageId,
          ReceiptHandle: receiptHandle(m),
          MD5OfBody: md5(m.body),
          Body: m.body,
          Attributes: {
            SentTimestamp: String(m.sentAt),
            ApproximateReceiveCount: String(m.receiveCount),
            ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
          },
        };
      }),
    };
  },

  DeleteMessage(state, input) {
    const queue = queueFromUrl(state, input.QueueUrl);
    const message = messageForReceipt(queue, input.ReceiptHandle);
    if (message) removeMessage(queue, message.messageId);
    return {};
  },

  ChangeMessageVisibility(state, input) {
    const queue = queueFromUrl(state, input.QueueUrl);
    const message = messageForReceipt(queue, input.ReceiptHandle);
    if (!message) throw new SqsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid.');
    queue.invisibleUntil.set(message.messageId, Date.now() + Number(input.VisibilityTimeout ?? 0) * 1000);
    return {};
  },

  GetQueueAttributes(state, input) {
    const queue = queueFromUrl(state, input.QueueUrl);
    const now = Date.now();
    const inFlight = [...queue.messages.keys()].filter((id) => (queue.invisibleUntil.get(id) ?? 0) > now).length;
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(queue.messages.size - inFlight),
        ApproximateNumberOfMessagesNotVisible: String(inFlight),
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        QueueArn: `arn:aws:sqs:local:${LOCAL_ACCOUNT}:${queue.name}`,
      },
    };
  },

  PurgeQueue(state, input) {
    const queue = queueFromUrl(state, input.QueueUrl);
    for (const id of [...queue.messages.keys()]) removeMessage(queue, id);
    return {};
  },
};

/** Runs one operation; an unknown name is the error SQS gives. */
export function runOperation(state: SqsState, operation: string, input: Input): unknown {
  // Own properties only: `toString` or `__proto__` is no operation.
  if (!Object.hasOwn(SQS_OPERATIONS, operation)) {
    throw new SqsError('UnsupportedOperation', `picflow's local SQS does not implement ${operation || '(no X-Amz-Target)'}`);
  }
  return SQS_OPERATIONS[operation](state, input);
}

function queueFromUrl(state: SqsState, url: unknown): Queue {
  const name =
    String(url ?? '')
      .split('/')
      .pop() ?? '';
  const queue = state.queues.get(name);
  if (!queue) throw new SqsError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
  return queue;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
