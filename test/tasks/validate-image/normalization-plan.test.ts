import { ImageValidationError } from '../../../tasks/shared/errors';
import type { ImageFormat } from '../../../tasks/shared/types';
import { checkPixelCount } from '../../../tasks/validate-image/image-header';
import { planNormalization, type PlanInput } from '../../../tasks/validate-image/normalization-plan';

function planInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return { format: 'jpeg', bytes: 100_000, displayWidth: 640, displayHeight: 480, orientation: 1, pages: 1, ...overrides };
}

describe('Function: planNormalization', () => {
  it.each(['jpeg', 'png'] as ImageFormat[])('reads a plain %s as is', (format) => {
    // Act
    const plan = planNormalization(planInput({ format }));

    // Assess
    expect(plan).toEqual({ normalize: false, reasons: [], width: 640, height: 480 });
  });

  it.each([
    [{ format: 'webp' as const }, 'WEBP is not a format Rekognition reads', 640, 480],
    [{ format: 'gif' as const, pages: 24 }, 'first of 24 frames', 640, 480],
    [{ bytes: 16 * 1024 * 1024 }, "16777216 bytes is over Rekognition's 15728640-byte limit", 640, 480],
    [{ orientation: 6, displayWidth: 480, displayHeight: 640 }, 'EXIF orientation 6 applied', 480, 640],
    [{ displayWidth: 4240, displayHeight: 2832 }, '4240x2832 px downscaled to 4096x2736 (long edge at most 4096 px)', 4096, 2736],
    [{ displayWidth: 2832, displayHeight: 8000 }, '2832x8000 px downscaled to 1450x4096 (long edge at most 4096 px)', 1450, 4096],
    [{ displayWidth: 50, displayHeight: 90 }, "50x90 px upscaled to 80x144 (Rekognition's minimum side is 80 px)", 80, 144],
    [{ displayWidth: 40, displayHeight: 40 }, "40x40 px upscaled to 80x80 (Rekognition's minimum side is 80 px)", 80, 80],
    // Elongated: the 80-px minimum wins over the 4096 cap.
    [{ displayWidth: 10_000, displayHeight: 100 }, "10000x100 px downscaled to 8000x80 (Rekognition's minimum side is 80 px)", 8000, 80],
  ])('normalizes %o: %s', (overrides, reason, width, height) => {
    // Act
    const plan = planNormalization(planInput(overrides));

    // Assess
    expect(plan.normalize).toBe(true);
    expect(plan.reasons).toContain(reason);
    expect([plan.width, plan.height]).toEqual([width, height]);
  });

  it.each<[string, Partial<PlanInput>]>([
    ['a long edge of exactly 4096 px', { displayWidth: 4096, displayHeight: 3072 }],
    ['a short edge of exactly 80 px', { displayWidth: 80, displayHeight: 80 }],
    ["exactly Rekognition's 15 MiB S3 limit", { bytes: 15 * 1024 * 1024 }],
  ])('reads an image at the limit, %s, as is', (_, overrides) => {
    // Act
    const plan = planNormalization(planInput(overrides));

    // Assess
    expect(plan).toEqual({ normalize: false, reasons: [], width: overrides.displayWidth ?? 640, height: overrides.displayHeight ?? 480 });
  });

  it('takes the first frame of an image with only two', () => {
    // Act
    const plan = planNormalization(planInput({ format: 'webp', pages: 2 }));

    // Assess
    expect(plan.reasons).toContain('first of 2 frames');
  });

  it('enlarges a sliver to exactly the longest allowed edge, 16384 px', () => {
    // Act
    const plan = planNormalization(planInput({ displayWidth: 40, displayHeight: 8192 }));

    // Assess
    expect([plan.width, plan.height]).toEqual([80, 16_384]);
  });

  it('lists every reason that applies', () => {
    // Act
    const plan = planNormalization(planInput({ format: 'gif', pages: 3, displayWidth: 50, displayHeight: 90 }));

    // Assess
    expect(plan.reasons).toEqual([
      'GIF is not a format Rekognition reads',
      'first of 3 frames',
      "50x90 px upscaled to 80x144 (Rekognition's minimum side is 80 px)",
    ]);
  });

  it.each([
    [1, 1],
    [39, 500],
    [500, 39],
    [14, 25],
  ])('rejects %ix%i px as TOO_SMALL: under 40 px on a side it holds no detectable face', (displayWidth, displayHeight) => {
    // Act
    const act = () => planNormalization(planInput({ format: 'png', displayWidth, displayHeight }));

    // Assess
    expect(act).toThrow(`TOO_SMALL: the image is ${displayWidth}x${displayHeight} px: below 40 px on a side`);
  });

  it('rejects a sliver that would have to become absurdly long as TOO_SMALL', () => {
    // Act
    const act = () => planNormalization(planInput({ displayWidth: 45, displayHeight: 9300 }));

    // Assess
    expect(act).toThrow(ImageValidationError);
    expect(act).toThrow(
      "TOO_SMALL: the image is 45x9300 px: enlarging its 45-px side to Rekognition's 80-px minimum would make it 80x16533 px",
    );
  });
});

describe('Function: checkPixelCount', () => {
  it('accepts exactly the pixel limit and rejects one pixel more as DECOMPRESSION_BOMB', () => {
    // Act & Assess
    expect(() => checkPixelCount(1000, 1000, 1_000_000)).not.toThrow();
    expect(() => checkPixelCount(1000, 1001, 1_000_999)).toThrow(/^DECOMPRESSION_BOMB: /);
  });
});
