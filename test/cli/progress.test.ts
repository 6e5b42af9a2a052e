// The progress bar's ETA: none until an image has finished (the old bar said "0s left" at 0/3).
import { etaText } from '../../cli/progress';

describe('Progress: etaText', () => {
  it('shows no estimate before the first image finished', () => {
    expect(etaText(0, 3, 0)).toBe('');
    expect(etaText(0, 3, 5000)).toBe('');
  });

  it('estimates from the time per finished image', () => {
    expect(etaText(1, 3, 4000)).toBe(' | about 8s left');
    expect(etaText(2, 10, 30_000)).toBe(' | about 2m 0s left');
  });

  it('shows nothing once every image finished', () => {
    expect(etaText(3, 3, 9000)).toBe('');
  });
});
