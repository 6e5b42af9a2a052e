/**
 * GET /api/dead-letters (the DLQ's messages: received briefly, then released),
 * POST /api/dead-letters/replay ({messageIds?, includePermanent?}: the same replay as `picflow replay`) and
 * POST /api/dead-letters/discard ({messageIds?, allPermanent?}: the same as `picflow dlq discard`).
 */
import type { DeadLetter } from '../../../dead-letters/parse';
import { discardLetters } from '../../../dead-letters/discard';
import { peekAll } from '../../../dead-letters/queue';
import { replayDeadLetters } from '../../../dead-letters/replay';
import { HttpError, readJson, sendJson } from '../http-responses';
import type { DeadLetterSummary, DiscardResponse, ReplayResponse } from '../shared/api-types';
import type { ConsoleContext, Route } from './route';

const MESSAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** How long a listing hides each message before it puts them all back. */
const DEAD_LETTER_PEEK_SECONDS = 10;

/** Dead-letter listings and replays take turns: a listing hides messages for a moment. */
export class QueueTurns {
  private last: Promise<unknown> = Promise.resolve();

  take<T>(work: () => Promise<T>): Promise<T> {
    const run = this.last.then(work, work);
    this.last = run.catch(() => undefined);
    return run;
  }

  /** Resolves once the work already queued is done. */
  async idle(): Promise<void> {
    await this.last;
  }
}

export function failureRoutes({ stack }: ConsoleContext, turns: QueueTurns): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/dead-letters',
      handle: async ({ res }) => {
        const letters = await turns.take(() => peekAll(stack.clients.sqs, stack.queueUrl, DEAD_LETTER_PEEK_SECONDS));
        const messages = letters.map(summarizeLetter).sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
        sendJson(res, 200, { messages });
      },
    },
    {
      method: 'POST',
      path: '/api/dead-letters/replay',
      handle: async ({ req, res }) => {
        const body = (await readJson(req)) as { messageIds?: unknown; includePermanent?: unknown };
        const messageIds = readMessageIds(body.messageIds);
        // A message named by its id (the console's per-message button) is replayed whatever its failure.
        const includePermanent = body.includePermanent === true || messageIds !== undefined;
        const outcomes = await turns.take(() => replayDeadLetters(stack, { messageIds, includePermanent }));
        const response: ReplayResponse = {
          outcomes: outcomes.map((o) => ({
            messageId: o.letter.messageId,
            status: o.status,
            detail: o.detail,
            executionName: o.executionArn?.split(':').pop(),
            message: o.message,
            ...(o.permanentKind ? { permanentKind: o.permanentKind } : {}),
          })),
        };
        sendJson(res, 200, response);
      },
    },
    {
      method: 'POST',
      path: '/api/dead-letters/discard',
      handle: async ({ req, res }) => {
        const body = (await readJson(req)) as { messageIds?: unknown; allPermanent?: unknown };
        const messageIds = readMessageIds(body.messageIds);
        if (messageIds === undefined && body.allPermanent !== true)
          throw new HttpError(400, 'name the messageIds to discard, or set allPermanent');
        const result = await turns.take(() =>
          discardLetters(stack.clients.sqs, stack.queueUrl, { messageIds, allPermanent: body.allPermanent === true }),
        );
        const response: DiscardResponse = { discarded: result.discarded.map(summarizeLetter), notFound: result.notFound };
        sendJson(res, 200, response);
      },
    },
  ];
}

function readMessageIds(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 100 || !value.every((id) => typeof id === 'string' && MESSAGE_ID.test(id))) {
    throw new HttpError(400, 'messageIds must be a list of message ids');
  }
  return value as string[];
}

/** A message as the API (and `picflow dlq list --json`) shows it. */
export function summarizeLetter(letter: DeadLetter): DeadLetterSummary {
  return {
    messageId: letter.messageId,
    reason: letter.reason,
    status: letter.status,
    imageId: letter.imageId,
    key: letter.event?.detail.object.key, // raw, as EventBridge sends it
    executionId: letter.executionId,
    executionName: letter.executionId?.split(':').pop(),
    failedAt: letter.failedAt,
    failures: letter.failures,
    replayable: letter.event !== undefined,
    permanent: letter.permanent,
    failureKind: letter.failureKind,
    permanence: letter.permanence,
  };
}
