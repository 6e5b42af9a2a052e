/**
 * Builds the dead-letter message (and the readable failure texts) for the tasks that send one:
 * StoreResult, RecordFailure, RecordFailedExecution (and the local stack's settling of lost uploads).
 */
import type { DeadLetterMessage, ImageRef, S3ObjectCreatedEvent } from '../tasks/shared/types';

/** Longest cause kept per failure, and longest reason: a reason is also the Fail state's cause. */
export const MAX_CAUSE_CHARS = 1000;
export const MAX_REASON_CHARS = 1000;
/**
 * Budget for one dead-letter message. SQS takes 256 KiB, but the message also travels inside the
 * execution's state (itself limited to 256 KiB with the event and the analyses), so stay far below.
 */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;

export interface FailureEntry {
  /** The state that failed, e.g. `ValidateImage` or `DetectFaces`. */
  state: string;
  /** The error name the Catch saw, e.g. `ImageValidationError` or `Rekognition.ThrottlingException`. */
  error: string;
  /** The readable part of the cause: Lambda's `errorMessage` when the cause is its JSON, else the text. */
  cause: string;
}

/**
 * The readable part of a Step Functions `Cause`. A Lambda failure's cause is JSON with `errorType`,
 * `errorMessage` and a stack `trace`; only the message helps a reader (the trace is in the logs).
 * Other causes (timeouts, Lambda.Unknown) are plain text and kept as they are.
 */
export function causeMessage(cause: unknown): string {
  // Step Functions passes a string; an engine that hands over the parsed object is read the same way.
  const text = typeof cause === 'string' ? cause.trim() : cause && typeof cause === 'object' ? JSON.stringify(cause) : '';
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { errorMessage?: unknown; errorType?: unknown };
      if (typeof parsed.errorMessage === 'string' && parsed.errorMessage.trim() !== '') return parsed.errorMessage.trim();
      if (typeof parsed.errorType === 'string') return parsed.errorType;
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return text;
}

/** One failure as the item and the dead letter store it, its cause short enough to read. */
export function describeFailure(state: string, failure: { Error?: string; Cause?: unknown } | undefined): FailureEntry {
  return {
    state,
    error: failure?.Error || 'UnknownError',
    cause: truncate(causeMessage(failure?.Cause), MAX_CAUSE_CHARS),
  };
}

/** `ValidateImage failed: ImageValidationError: CORRUPT: the JPEG data ends early (truncated file)`. */
export function failureText(failure: FailureEntry): string {
  return `${failure.state} failed: ${failure.error}${failure.cause ? `: ${failure.cause}` : ''}`;
}

/** Cuts text to `max` characters, saying so, so nobody mistakes a cut message for the whole. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '... (truncated)';
  return `${text.slice(0, Math.max(0, max - marker.length))}${marker}`;
}

/**
 * The one builder of DeadLetterMessage. It carries the original EventBridge event (send it to
 * StartExecution to replay), which execution failed, where and why.
 */
export function buildDeadLetter(parts: {
  event: S3ObjectCreatedEvent;
  executionId: string;
  status: DeadLetterMessage['status'];
  reason: string;
  failures: FailureEntry[];
  image?: Pick<ImageRef, 'imageId' | 'bucket' | 'key'>;
  failedAt: Date;
}): DeadLetterMessage {
  const message: DeadLetterMessage = {
    ...(parts.image ? { imageId: parts.image.imageId, bucket: parts.image.bucket, key: parts.image.key } : {}),
    status: parts.status,
    reason: truncate(parts.reason, MAX_REASON_CHARS),
    failures: parts.failures.map((f) => ({ ...f, cause: truncate(f.cause, MAX_CAUSE_CHARS) })),
    executionId: parts.executionId,
    failedAt: parts.failedAt.toISOString(),
    originalEvent: parts.event,
  };
  return fitBudget(message);
}

/** Shrinks causes (never the event, which replay needs) until the message fits its budget. */
function fitBudget(message: DeadLetterMessage): DeadLetterMessage {
  let fitted = message;
  for (const max of [200, 0]) {
    if (byteLength(fitted) <= MAX_DEAD_LETTER_BYTES) return fitted;
    fitted = {
      ...fitted,
      reason: truncate(fitted.reason, Math.max(max, 200)),
      failures: fitted.failures.map((f) => ({ ...f, cause: truncate(f.cause, max) })),
    };
  }
  return fitted;
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
