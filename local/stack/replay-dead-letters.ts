/**
 * Replays the dead-letter queue of a running local stack: every message's original S3 event runs
 * through the pipeline again. A message is deleted only when its re-run succeeded; otherwise it goes
 * back to the queue, and the duplicate that the failed re-run sent is removed, so each failed image
 * keeps exactly one message. Used by `picflow replay` and by the console's Replay buttons.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { deleteLetter, receiveAll, releaseLetter, type DeadLetter } from './dead-letters';
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

export async function replayDeadLetters(stack: LocalStack, options: ReplayOptions = {}): Promise<ReplayOutcome[]> {
  const sqs = stack.clients.sqs;
  const all = await receiveAll(sqs, stack.queueUrl, VISIBILITY_SECONDS);
  const wanted = options.messageIds ? new Set(options.messageIds) : undefined;
  const letters = wanted ? all.filter((l) => wanted.has(l.messageId)) : all;
  await Promise.all(all.filter((l) => !letters.includes(l)).map((l) => releaseLetter(sqs, stack.queueUrl, l)));
  if (options.dryRun) {
    await Promise.all(letters.map((l) => releaseLetter(sqs, stack.queueUrl, l)));
    return letters.map((letter) => ({ letter, status: 'DRY_RUN', detail: letter.reason }));
  }
  const replayArns = new Set<string>();
  const outcomes = await Promise.all(
    letters.map(async (letter): Promise<ReplayOutcome> => {
      if (!letter.event) {
        await releaseLetter(sqs, stack.queueUrl, letter);
        return { letter, status: 'SKIPPED', detail: letter.reason };
      }
      const record = await stack.runner.start(letter.event);
      replayArns.add(record.executionArn);
      if (record.status === 'SUCCEEDED') {
        await deleteLetter(sqs, stack.queueUrl, letter);
        return { letter, status: 'SUCCEEDED', detail: record.name, executionArn: record.executionArn };
      }
      await releaseLetter(sqs, stack.queueUrl, letter);
      return { letter, status: 'FAILED', detail: `${record.error}: ${record.cause ?? ''}`, executionArn: record.executionArn };
    }),
  );
  await removeDuplicatesOf(sqs, stack.queueUrl, replayArns);
  return outcomes;
}

/** Deletes the messages this replay's own failed executions sent: the originals stay. */
export async function removeDuplicatesOf(sqs: SQSClient, queueUrl: string, executionArns: Set<string>): Promise<void> {
  if (executionArns.size === 0) return;
  const letters = await receiveAll(sqs, queueUrl, 30);
  for (const letter of letters) {
    if (letter.executionId && executionArns.has(letter.executionId)) await deleteLetter(sqs, queueUrl, letter);
    else await releaseLetter(sqs, queueUrl, letter);
  }
}
