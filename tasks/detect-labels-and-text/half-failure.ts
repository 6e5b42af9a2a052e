/** Decides what one failed half (DetectLabels or DetectText) of DetectLabelsAndText means for the task (pure). */
import { truncate } from '../../dead-letters/build';
import { AwsServiceError } from '../shared/errors';
import type { LabelsAndTextPartFailure } from '../shared/types';

/** Longest cause kept in the branch result: it travels in the state (256 KB shared with every branch). */
export const MAX_PART_CAUSE_CHARS = 300;

/**
 * Errors about the image itself: the other half got (or will get) the same answer, so the task fails
 * as it always did and the definition's Catch records it, rather than a "partial" result of nothing.
 */
const IMAGE_ERRORS = new Set([
  'Rekognition.InvalidImageFormatException',
  'Rekognition.ImageTooLargeException',
  'Rekognition.InvalidS3ObjectException',
]);

/**
 * Whether a half's failure may be kept as a partial result. Not when it is transient (throttling, 5xx,
 * network): the definition retries those (up to 50 times for throttling, so a burst ends SUCCEEDED,
 * test/e2e/burst.test.ts), and an item must not turn PARTIAL over one refused call. Not when it is
 * about the image. Anything else (AccessDenied, InvalidParameter, a bug in one operation) will not get
 * better by retrying: the other half's result is kept and the item says which half failed.
 */
export function keepsOtherHalf(error: unknown): boolean {
  if (!(error instanceof AwsServiceError)) return true;
  return !error.transient && !IMAGE_ERRORS.has(error.name);
}

/** The failure as the branch result carries it: which operation, the error name the Catch would see, why. */
export function describePartFailure(operation: LabelsAndTextPartFailure['operation'], error: unknown): LabelsAndTextPartFailure {
  const err = error as { name?: string; message?: string };
  return {
    operation,
    error: err?.name || 'Error',
    cause: truncate(err?.message || String(error), MAX_PART_CAUSE_CHARS),
  };
}

/**
 * The error the task throws when it keeps nothing: a transient one first, so the definition's Retry
 * can still rescue both halves; else the first.
 */
export function errorToThrow(errors: unknown[]): unknown {
  return errors.find((e) => e instanceof AwsServiceError && e.transient) ?? errors[0];
}
