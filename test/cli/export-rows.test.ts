// The CSV export's encoding: RFC 4180 quoting, and cells a spreadsheet would run as formulas defused.
import { csvLine, exportRow } from '../../cli/export-rows';
import type { ImageItem } from '../../tasks/shared/types';

describe('Function: csvLine', () => {
  it('quotes fields with commas, quotes, CR or LF, doubles quotes, and ends the record with CRLF', () => {
    expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', ''])).toBe(
      'plain,"a,b","say ""hi""","two\nlines","cr\rhere",\r\n',
    );
  });

  it('prefixes an apostrophe to a cell a spreadsheet would evaluate (=, +, -, @, tab, CR first)', () => {
    expect(csvLine(['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', 'a=b'])).toBe(
      `"'=HYPERLINK(""http://x"")",'+1,'-2,'@SUM(A1),a=b\r\n`,
    );
  });
});

describe('Function: exportRow', () => {
  it('flattens an item: faces counted, labels and moderation labels joined, text one line per line', () => {
    const item = {
      imageId: 'b/uploads/x.jpg',
      bucket: 'b',
      key: 'uploads/x.jpg',
      status: 'PARTIAL',
      statusReason: 'DetectText failed',
      size: 10,
      faces: [{}, {}],
      faceCount: 3,
      labels: [
        { name: 'Dog', confidence: 99, parents: [], instances: [] },
        { name: 'Animal', confidence: 99, parents: [], instances: [] },
      ],
      text: [
        { text: 'first, line', confidence: 99 },
        { text: 'second', confidence: 99 },
      ],
      moderation: { verdict: 'suggestive', labels: [{ name: 'Swimwear', parentName: '', confidence: 80 }] },
      thumbnails: [{ name: 'cover-128x128', key: 'thumbnails/x.jpg/e/cover-128x128.jpg', width: 128, height: 128, fit: 'cover', bytes: 1 }],
      updatedAt: 'u',
      createdAt: 'c',
      executionId: 'arn',
    } as unknown as ImageItem;

    expect(exportRow(item)).toMatchObject({
      faces: '3',
      labels: 'Dog; Animal',
      moderation: 'suggestive',
      moderationLabels: 'Swimwear',
      text: 'first, line\nsecond',
      thumbnails: 's3://b/thumbnails/x.jpg/e/cover-128x128.jpg',
      bytes: '10',
      completedAt: '',
    });
  });
});
