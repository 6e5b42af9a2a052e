/**
 * Deletes chosen dead letters (by message id, or every permanent failure) and puts the others back:
 * the way out for an image that can never succeed. Used by `picflow dlq discard` (locally, through the
 * console, and on AWS).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter } from './parse';
import { deleteLetter, receiveAll, releaseLetter } from './queue';

export interface DiscardSelection {
  messageIds?: string[];
  /** Every message whose failure is permanent (permanence.ts). */
  allPermanent?: boolean;
}

export interface DiscardResult {
  discarded: DeadLetter[];
  /** Asked-for message ids that are not in the queue (already gone, or a typo). */
  notFound: string[];
}

/** How long a discard holds every message: it deletes the chosen ones, then releases the rest at once. */
const VISIBILITY_SECONDS = 60;

export async function discardLetters(sqs: SQSClient, queueUrl: string, selection: DiscardSelection): Promise<DiscardResult> {
  const wanted = new Set(selection.messageIds ?? []);
  // Every message, not a sample: a message id named on the command line must be found if it is there.
  const all = await receiveAll(sqs, queueUrl, VISIBILITY_SECONDS);
  const chosen = all.filter((l) => wanted.has(l.messageId) || (selection.allPermanent && l.permanent));
  for (const letter of all) {
    if (chosen.includes(letter)) await deleteLetter(sqs, queueUrl, letter);
    else await releaseLetter(sqs, queueUrl, letter);
  }
  const found = new Set(all.map((l) => l.messageId));
  return { discarded: chosen, notFound: [...wanted].filter((id) => !found.has(id)) };
}
