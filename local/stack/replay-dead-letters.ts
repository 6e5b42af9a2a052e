/**
 * Replays the dead-letter queue of a running local stack: every message's original S3 event runs
 * through the pipeline again. A message is deleted only when its re-run succeeded; otherwise it goes
 * back to the queue, and the duplicate that the failed re-run sent is removed, so each failed image
 * keeps exactly one message. Used by `picflow replay` (locally and on AWS) and by the console.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { deleteLetter, receiveAll, releaseLetter, type DeadLetter } from './dead-letters';
import type { S3ObjectCreatedEvent } from '../../tasks/shared/types';
import type { LocalStack } from './local-stack';

export interface ReplayOutcome {
  letter: DeadLetter;
  status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'DRY_RUN';
  detail: string;
  executionArn?: string;
}

export interface ReplayOptions {
  dryRun?: boolean;
  /** Replay only these message ids (the console's per-message button); all when absent. */
  messageIds?: string[];
}

/** Long enough for a batch of re-runs; after a crash mid-replay the messages become visible again. */
const VISIBILITY_SECONDS = 900;

/** Runs one replayed event to its end: how depends on where (the local engine, or AWS Step Functions). */
export type RunExecution = (event: S3ObjectCreatedEvent) => Promise<{ status: string; executionArn: string; detail: string }>;

export interface QueueReplayOptions extends ReplayOptions {
  sqs: SQSClient;
  queueUrl: string;
  run: RunExecution;
}

/** Replays a dead-letter queue, wherever it is; see the module comment for what happens to each message. */
export async function replayQueue(options: QueueReplayOptions): Promise<ReplayOutcome[]> {
  const { sqs, queueUrl } = options;
  const all = await receiveAll(sqs, queueUrl, VISIBILITY_SECONDS);
  const wanted = options.messageIds ? new Set(options.messageIds) : undefined;
  const letters = wanted ? all.filter((l) => wanted.has(l.messageId)) : all;
  await Promise.all(all.filter((l) => !letters.includes(l)).map((l) => releaseLetter(sqs, queueUrl, l)));
  if (options.dryRun) {
    await Promise.all(letters.map((l) => releaseLetter(sqs, queueUrl, l)));
    return letters.map((letter) => ({ letter, status: 'DRY_RUN', detail: letter.reason }));
  }
  const replayArns = new Set<string>();
  const outcomes = await Promise.all(
    letters.map(async (letter): Promise<ReplayOutcome> => {
      if (!letter.event) {
        await releaseLetter(sqs, queueUrl, letter);
        return { letter, status: 'SKIPPED', detail: letter.reason };
      }
      const { status, executionArn, detail } = await options.run(letter.event);
      replayArns.add(executionArn);
      if (status === 'SUCCEEDED') {
        await deleteLetter(sqs, queueUrl, letter);
        return { letter, status: 'SUCCEEDED', detail, executionArn };
      }
      await releaseLetter(sqs, queueUrl, letter);
      return { letter, status: 'FAILED', detail, executionArn };
    }),
  );
  await removeDuplicatesOf(sqs, queueUrl, replayArns);
  return outcomes;
}

/** Replays the local stack's dead-letter queue through its own engine. */
export function replayDeadLetters(stack: LocalStack, options: ReplayOptions = {}): Promise<ReplayOutcome[]> {
  return replayQueue({
    ...options,
    sqs: stack.clients.sqs,
    queueUrl: stack.queueUrl,
    run: async (event) => {
      const record = await stack.runner.start(event);
      const detail = record.status === 'SUCCEEDED' ? record.name : `${record.error}: ${record.cause ?? ''}`;
      return { status: record.status, executionArn: record.executionArn, detail };
    },
  });
}

/** Deletes the messages this replay's own failed executions sent: the originals stay. */
async function removeDuplicatesOf(sqs: SQSClient, queueUrl: string, executionArns: Set<string>): Promise<void> {
  if (executionArns.size === 0) return;
  const letters = await receiveAll(sqs, queueUrl, 30);
  for (const letter of letters) {
    if (letter.executionId && executionArns.has(letter.executionId)) await deleteLetter(sqs, queueUrl, letter);
    else await releaseLetter(sqs, queueUrl, letter);
  }
}
