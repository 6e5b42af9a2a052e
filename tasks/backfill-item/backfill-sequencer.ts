/** The sequencer a backfill event carries: S3 gives none to a listed object, so the backfill picks one that orders right. */
import { sequencerKey } from '../shared/sequencer';

/**
 * For an object with no item: all zeros, the lowest sequencer there is. Any real upload event of the key
 * (made during the backfill) is newer, so ClaimImage lets the upload win whichever claims first.
 */
export const FIRST_BACKFILL_SEQUENCER = '0';

/** Digits a bumped sequencer has: S3's own are 16-18 today, so a real newer upload differs before digit 48. */
export const BUMPED_WIDTH = 48;

/**
 * For an object whose item describes an older version (or a re-analysis): one more than the stored
 * sequencer at digit 48. The claim sees a newer version than the item's, so it may take the item; a real
 * upload made later is greater in its first 18 digits, so it still beats the backfill's event.
 * Repeated re-analyses count up in the last digits and never grow the sequencer.
 */
export function bumpedSequencer(stored: string): string {
  const digits = sequencerKey(stored).slice(0, BUMPED_WIDTH);
  return (BigInt(`0x${digits}`) + 1n).toString(16).toUpperCase().padStart(BUMPED_WIDTH, '0');
}
