// DetectLabels' IMAGE_PROPERTIES on synthetic images made with sharp: dominant colours named as CSS
// and simplified colours with their share, brightness, sharpness and contrast, foreground and background.
import sharp, { type Sharp } from 'sharp';
import { imageProperties } from '../../../local/rekognition/image-properties';
import { buildDetectLabelsResponse, parseDetectLabelsParams } from '../../../local/rekognition/operations/detect-labels';

async function pixels(image: Sharp): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

function solid(color: string, width = 200, height = 150): Sharp {
  return sharp({ create: { width, height, channels: 3, background: color } });
}

/** Deterministic fine-grained noise: lots of detail, for sharpness. */
function noise(size: number): Sharp {
  const data = Buffer.alloc(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  return sharp(data, { raw: { width: size, height: size, channels: 3 } });
}

async function propertiesOf(image: Sharp, maxColors = 10) {
  const { data, width, height } = await pixels(image);
  return imageProperties(data, width, height, maxColors);
}

describe('Function: imageProperties', () => {
  it('finds solid red as the one dominant colour: CSS "red", simplified "red", about 100 % of the pixels', async () => {
    // Act
    const properties = await propertiesOf(solid('#ff0000'));

    // Assess
    expect(properties.DominantColors).toEqual([
      { Red: 255, Green: 0, Blue: 0, HexCode: '#ff0000', CSSColor: 'red', SimplifiedColor: 'red', PixelPercent: 100 },
    ]);
  });

  it("names a near colour after the nearest CSS colour, with that colour's RGB and hex", async () => {
    // Act: #2e4e50 is next to darkslategrey (#2f4f4f)
    const properties = await propertiesOf(solid('#2e4e50'));

    // Assess
    expect(properties.DominantColors?.[0]).toMatchObject({ CSSColor: 'darkslategrey', HexCode: '#2f4f4f', SimplifiedColor: 'grey' });
  });

  it('gives both colours of a two-colour image with their shares, largest first', async () => {
    // Prepare: a quarter blue (left), three quarters yellow
    const blue = await solid('#0000ff', 100, 200).png().toBuffer();
    const image = solid('#ffff00', 400, 200).composite([{ input: blue, left: 0, top: 0 }]);

    // Act
    const colors = (await propertiesOf(image)).DominantColors ?? [];

    // Assess
    expect(colors.map((c) => [c.CSSColor, c.SimplifiedColor])).toEqual([
      ['yellow', 'yellow'],
      ['blue', 'blue'],
    ]);
    expect(colors[0]!.PixelPercent).toBeCloseTo(75, -0.5);
    expect(colors[1]!.PixelPercent).toBeCloseTo(25, -0.5);
  });

  it('returns at most MaxDominantColors colours', async () => {
    // Prepare: four quadrants in four colours
    const quadrant = (color: string) => solid(color, 100, 100).png().toBuffer();
    const image = solid('#ffffff', 200, 200).composite([
      { input: await quadrant('#ff0000'), left: 0, top: 0 },
      { input: await quadrant('#008000'), left: 100, top: 0 },
      { input: await quadrant('#0000ff'), left: 0, top: 100 },
    ]);

    // Act
    const properties = await propertiesOf(image, 2);

    // Assess
    expect(properties.DominantColors).toHaveLength(2);
  });

  it('rates white brighter than black', async () => {
    // Act
    const black = await propertiesOf(solid('#000000'));
    const white = await propertiesOf(solid('#ffffff'));

    // Assess
    expect(black.Quality?.Brightness).toBe(0);
    expect(white.Quality?.Brightness).toBe(100);
    expect(black.DominantColors?.[0]).toMatchObject({ CSSColor: 'black', SimplifiedColor: 'black' });
    expect(white.DominantColors?.[0]).toMatchObject({ CSSColor: 'white', SimplifiedColor: 'white' });
  });

  it('rates a sharp image sharper, and with more contrast, than the same image blurred', async () => {
    // Act
    const crisp = await propertiesOf(noise(256));
    const blurred = await propertiesOf(noise(256).blur(4));

    // Assess
    expect(crisp.Quality!.Sharpness).toBeGreaterThan(90);
    expect(blurred.Quality!.Sharpness).toBeLessThan(10);
    expect(crisp.Quality!.Contrast).toBeGreaterThan(blurred.Quality!.Contrast!);
  });

  it('separates a subject from a plain backdrop: foreground and background colours and brightness', async () => {
    // Prepare: a white square in the middle of a black backdrop
    const subject = await solid('#ffffff', 100, 100).png().toBuffer();
    const image = solid('#000000', 300, 300).composite([{ input: subject, left: 100, top: 100 }]);

    // Act
    const properties = await propertiesOf(image);

    // Assess
    expect(properties.Foreground?.DominantColors?.map((c) => c.CSSColor)).toEqual(['white']);
    expect(properties.Background?.DominantColors?.map((c) => c.CSSColor)).toEqual(['black']);
    expect(properties.Foreground?.Quality).toEqual({ Brightness: 100, Sharpness: 0 });
    expect(properties.Background?.Quality).toEqual({ Brightness: 0, Sharpness: 0 });
  });
});

describe('Function: buildDetectLabelsResponse with IMAGE_PROPERTIES', () => {
  const dog = [{ label: 'dog' as const, score: 0.6, box: [0.1, 0.1, 0.5, 0.5] as [number, number, number, number] }];

  it('reads Settings.ImageProperties.MaxDominantColors (default 10, at most 20)', () => {
    expect(parseDetectLabelsParams({ Features: ['IMAGE_PROPERTIES'] }).maxDominantColors).toBe(10);
    expect(parseDetectLabelsParams({ Settings: { ImageProperties: { MaxDominantColors: 3 } } }).maxDominantColors).toBe(3);
    expect(() => parseDetectLabelsParams({ Settings: { ImageProperties: { MaxDominantColors: 21 } } })).toThrow();
  });

  it('answers only ImageProperties, no Labels, when only IMAGE_PROPERTIES is asked', async () => {
    // Prepare
    const params = parseDetectLabelsParams({ Features: ['IMAGE_PROPERTIES'] });
    const properties = await propertiesOf(solid('#ff0000'));

    // Act
    const response = buildDetectLabelsResponse(dog, params, properties);

    // Assess
    expect(response).not.toHaveProperty('Labels');
    expect(response.ImageProperties?.DominantColors?.[0]?.CSSColor).toBe('red');
  });

  it('answers both with both features, and no ImageProperties with GENERAL_LABELS only', async () => {
    // Prepare
    const properties = await propertiesOf(solid('#ff0000'));

    // Act
    const both = buildDetectLabelsResponse(dog, parseDetectLabelsParams({ Features: ['GENERAL_LABELS', 'IMAGE_PROPERTIES'] }), properties);
    const labelsOnly = buildDetectLabelsResponse(dog, parseDetectLabelsParams({}), properties);

    // Assess
    expect(both.Labels?.map((l) => l.Name)).toContain('Dog');
    expect(both.ImageProperties?.Foreground?.DominantColors).toBeDefined();
    expect(labelsOnly).not.toHaveProperty('ImageProperties');
  });
});
