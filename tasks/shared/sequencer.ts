/** Turns S3's event `sequencer` into a fixed-width key that DynamoDB can order with `<` and `=`. */

/*
 * AWS's rule (S3 user guide, "Event message structure"): sequencers for the same key are hex strings
 * of varying length; to compare two, "right pad the shorter value with zeros, and then do a
 * lexicographical comparison" (older revisions of the page said "left pad"; the current page, the
 * aws-lambda-go and aws-lambda-rust event types all say right pad).
 *
 * DynamoDB compares strings byte by byte, so we store every sequencer already padded to one width:
 * then `<` and `=` in a condition expression ARE the documented comparison. Upper-casing first makes
 * `a` and `A` the same digit; dropping trailing zeros first means a value that is already wider than
 * the width but only because of trailing zeros still fits (right-padding never changes its order).
 */

import { InvalidEventError } from './errors';

/** Width of a sequencer key. S3 sends 16-18 digits today; 64 leaves room for a much longer format. */
export const SEQUENCER_KEY_WIDTH = 64;

const HEX = /^[0-9A-F]+$/;

/** The stored, comparable form of a sequencer: upper-case hex, right-padded with `0` to 64 digits. */
export function sequencerKey(sequencer: string): string {
  const digits = String(sequencer ?? '')
    .trim()
    .toUpperCase();
  if (!HEX.test(digits)) {
    throw new InvalidEventError(`the event's sequencer "${truncate(String(sequencer))}" is not a hexadecimal string`);
  }
  const significant = digits.replace(/0+$/, '');
  if (significant.length > SEQUENCER_KEY_WIDTH) {
    throw new InvalidEventError(
      `the event's sequencer has ${significant.length} significant digits; picflow compares at most ${SEQUENCER_KEY_WIDTH}`,
    );
  }
  return significant.padEnd(SEQUENCER_KEY_WIDTH, '0');
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
