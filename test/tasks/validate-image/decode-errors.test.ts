import { corruptError, readableDecoderMessage } from '../../../tasks/validate-image/decode-errors';

describe('Function: readableDecoderMessage', () => {
  it.each([
    [
      'Input buffer has corrupt header: VipsJpeg: premature end of JPEG image\nVipsJpeg: Bogus Huffman table definition\nVipsJpeg: ' +
        'premature end of JPEG image',
      'premature end of JPEG image; Bogus Huffman table definition',
    ],
    ['vipspng: libpng read error\nvips2png: unable to write to target target', 'libpng read error'],
    ['Input buffer has corrupt header: webp: unable to parse image', 'unable to parse image'],
    ['', 'the decoder gave no reason'],
  ])('cleans %j', (raw, expected) => {
    expect(readableDecoderMessage(new Error(raw))).toBe(expected);
  });
});

describe('Function: corruptError', () => {
  it('reports damage as CORRUPT, naming the format', () => {
    expect(corruptError(new Error('VipsJpeg: premature end of JPEG image'), 'jpeg')).toMatchObject({
      name: 'ImageValidationError',
      reason: 'CORRUPT',
      message: 'CORRUPT: the JPEG data is damaged or incomplete and cannot be decoded (premature end of JPEG image)',
    });
  });

  it('reports an HEVC-compressed HEIF as unsupported rather than damaged', () => {
    expect(corruptError(new Error('heifload: Unsupported codec'), 'heif', 'hevc')).toMatchObject({ reason: 'UNSUPPORTED_FORMAT' });
  });
});
