/**
 * GET /api/dead-letters (the DLQ's messages: received briefly, then released) and
 * POST /api/dead-letters/replay ({messageIds?}: the same replay as `picflow replay`).
 */
import type { DeadLetter } from '../../../dead-letters/parse';
import { peekAll } from '../../../dead-letters/queue';
import { replayDeadLetters } from '../../../dead-letters/replay';
import { HttpError, readJson, sendJson } from '../http-responses';
import type { DeadLetterSummary, ReplayResponse } from '../shared/api-types';
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
        const body = (await readJson(req)) as { messageIds?: unknown };
        let messageIds: string[] | undefined;
        if (body.messageIds !== undefined) {
          if (
            !Array.isArray(body.messageIds) ||
            body.messageIds.length > 100 ||
            !body.messageIds.every((id) => typeof id === 'string' && MESSAGE_ID.test(id))
          ) {
            throw new HttpError(400, 'messageIds must be a list of message ids');
          }
          messageIds = body.messageIds as string[];
        }
        const outcomes = await turns.take(() => replayDeadLetters(stack, { messageIds }));
        const response: ReplayResponse = {
          outcomes: outcomes.map((o) => ({
            messageId: o.letter.messageId,
            status: o.status,
            detail: o.detail,
            executionName: o.executionArn?.split(':').pop(),
            message: o.message,
          })),
        };
        sendJson(res, 200, response);
      },
    },
  ];
}

function summarizeLetter(letter: DeadLetter): DeadLetterSummary {
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
  };
}
