/**
 * Which dead letters are permanent failures (running the same upload again must fail the same way: the
 * bytes or the event are the problem) and which a replay may fix (throttling, timeouts, outages,
 * configuration). The one place that decides it: parse.ts stamps every letter, replay skips the
 * permanent ones unless asked, and `picflow dlq discard --all-permanent` removes them.
 */
import type { ImageRejection } from '../tasks/shared/errors';
import type { FailureEntry } from './build';

export interface Permanence {
  permanent: boolean;
  /** A short name for the failure, for a table and a tally: `CORRUPT`, `InvalidEventError`, `Rekognition.ThrottlingException`. */
  kind: string;
  /** Why it is (or is not) permanent, in a sentence. */
  why: string;
}

/**
 * Every ImageValidationError reason is about the upload itself (its bytes, size, or absence): a re-run
 * reads the same object and rejects it again. Listed as a Record so a new reason cannot be forgotten.
 */
const REJECTION_IS_PERMANENT: Record<ImageRejection, true> = {
  EMPTY: true,
  TOO_LARGE: true,
  UNSUPPORTED_FORMAT: true,
  CORRUPT: true,
  DECOMPRESSION_BOMB: true,
  TOO_SMALL: true,
  NOT_FOUND: true,
};

/** Rekognition's answers about the image's bytes (not about load or access): the same bytes get them again. */
const PERMANENT_SERVICE_ERRORS = new Set(['Rekognition.InvalidImageFormatException', 'Rekognition.ImageTooLargeException']);

/**
 * One failed state. Unknown errors count as replayable: skipping a fixable image by mistake would hide
 * it, while replaying a permanent one only costs a re-run. `<Service>.EndpointNotResolved` is replayable
 * on purpose: it is the deployment's configuration (region, DNS), and once that is fixed a replay is
 * exactly what the message is for.
 */
export function failurePermanence(failure: Pick<FailureEntry, 'state' | 'error' | 'cause'>): Permanence {
  if (failure.error === 'ImageValidationError') {
    const reason = /^([A-Z_]+):/.exec(failure.cause)?.[1];
    if (reason && reason in REJECTION_IS_PERMANENT) {
      return {
        permanent: true,
        kind: reason,
        why: `${failure.state} rejected the upload itself (${reason}): a re-run reads the same object`,
      };
    }
    return {
      permanent: true,
      kind: 'ImageValidationError',
      why: `${failure.state} rejected the upload itself: a re-run reads the same object`,
    };
  }
  if (failure.error === 'InvalidEventError') {
    return {
      permanent: true,
      kind: 'InvalidEventError',
      why: 'the event itself is not one picflow can process: a re-run sends the same event',
    };
  }
  if (PERMANENT_SERVICE_ERRORS.has(failure.error)) {
    return { permanent: true, kind: failure.error, why: `${failure.state}: Rekognition rejects these bytes, and a re-run sends the same` };
  }
  return {
    permanent: false,
    kind: failure.error || 'UnknownError',
    why: `${failure.state || 'the execution'} failed with ${failure.error || 'an unknown error'}: a re-run may succeed`,
  };
}

/**
 * One message: permanent when it has nothing to run again, or when every failure it lists is permanent
 * (a PARTIAL image with one throttled analysis and one rejected format is worth a replay).
 */
export function letterPermanence(letter: {
  event?: unknown;
  failures: readonly Pick<FailureEntry, 'state' | 'error' | 'cause'>[];
}): Permanence {
  if (letter.event === undefined) return { permanent: true, kind: 'NoEvent', why: 'the message carries no event to run again' };
  if (letter.failures.length === 0)
    return { permanent: false, kind: 'Unknown', why: 'the message names no failed state: a re-run may succeed' };
  const each = letter.failures.map(failurePermanence);
  const replayable = each.find((p) => !p.permanent);
  return replayable ?? each[0];
}
