/**
 * Replays a dead-letter queue, on AWS or in a local stack: every message's original S3 event runs
 * through the pipeline again. A message is deleted only when its re-run succeeded; otherwise it goes
 * back to the queue, and the duplicate that the failed re-run sent is removed, so each failed image
 * keeps exactly one message. Used by `picflow replay` (locally and on AWS) and by the console.
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter } from './parse';
import { deleteLetter, receiveAll, releaseLetter } from './queue';
import { mapConcurrently } from './map-concurrently';
import type { S3ObjectCreatedEvent } from '../tasks/shared/types';
import type { LocalStack } from '../local/stack/local-stack';

export interface ReplayOutcome {
  letter: DeadLetter;
  /** SKIPPED: the re-run ended without processing the image (AlreadyProcessed, Superseded), or there was nothing to run. */
  status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'DRY_RUN';
  detail: string;
  executionArn?: string;
  /** What became of the message, and why. */
  message?: { deleted: boolean; why: string };
}

/** Which messages a replay takes, and whether it only lists them. */
export interface ReplaySelection {
  dryRun?: boolean;
  /** Replay only these message ids (the console's per-message button); all when absent. */
  messageIds?: string[];
}

/**
 * How long a received message stays hidden. Messages waiting for their turn are kept hidden by a
 * heartbeat (every third of this), so a replay may take any time; after a crash they come back within it.
 */
const VISIBILITY_SECONDS = 300;

/** Runs one replayed event to its end: how depends on where (the local engine, or AWS Step Functions). */
export type RunExecution = (
  event: S3ObjectCreatedEvent,
) => Promise<{ status: string; executionArn: string; detail: string; output?: unknown }>;

/**
 * How a SUCCEEDED execution really ended: it may have processed nothing. AlreadyProcessed (ClaimImage
 * said SKIP) and Superseded (StoreResult found a newer version) are Succeed states too.
 */
export function skippedRun(output: unknown): { state: 'AlreadyProcessed' | 'Superseded'; reason: string; obsolete: boolean } | undefined {
  const out = (typeof output === 'string' ? safeParse(output) : output) as
    | { claim?: { decision?: string; reason?: string }; status?: string; reason?: string }
    | undefined;
  if (out?.claim?.decision === 'SKIP') {
    const reason = out.claim.reason ?? '';
    // Obsolete: this version is done, or a newer one owns the key (and has its own message if it failed).
    // Otherwise (another execution is processing it right now...) the message stays until that is known.
    return { state: 'AlreadyProcessed', reason, obsolete: /^(a newer version owns the key|already SUCCEEDED)/.test(reason) };
  }
  if (out?.status === 'SUPERSEDED') return { state: 'Superseded', reason: out.reason ?? '', obsolete: true };
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Where a replay is, for printing on long work. */
export type ReplayProgress =
  | { phase: 'receiving'; received: number; waitingFor: number }
  | { phase: 'replaying'; done: number; total: number; succeeded: number; failed: number };

export interface QueueReplayOptions extends ReplaySelection {
  sqs: SQSClient;
  queueUrl: string;
  run: RunExecution;
  /** Re-executions running at once (default: all). */
  concurrency?: number;
  onProgress?: (progress: ReplayProgress) => void;
  /** @default 300 */
  visibilitySeconds?: number;
}

/** Replays a dead-letter queue, wherever it is; see the module comment for what happens to each message. */
export async function replayQueue(options: QueueReplayOptions): Promise<ReplayOutcome[]> {
  const { sqs, queueUrl, onProgress } = options;
  const visibilitySeconds = options.visibilitySeconds ?? VISIBILITY_SECONDS;
  const all = await receiveAll(sqs, queueUrl, visibilitySeconds, (received, waitingFor) =>
    onProgress?.({ phase: 'receiving', received, waitingFor }),
  );
  const wanted = options.messageIds ? new Set(options.messageIds) : undefined;
  const letters = wanted ? all.filter((l) => wanted.has(l.messageId)) : all;
  await Promise.all(all.filter((l) => !letters.includes(l)).map((l) => releaseLetter(sqs, queueUrl, l)));
  if (options.dryRun) {
    await Promise.all(letters.map((l) => releaseLetter(sqs, queueUrl, l)));
    return letters.map((letter) => ({ letter, status: 'DRY_RUN', detail: letter.reason }));
  }
  const held = new Set(letters);
  const stopHeartbeat = keepHidden(sqs, queueUrl, held, visibilitySeconds);
  const replayArns = new Set<string>();
  const tally = { done: 0, total: letters.length, succeeded: 0, failed: 0 };
  try {
    const outcomes = await mapConcurrently(
      letters,
      options.concurrency ?? Math.max(1, letters.length),
      async (letter): Promise<ReplayOutcome> => {
        const outcome = await replayOne(options, letter, replayArns);
        held.delete(letter);
        tally.done += 1;
        if (outcome.status === 'SUCCEEDED') tally.succeeded += 1;
        if (outcome.status === 'FAILED') tally.failed += 1;
        onProgress?.({ phase: 'replaying', ...tally });
        return outcome;
      },
    );
    await removeDuplicatesOf(sqs, queueUrl, replayArns);
    return outcomes;
  } finally {
    stopHeartbeat();
  }
}

/** One message: run its event, then delete it (success) or put it back (failure, or nothing to run). */
async function replayOne(options: QueueReplayOptions, letter: DeadLetter, replayArns: Set<string>): Promise<ReplayOutcome> {
  const { sqs, queueUrl } = options;
  if (!letter.event) {
    await releaseLetter(sqs, queueUrl, letter);
    return { letter, status: 'SKIPPED', detail: letter.reason, message: { deleted: false, why: 'nothing to replay in it' } };
  }
  let result: Awaited<ReturnType<RunExecution>>;
  try {
    result = await options.run(letter.event);
  } catch (error) {
    // Could not even start (e.g. still throttled after every retry): the message stays for a later replay.
    await releaseLetter(sqs, queueUrl, letter);
    return { letter, status: 'FAILED', detail: `not started: ${(error as Error).name}: ${(error as Error).message}` };
  }
  const { status, executionArn, detail } = result;
  replayArns.add(executionArn);
  const skipped = status === 'SUCCEEDED' ? skippedRun(result.output) : undefined;
  if (skipped) {
    const text = `${skipped.state}: ${skipped.reason}`;
    if (skipped.obsolete) {
      await deleteLetter(sqs, queueUrl, letter);
      return {
        letter,
        status: 'SKIPPED',
        detail: text,
        executionArn,
        message: { deleted: true, why: 'obsolete: nothing left to do for this upload' },
      };
    }
    await releaseLetter(sqs, queueUrl, letter);
    return {
      letter,
      status: 'SKIPPED',
      detail: text,
      executionArn,
      message: { deleted: false, why: 'kept until the other run is known to have succeeded' },
    };
  }
  if (status === 'SUCCEEDED') {
    await deleteLetter(sqs, queueUrl, letter);
    return { letter, status: 'SUCCEEDED', detail, executionArn, message: { deleted: true, why: 'the re-run succeeded' } };
  }
  await releaseLetter(sqs, queueUrl, letter);
  return { letter, status: 'FAILED', detail, executionArn, message: { deleted: false, why: 'failed again' } };
}

/**
 * Keeps the messages still waiting or running hidden: with bounded concurrency the last ones may wait
 * longer than their visibility timeout, and a message that reappeared could no longer be released or
 * deleted with its receipt handle.
 */
function keepHidden(sqs: SQSClient, queueUrl: string, held: Set<DeadLetter>, visibilitySeconds: number): () => void {
  const timer = setInterval(
    () => {
      const letters = [...held];
      for (let i = 0; i < letters.length; i += 10) {
        const entries = letters
          .slice(i, i + 10)
          .map((l, n) => ({ Id: String(n), ReceiptHandle: l.receiptHandle, VisibilityTimeout: Math.ceil(visibilitySeconds) }));
        // A failed extension is not fatal: at worst that message is replayed again later.
        sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries })).catch(() => undefined);
      }
    },
    (visibilitySeconds * 1000) / 3,
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** Replays the local stack's dead-letter queue through its own engine. */
export function replayDeadLetters(stack: LocalStack, options: ReplaySelection = {}): Promise<ReplayOutcome[]> {
  return replayQueue({
    ...options,
    sqs: stack.clients.sqs,
    queueUrl: stack.queueUrl,
    run: async (event) => {
      const record = await stack.runner.start(event);
      const detail = record.status === 'SUCCEEDED' ? record.name : `${record.error}: ${record.cause ?? ''}`;
      return { status: record.status, executionArn: record.executionArn, detail, output: record.output };
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
