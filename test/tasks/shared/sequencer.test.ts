import { InvalidEventError } from '../../../tasks/shared/errors';
import { SEQUENCER_KEY_WIDTH, sequencerKey } from '../../../tasks/shared/sequencer';

describe('Module: sequencer', () => {
  it('pads a sequencer on the right to a fixed width, upper-cased', () => {
    // Act
    const key = sequencerKey('0062e99a88dc407460');

    // Assess
    expect(key).toHaveLength(SEQUENCER_KEY_WIDTH);
    expect(key).toBe('0062E99A88DC40746'.padEnd(SEQUENCER_KEY_WIDTH, '0'));
  });

  it.each([
    // [older, newer]: AWS's rule is "right pad the shorter with zeros, then compare lexicographically".
    ['0055AED6DCD90281E5', '0055AED6DCD90281E6'],
    ['0055AED6DCD90281E5', '0055AED6DCD90281E501'],
    ['0055AED6DCD9028', '0055AED6DCD90281'],
    ['00A', '00B0'],
    ['0062e99a88dc407460', '0062E99A88DC407461'],
  ])('orders %s before %s, as a string comparison of the keys', (older, newer) => {
    // Act & Assess
    expect(sequencerKey(older) < sequencerKey(newer)).toBe(true);
  });

  it.each([
    ['0055AED6DCD90281E5', '0055AED6DCD90281E500'],
    ['abc', 'ABC'],
  ])('treats %s and %s as the same sequencer', (a, b) => {
    // Act & Assess
    expect(sequencerKey(a)).toBe(sequencerKey(b));
  });

  it.each(['', 'not-hex', '12 34', 'F'.repeat(SEQUENCER_KEY_WIDTH + 1)])('rejects the sequencer "%s"', (sequencer) => {
    // Act & Assess
    expect(() => sequencerKey(sequencer)).toThrow(InvalidEventError);
  });

  it('accepts a sequencer longer than the width when only trailing zeros exceed it', () => {
    // Prepare
    const sequencer = `${'A'.repeat(SEQUENCER_KEY_WIDTH)}0000`;

    // Act & Assess
    expect(sequencerKey(sequencer)).toBe('A'.repeat(SEQUENCER_KEY_WIDTH));
  });
});
