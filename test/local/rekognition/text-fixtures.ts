// Text fixtures for the OCR gate, rendered at test time with sharp + SVG (DejaVu fonts) onto the real photos
// of test/fixtures/images, plus the two real text images (page.png, everyday/text.png). Each call renders
// fresh bytes: no test can change another's fixture.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
export const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function svgText(
  width: number,
  height: number,
  background: string,
  lines: { x: number; y: number; size: number; text: string }[],
  opts = {},
) {
  const { font = 'DejaVu Sans', color = '#111111' } = opts as { font?: string; color?: string };
  const body = lines
    .map((l) => `<text x="${l.x}" y="${l.y}" font-family="${font}" font-size="${l.size}" fill="${color}">${escapeXml(l.text)}</text>`)
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="${width}" height="${height}" fill="${background}"/>${body}</svg>`,
  );
}

/** A green street sign composited onto chelsea.png (451x300). */
async function sign(): Promise<Buffer> {
  const plate = svgText(220, 56, '#1a5d1a', [{ x: 14, y: 38, size: 28, text: 'MAIN STREET' }], { color: '#ffffff' });
  return sharp(fixture('images/chelsea.png'))
    .composite([{ input: plate, left: 200, top: 20 }])
    .png()
    .toBuffer();
}

/** A shop sign on a photo: rocket.jpg with a white plate of two lines. */
async function shopSign(): Promise<Buffer> {
  const plate = svgText(250, 80, '#f4f1e8', [
    { x: 12, y: 34, size: 26, text: 'OPEN DAILY' },
    { x: 12, y: 66, size: 20, text: 'Coffee and Bakery' },
  ]);
  return sharp(fixture('images/rocket.jpg'))
    .composite([{ input: plate, left: 20, top: 300 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A screenshot: a window with a title, a menu and a few lines of 14 px UI text. */
async function screenshot(): Promise<Buffer> {
  return sharp(
    svgText(640, 360, '#fafafa', [
      { x: 16, y: 28, size: 18, text: 'Settings - Account preferences' },
      { x: 16, y: 70, size: 14, text: 'File    Edit    View    Window    Help' },
      { x: 16, y: 120, size: 14, text: 'Display name: Eileen Collins' },
      { x: 16, y: 150, size: 14, text: 'Email address: eileen@example.com' },
      { x: 16, y: 180, size: 14, text: 'Language: English (United Kingdom)' },
      { x: 16, y: 330, size: 14, text: 'Save changes        Cancel' },
    ]),
  )
    .png()
    .toBuffer();
}

/** A receipt: a narrow slip of monospaced lines, photographed on a table (coffee.png behind it). */
async function receipt(): Promise<Buffer> {
  const slip = svgText(
    220,
    300,
    '#fbfbf6',
    [
      { x: 12, y: 30, size: 16, text: 'CAFE CENTRAL' },
      { x: 12, y: 70, size: 13, text: 'Espresso      2.40' },
      { x: 12, y: 95, size: 13, text: 'Croissant     3.10' },
      { x: 12, y: 120, size: 13, text: 'Orange juice  4.50' },
      { x: 12, y: 160, size: 14, text: 'TOTAL        10.00' },
      { x: 12, y: 200, size: 12, text: 'Thank you for your visit' },
    ],
    { font: 'DejaVu Sans Mono' },
  );
  return sharp(fixture('images/coffee.png'))
    .composite([{ input: slip, left: 360, top: 60 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** page.png photographed at an angle: rotated 7 degrees on a grey table. */
async function pageAtAngle(): Promise<Buffer> {
  return sharp(fixture('images/page.png')).rotate(7, { background: '#8a8a8a' }).png().toBuffer();
}

/** A photo with a small caption: astronaut.png with an 11 px caption band at the bottom. */
async function smallCaption(): Promise<Buffer> {
  const band = svgText(512, 22, '#ffffff', [{ x: 6, y: 16, size: 14, text: 'Eileen Collins, NASA astronaut, 1992' }]);
  return sharp(fixture('images/astronaut.png'))
    .removeAlpha()
    .composite([{ input: band, left: 0, top: 490 }])
    .png()
    .toBuffer();
}

export const TEXT_FIXTURES: Record<string, () => Promise<Buffer>> = {
  'page.png': async () => fixture('images/page.png'),
  'everyday/text.png (handwriting on paper)': async () => fixture('everyday/text.png'),
  'street sign on chelsea.png': sign,
  'shop sign on rocket.jpg': shopSign,
  screenshot,
  'receipt on coffee.png': receipt,
  'page at an angle': pageAtAngle,
  'astronaut.png with a small caption': smallCaption,
};

/** Real photos with no text in them. */
export const PHOTOS_WITHOUT_TEXT = [
  'images/astronaut.png',
  'images/chelsea.png',
  'images/coffee.png',
  'images/rocket.jpg',
  'images/motorcycle_left.png',
  'everyday/camera.png',
  'everyday/motorcycle_right.png',
];
