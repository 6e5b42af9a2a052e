// Object keys that broke or could break the pipeline, relative to the upload prefix: shared by the
// task tests (the event as AWS sends it) and the local end-to-end test (the same keys uploaded).

/**
 * A key of exactly `totalBytes` UTF-8 bytes once `prefix` is put in front: several `/`-separated
 * segments, each under 200 bytes (the shape of a deep folder tree; the s3rver-based store of earlier
 * versions crashed on any segment over ~233 bytes).
 */
export function longKey(prefix: string, totalBytes = 1000): string {
  const suffix = '.jpg';
  let remaining = totalBytes - Buffer.byteLength(prefix) - suffix.length;
  const segments: string[] = [];
  let index = 0;
  while (remaining > 0) {
    // A segment and its '/' together take at most 181 bytes; the last one takes what is left.
    const length = Math.min(180, remaining - (remaining > 180 ? 1 : 0));
    const last = length === remaining;
    const segment = `${index}-`.padEnd(length, 'x');
    segments.push(segment);
    remaining -= length + (last ? 0 : 1);
    index += 1;
  }
  return `${segments.join('/')}${suffix}`;
}

const ETE = 'été #1 (copy).jpg';

/** [description, key below the upload prefix]. Every one must round-trip byte for byte. */
export const AWKWARD_KEYS: readonly [string, string][] = [
  ['a literal plus', 'a+b.jpg'],
  ['a percent sign that is not an escape', '100% real.jpg'],
  ['a valid-looking escape that must stay literal', '50%25off.png'],
  ['a space', 'red flower.jpg'],
  ['accents, # and brackets in NFC', ETE.normalize('NFC')],
  ['accents, # and brackets in NFD', ETE.normalize('NFD')],
  ['colons (as a captured real event has)', '10:47:07.jpg'],
  ['a 1,000-byte key in folders', longKey('uploads/')],
  ['a 1,000-byte key in one segment', `${'x'.repeat(1000 - 'uploads/'.length - '.jpg'.length)}.jpg`],
];
