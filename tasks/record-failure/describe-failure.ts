/** Reads RecordFailure's input: which state failed, why (in words), and which image it was about (pure). */
import type { PicflowConfig } from '../shared/config';
import { describeFailure, failureText, MAX_REASON_CHARS, truncate, type FailureEntry } from '../../dead-letters/build';
import { parseS3Event } from '../shared/s3-event';
import type { ImageRef, RecordFailureInput } from '../shared/types';

/** One entry per state under `failedStates` (normally exactly one: the Catch that led here). */
export function failuresFrom(failedStates: RecordFailureInput['failedStates'] | undefined): FailureEntry[] {
  const entries = Object.entries(failedStates ?? {});
  if (entries.length === 0) {
    return [{ state: 'Unknown', error: 'UnknownError', cause: 'RecordFailure ran without a failed state in its input' }];
  }
  return entries.map(([state, failure]) => describeFailure(state, failure));
}

/** "ValidateImage failed: ImageValidationError: CORRUPT: the JPEG data ends early (truncated file)". */
export function failureReason(failures: FailureEntry[]): string {
  return truncate(failures.map(failureText).join('; '), MAX_REASON_CHARS);
}

/**
 * The image the execution was about: the one ValidateImage resolved (same imageId as the claim's, its
 * key the object actually read), the claim's, or else read from the event. When the event itself was
 * the problem (InvalidEventError before any claim) there is none, and no item to mark.
 */
export function imageFrom(input: RecordFailureInput, config: Pick<PicflowConfig, 'uploadPrefix'>): ImageRef | undefined {
  if (input?.validation?.image) return input.validation.image;
  if (input?.claim?.image) return input.claim.image;
  try {
    return parseS3Event(input?.event, config);
  } catch {
    return undefined;
  }
}
