// The summary table `picflow analyze` prints: names that tell files apart, columns aligned by display
// width, distinct marks for "none found" / "skipped" / "failed" / "not run", and readable execution names.
import stringWidth from 'string-width';
import { displayNames } from '../../cli/analyze';
import { reportedItem, summaryTable } from '../../cli/summary-table';
import { executionName } from '../../local/engine/execution-runner';
import type { ImageItem } from '../../tasks/shared/types';

function item(overrides: Partial<ImageItem>): ImageItem {
  return {
    status: 'SUCCEEDED',
    faces: [],
    labels: [],
    text: [],
    moderation: { verdict: 'safe', labels: [] },
    ...overrides,
  } as unknown as ImageItem;
}
const branches = (labelsAndText: string) =>
  ({
    thumbnails: { status: 'SUCCEEDED' },
    faces: { status: 'SUCCEEDED' },
    labelsAndText: { status: labelsAndText },
    moderation: { status: 'SUCCEEDED' },
  }) as ImageItem['branches'];

describe('Summary table', () => {
  it('names same-named files from different folders by their relative paths', () => {
    expect([...displayNames(['/p/a/cat.jpg', '/p/b/cat.jpg', '/p/dog.jpg'], '/p').values()]).toEqual(['a/cat.jpg', 'b/cat.jpg', 'dog.jpg']);
  });

  it('aligns columns by display width with CJK, emoji and decomposed accents', () => {
    // Prepare
    const names = ['猫の写真.jpg', '🚀.png', 'Cafe\u0301.png', 'plain.png'];

    // Act
    const lines = summaryTable(names.map((file) => ({ file, item: item({ branches: branches('SUCCEEDED') }), elapsedMs: 1000 }))).split(
      '\n',
    );

    // Assess: the status column starts at the same display column on every row
    const statusColumn = (line: string) => stringWidth(line.slice(0, line.indexOf('SUCCEEDED')));
    expect(new Set(lines.slice(2).map(statusColumn))).toEqual(new Set([statusColumn(lines[2])]));
  });

  it('marks "none found", "skipped", "failed" and "not run" differently', () => {
    const table = summaryTable([
      { file: 'found-nothing.png', item: item({ branches: branches('SUCCEEDED') }), elapsedMs: 0 },
      { file: 'skipped.png', item: item({ branches: branches('SKIPPED') }), elapsedMs: 0 },
      { file: 'failed.png', item: item({ status: 'PARTIAL', branches: branches('FAILED') }), elapsedMs: 0 },
      { file: 'rejected.png', item: item({ status: 'FAILED', moderation: undefined }), elapsedMs: 0 },
    ]);

    expect(table).toMatch(/found-nothing\.png\s+SUCCEEDED\s+0\s+none\s+none\s+none\s+safe/);
    expect(table).toMatch(/skipped\.png\s+SUCCEEDED\s+0\s+none\s+skipped\s+skipped\s+safe/);
    expect(table).toMatch(/failed\.png\s+PARTIAL\s+0\s+none\s+failed\s+failed\s+safe/);
    expect(table).toMatch(/rejected\.png\s+FAILED\s+0\s+n\/a\s+n\/a\s+n\/a\s+unavailable/);
  });

  it('marks the lost half of labels and text "failed" and keeps the other', () => {
    // Prepare: DetectText failed for good, the labels were kept
    const halfFailed = {
      ...branches('SUCCEEDED'),
      labelsAndText: { status: 'SUCCEEDED', error: 'DetectText: Rekognition.AccessDeniedException', cause: 'denied' },
    } as ImageItem['branches'];
    const labels = [{ name: 'Cat', confidence: 90, parents: [], instances: [] }];

    // Act
    const table = summaryTable([
      { file: 'half.png', item: item({ status: 'PARTIAL', labels, text: undefined, branches: halfFailed }), elapsedMs: 0 },
    ]);

    // Assess
    expect(table).toMatch(/half\.png\s+PARTIAL\s+0\s+none\s+Cat\s+failed\s+safe/);
  });

  it('gives --json the moderation verdict the table shows for a FAILED image', () => {
    expect(reportedItem({ file: 'x.png', error: 'CORRUPT', elapsedMs: 0 })).toMatchObject({
      status: 'FAILED',
      moderation: { verdict: 'unavailable' },
      retries: 0,
    });
  });

  it.each([
    ['uploads/Été +3.webp', /^Ete-3-webp-[0-9a-f]{8}$/],
    ['uploads/Café photo.JPG', /^Cafe-photo-JPG-[0-9a-f]{8}$/],
    ['uploads/猫.png', /^png-[0-9a-f]{8}$/],
    ['uploads/日本', /^image-[0-9a-f]{8}$/],
  ])('derives a readable execution name from %s', (key, pattern) => {
    expect(executionName({ detail: { object: { key } } })).toMatch(pattern);
  });
});
