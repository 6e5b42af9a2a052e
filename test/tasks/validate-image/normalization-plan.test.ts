import { ImageValidationError } from '../../../tasks/shared/errors';
import type { ImageFormat } from '../../../tasks/shared/types';
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
    expect(act).toThrow("TOO_SMALL: the image is 45x9300 px: enlarging its 45-px side to Rekognition's 80-px minimum would make it 80x16533 px");
  });
});
