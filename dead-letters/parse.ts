/**
 * Reads one dead-letter message. A message is either picflow's DeadLetterMessage (sent by the state
 * machine or the execution-status net: `originalEvent` inside), the bare EventBridge event (sent by the
 * rule's target when it could not start an execution), or a status-change event the net could not handle
 * (its input is the upload event); each yields the event to run again, and what the message says failed.
 */
import type { DeadLetterMessage, ExecutionStatusChangeEvent, S3ObjectCreatedEvent } from '../tasks/shared/types';
import type { FailureEntry } from './build';

export interface DeadLetter {
  receiptHandle: string;
  messageId: string;
  event?: S3ObjectCreatedEvent;
  /** What the message says went wrong (the stored reason), for printing. */
  reason: string;
  executionId?: string;
  /** The stored status (FAILED, PARTIAL) of a DeadLetterMessage. */
  status?: string;
  /** The image, as the message names it, or else from its event. */
  imageId?: string;
  /** When the execution failed (or, without that, when the event happened). */
  failedAt?: string;
  /** The failed states a DeadLetterMessage lists; none for the other kinds. */
  failures: FailureEntry[];
}

export function parseDeadLetter(body: string, receiptHandle: string, messageId: string): DeadLetter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { receiptHandle, messageId, reason: `not JSON: ${body.slice(0, 80)}`, failures: [] };
  }
  const replay = whatToReplay(parsed);
  return { receiptHandle, messageId, ...replay, ...described(parsed, replay.event) };
}

function whatToReplay(parsed: unknown): Pick<DeadLetter, 'event' | 'reason' | 'executionId'> {
  const letter = (parsed ?? {}) as Partial<DeadLetterMessage> & Partial<S3ObjectCreatedEvent>;
  if (letter.originalEvent) return { event: letter.originalEvent, reason: letter.reason ?? '', executionId: letter.executionId };
  if (letter.source === 'aws.s3' && letter.detail)
    return { event: letter as S3ObjectCreatedEvent, reason: 'the rule could not start an execution' };
  // A status-change event the execution-status net could not handle (its rule target's or its own
  // dead letter): the execution's input is the upload event.
  const change = (parsed ?? {}) as Partial<ExecutionStatusChangeEvent>;
  if (change.source === 'aws.states' && typeof change.detail?.input === 'string') {
    const reason = `the execution-status net could not record ${change.detail.status} execution ${change.detail.executionArn}`;
    try {
      const event = JSON.parse(change.detail.input) as S3ObjectCreatedEvent;
      if (event?.source === 'aws.s3') return { event, reason, executionId: change.detail.executionArn };
    } catch {
      // Falls through: nothing to replay.
    }
  }
  return { reason: 'no event to replay in this message' };
}

/** The message's own description of the failure, read defensively: any JSON may sit in the queue. */
function described(
  parsed: unknown,
  event: S3ObjectCreatedEvent | undefined,
): Pick<DeadLetter, 'status' | 'imageId' | 'failedAt' | 'failures'> {
  const fields = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  const key = event?.detail.object.key; // raw, as EventBridge sends it
  const failures = Array.isArray(fields.failures)
    ? (fields.failures as Record<string, unknown>[]).map((f) => ({
        state: String(f.state ?? ''),
        error: String(f.error ?? ''),
        cause: String(f.cause ?? ''),
      }))
    : [];
  return {
    status: typeof fields.status === 'string' ? fields.status : undefined,
    imageId: typeof fields.imageId === 'string' ? fields.imageId : event && key ? `${event.detail.bucket.name}/${key}` : undefined,
    failedAt: typeof fields.failedAt === 'string' ? fields.failedAt : event?.time,
    failures,
  };
}
