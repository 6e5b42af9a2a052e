/** The local SQS server's queues on disk: one folder per queue, one JSON file per message, written atomically. */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { notAJsonObject, quarantine } from '../fs/quarantine';

export interface StoredMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
}

export interface Queue {
  name: string;
  dir: string;
  messages: Map<string, StoredMessage>;
  /** Receipt handles are valid until the message is received again; visibility lives in memory. */
  invisibleUntil: Map<string, number>;
  visibilityTimeoutSeconds: number;
}

export function loadQueues(directory: string): Map<string, Queue> {
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

export function createQueue(directory: string, name: string): Queue {
  const dir = join(directory, name);
  mkdirSync(dir, { recursive: true });
  return { name, dir, messages: new Map(), invisibleUntil: new Map(), visibilityTimeoutSeconds: 30 };
}

/** Write-then-rename, so a crash mid-write never leaves a half-written message behind. */
export function persist(queue: Queue, message: StoredMessage): void {
  queue.messages.set(message.messageId, message);
  const file = join(queue.dir, `${message.messageId}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(message));
  renameSync(`${file}.tmp`, file);
}

export function receiptHandle(message: StoredMessage): string {
  return Buffer.from(`${message.messageId}#${message.receiveCount}`).toString('base64url');
}

export function messageForReceipt(queue: Queue, handle: unknown): StoredMessage | undefined {
  const [id, count] = Buffer.from(String(handle ?? ''), 'base64url')
    .toString()
    .split('#');
  const message = queue.messages.get(id);
  // A handle from an earlier receive is stale once the message was received again (as in SQS).
  return message && String(message.receiveCount) === count ? message : undefined;
}

/** Deletes one message's file (and the message). */
export function removeMessage(queue: Queue, messageId: string): void {
  queue.messages.delete(messageId);
  queue.invisibleUntil.delete(messageId);
  rmSync(join(queue.dir, `${messageId}.json`), { force: true });
}
