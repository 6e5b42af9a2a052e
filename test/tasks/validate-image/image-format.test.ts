import { describeContent, detectFormat } from '../../../tasks/validate-image/image-format';
import { BMP, declaredBombPng, encodedAs, HTML, MP4, PDF, RANDOM_BYTES, SVG, TEXT, ZIP } from '../shared/generated-images';
import { fixture } from '../shared/image-task-helpers';

describe('Function: detectFormat', () => {
  it.each([
    ['rocket.jpg', 'jpeg'],
    ['astronaut.png', 'png'],
    ['page.png', 'png'],
    ['no_time_for_that_tiny.gif', 'gif'],
    // A damaged file still announces its format; the decoder finds the damage later.
    ['truncated.jpg', 'jpeg'],
  ])('recognises %s as %s', (name, expected) => {
    expect(detectFormat(fixture(name))).toBe(expected);
  });

  it.each(['webp', 'tiff', 'avif'] as const)('recognises a sharp-encoded %s', async (format) => {
    // Prepare
    const bytes = await encodedAs(format, 64);

    // Act & Assess
    expect(detectFormat(bytes)).toBe(format);
  });

  it.each([
    ['a big-endian TIFF', Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]), 'tiff'],
    ['an HEIC (heic brand)', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1')]), 'heif'],
    [
      'an AVIF behind a mif1 major brand',
      Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmif1\0\0\0\0mif1avif', 'latin1')]),
      'avif',
    ],
    ['an MP4 video', MP4, undefined],
    ['a PDF', PDF, undefined],
    ['an empty file', Buffer.alloc(0), undefined],
  ])('classifies %s by its magic bytes', (_name, bytes, expected) => {
    expect(detectFormat(bytes)).toBe(expected);
  });

  it('ignores what the bytes are called: a PNG is a PNG whatever its name', async () => {
    // The function never sees a name or content type; this documents that the bytes alone decide.
    expect(detectFormat(await declaredBombPng())).toBe('png');
  });
});

describe('Function: describeContent', () => {
  it.each([
    [PDF, 'a PDF document'],
    [TEXT, 'text'],
    [SVG, 'an SVG drawing (vector images are not supported)'],
    [HTML, 'an HTML page'],
    [Buffer.from('{"not":"an image"}'), 'JSON text'],
    [ZIP, 'a ZIP archive (or an Office document)'],
    [BMP, 'a BMP image (not supported: convert it to PNG or JPEG)'],
    [MP4, 'an ISO media file (brand mp42), probably a video'],
    [Buffer.from('Grüße aus Köln — ünïcödé text', 'utf8'), 'text'],
    [RANDOM_BYTES, 'unrecognised binary data (starts with 00 13 37 de ad be ef 00)'],
    [Buffer.alloc(0), 'an empty file'],
  ])('describes %#: %s', (bytes, expected) => {
    expect(describeContent(bytes)).toBe(expected);
  });
});
