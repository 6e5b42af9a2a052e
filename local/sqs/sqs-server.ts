/**
 * An SQS-compatible server for the local dead-letter queue, with messages persisted to disk so they
 * survive a restart. It speaks the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses, for the
 * operations picflow needs: CreateQueue, GetQueueUrl, ListQueues, SendMessage, ReceiveMessage,
 * DeleteMessage, ChangeMessageVisibility, GetQueueAttributes and PurgeQueue.
 *
 * Why not an existing emulator: none that runs on Node 20 here persists messages (fauxqs keeps them
 * in memory; ElasticMQ needs a JVM), and losing the DLQ on restart would lose failed images.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { notAJsonObject, quarantine } from '../fs/quarantine';
import { BodyTooLargeError, finishUnread, gateRefusal, IncompleteBodyError, readLimitedBody, type GateRefusal } from '../http/endpoint-gate';

const ACCOUNT = '000000000000';
/**
 * Largest request body. A message is at most 256 KiB, but JSON may escape each character as 6 bytes;
 * anything past this is refused (413) without being read whole (D2: unbounded reads ended the process).
 */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

interface StoredMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
}

interface Queue {
  name: string;
  dir: string;
  messages: Map<string, StoredMessage>;
  /** Receipt handles are valid until the message is received again; visibility lives in memory. */
  invisibleUntil: Map<string, number>;
  visibilityTimeoutSeconds: number;
}

export interface SqsServerOptions {
  /** Directory holding one folder per queue and one JSON file per message. */
  directory: string;
  port?: number;
  host?: string;
}

export interface SqsServer {
  endpoint: string;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startSqsServer(options: SqsServerOptions): Promise<SqsServer> {
  const queues = loadQueues(options.directory);
  const host = options.host ?? '127.0.0.1';
  let endpoint = '';
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // A request Node cannot parse (bad chunked encoding, absurd headers) gets a 400 and its socket closed.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const refusal = gateRefusal(req, (server.address() as AddressInfo).port);
      if (refusal) throw refusalError(refusal);
      if (req.method !== 'POST') throw new SqsError('UnsupportedOperation', 'the SQS JSON protocol takes POST requests only');
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^AmazonSQS\./, '');
      const body = parseJsonBody(await readLimitedBody(req, MAX_REQUEST_BYTES));
      const result = dispatch(operation, body);
      send(res, 200, result);
    } catch (error) {
      // Nothing thrown while serving a request may end the process: every failure is an answer.
      const err = toSqsError(error);
      finishUnread(req, res);
      send(res, err.status, { __type: `com.amazonaws.sqs#${err.type}`, message: err.message });
    }
  }

  function queueFromUrl(url: unknown): Queue {
    const name = String(url ?? '').split('/').pop() ?? '';
    const queue = queues.get(name);
    if (!queue) throw new SqsError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
    return queue;
  }

  function dispatch(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'CreateQueue': {
        const name = String(input.QueueName ?? '');
        if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) throw new SqsError('InvalidParameterValue', `Invalid queue name: ${name}`);
        if (!queues.has(name)) queues.set(name, createQueue(options.directory, name));
        const timeout = Number((input.Attributes as Record<string, string> | undefined)?.VisibilityTimeout ?? 30);
        queues.get(name)!.visibilityTimeoutSeconds = timeout;
        return { QueueUrl: queueUrl(name) };
      }
      case 'GetQueueUrl': {
        const name = String(input.QueueName ?? '');
        if (!queues.has(name)) throw new SqsError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
        return { QueueUrl: queueUrl(name) };
      }
      case 'ListQueues':
        return { QueueUrls: [...queues.keys()].filter((n) => n.startsWith(String(input.QueueNamePrefix ?? ''))).map(queueUrl) };
      case 'SendMessage': {
        const queue = queueFromUrl(input.QueueUrl);
        const body = String(input.MessageBody ?? '');
        if (body.length === 0) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
        if (Buffer.byteLength(body) > 256 * 1024) throw new SqsError('InvalidParameterValue', 'Message must be shorter than 262144 bytes.');
        const message: StoredMessage = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0 };
        persist(queue, message);
        return { MessageId: message.messageId, MD5OfMessageBody: md5(body) };
      }
      case 'ReceiveMessage': {
        const queue = queueFromUrl(input.QueueUrl);
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
      }
      case 'DeleteMessage': {
        const queue = queueFromUrl(input.QueueUrl);
        const message = messageForReceipt(queue, input.ReceiptHandle);
        if (message) {
          queue.messages.delete(message.messageId);
          queue.invisibleUntil.delete(message.messageId);
          rmSync(join(queue.dir, `${message.messageId}.json`), { force: true });
        }
        return {};
      }
      case 'ChangeMessageVisibility': {
        const queue = queueFromUrl(input.QueueUrl);
        const message = messageForReceipt(queue, input.ReceiptHandle);
        if (!message) throw new SqsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid.');
        queue.invisibleUntil.set(message.messageId, Date.now() + Number(input.VisibilityTimeout ?? 0) * 1000);
        return {};
      }
      case 'GetQueueAttributes': {
        const queue = queueFromUrl(input.QueueUrl);
        const now = Date.now();
        const inFlight = [...queue.messages.keys()].filter((id) => (queue.invisibleUntil.get(id) ?? 0) > now).length;
        return {
          Attributes: {
            ApproximateNumberOfMessages: String(queue.messages.size - inFlight),
            ApproximateNumberOfMessagesNotVisible: String(inFlight),
            VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
            QueueArn: `arn:aws:sqs:local:${ACCOUNT}:${queue.name}`,
          },
        };
      }
      case 'PurgeQueue': {
        const queue = queueFromUrl(input.QueueUrl);
        for (const id of queue.messages.keys()) rmSync(join(queue.dir, `${id}.json`), { force: true });
        queue.messages.clear();
        queue.invisibleUntil.clear();
        return {};
      }
      default:
        throw new SqsError('UnsupportedOperation', `picflow's local SQS does not implement ${operation || '(no X-Amz-Target)'}`);
    }
  }

  function queueUrl(name: string): string {
    return `${endpoint}/${ACCOUNT}/${name}`;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function loadQueues(directory: string): Map<string, Queue> {
  mkdirSync(directory, { recursive: true });
  const queues = new Map<string, Queue>();
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const queue = createQueue(directory, entry.name);
    for (const file of readdirSync(queue.dir)) {
      if (!file.endsWith('.json')) continue;
      const message = readMessage(join(queue.dir, file));
      if (message) queue.messages.set(message.messageId, message);
    }
    queues.set(entry.name, queue);
  }
  return queues;
}

/**
 * One stored message, or undefined when its file is corrupt, truncated or empty (a disk full or a copy
 * gone wrong; persist() itself never leaves one): that file is quarantined, and the queue starts without it.
 */
function readMessage(file: string): StoredMessage | undefined {
  const text = readFileSync(file, 'utf8');
  const problem = notAJsonObject(text) ?? notAMessage(JSON.parse(text) as Record<string, unknown>, file);
  if (problem === undefined) return JSON.parse(text) as StoredMessage;
  quarantine(file, problem);
  return undefined;
}

function notAMessage(value: Record<string, unknown>, file: string): string | undefined {
  if (typeof value.messageId !== 'string' || `${value.messageId}.json` !== basename(file)) return 'no messageId matching the file name';
  if (typeof value.body !== 'string') return 'no message body';
  if (typeof value.sentAt !== 'number' || typeof value.receiveCount !== 'number') return 'no sentAt or receiveCount';
  return undefined;
}

function createQueue(directory: string, name: string): Queue {
  const dir = join(directory, name);
  mkdirSync(dir, { recursive: true });
  return { name, dir, messages: new Map(), invisibleUntil: new Map(), visibilityTimeoutSeconds: 30 };
}

/** Write-then-rename, so a crash mid-write never leaves a half-written message behind. */
function persist(queue: Queue, message: StoredMessage): void {
  queue.messages.set(message.messageId, message);
  const file = join(queue.dir, `${message.messageId}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(message));
  renameSync(`${file}.tmp`, file);
}

function receiptHandle(message: StoredMessage): string {
  return Buffer.from(`${message.messageId}#${message.receiveCount}`).toString('base64url');
}

function messageForReceipt(queue: Queue, handle: unknown): StoredMessage | undefined {
  const [id, count] = Buffer.from(String(handle ?? ''), 'base64url').toString().split('#');
  const message = queue.messages.get(id);
  // A handle from an earlier receive is stale once the message was received again (as in SQS).
  return message && String(message.receiveCount) === count ? message : undefined;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** The JSON request document: an object, else a 400 (not a 500: the client sent it wrong). */
function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SqsError('SerializationException', 'the request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SqsError('SerializationException', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

function refusalError(refusal: GateRefusal): SqsError {
  switch (refusal.kind) {
    case 'guard':
      return new SqsError('AccessDenied', refusal.message, 403);
    case 'missing':
      return new SqsError('MissingAuthenticationToken', refusal.message, 403);
    case 'malformed':
      return new SqsError('IncompleteSignature', refusal.message, 403);
    default:
      return new SqsError('RequestExpired', refusal.message, 403);
  }
}

function toSqsError(error: unknown): SqsError {
  if (error instanceof SqsError) return error;
  if (error instanceof BodyTooLargeError) return new SqsError('RequestEntityTooLarge', `the request body is larger than ${error.limit} bytes`, 413);
  if (error instanceof IncompleteBodyError) return new SqsError('IncompleteBody', error.message);
  return new SqsError('InternalError', (error as Error)?.message ?? String(error), 500);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(json), 'x-amzn-requestid': randomUUID() });
  res.end(json);
}
