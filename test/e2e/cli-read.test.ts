// picflow list, show and export as a user runs them, against one data directory the real pipeline
// filled: a face photo under a key with a comma, quotes and a newline, a page of text (several OCR
// lines) and a truncated JPEG (FAILED).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImageItem } from '../../tasks/shared/types';
import { fixturePath, runPicflow, tempDir } from './support';

jest.setTimeout(180_000);

const AWKWARD = 'a,"b"\nc.png';

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++;
    else field += c;
  }
  if (field || record.length) throw new Error(`unterminated last record: ${JSON.stringify([...record, field])}`);
  return records;
}

describe('CLI: picflow list, show and export on local data', () => {
  const data = tempDir('cli-read');
  const inputs = join(data.path, 'in');
  const dataDir = join(data.path, 'data');
  const read = (args: string[]) => runPicflow(['--data-dir', dataDir, ...args]);

  beforeAll(async () => {
    mkdirSync(inputs);
    copyFileSync(fixturePath('astronaut.png'), join(inputs, AWKWARD));
    copyFileSync(fixturePath('page.png'), join(inputs, 'page.png'));
    copyFileSync(fixturePath('truncated.jpg'), join(inputs, 'truncated.jpg'));
    const analyzed = await runPicflow(['--data-dir', dataDir, 'analyze', '--workers', '1', inputs]);
    if (analyzed.code !== 1) throw new Error(`analyze: ${analyzed.code} ${analyzed.stderr}`);
  });
  afterAll(() => data.remove());

  it('list prints every image newest first, and its filters narrow it', async () => {
    // Act
    const all = await read(['list', '--json']);
    const failed = await read(['list', '--status', 'failed']);
    const person = await read(['list', '--label', 'PERSON']);
    const future = await read(['list', '--since', '2999-01-01']);
    const one = await read(['list', '--limit', '1', '--json']);

    // Assess
    const items = JSON.parse(all.stdout) as ImageItem[];
    expect(items.map((i) => i.key).sort()).toEqual([`uploads/${AWKWARD}`, 'uploads/page.png', 'uploads/truncated.jpg']);
    expect(items.map((i) => i.updatedAt)).toEqual(
      items
        .map((i) => i.updatedAt)
        .sort()
        .reverse(),
    );
    expect(failed.stdout).toMatch(/^updated\s+status\s+faces\s+labels\s+image/);
    expect(failed.stdout.trim().split('\n').slice(2)).toEqual([expect.stringMatching(/FAILED\s+n\/a\s+n\/a\s+uploads\/truncated\.jpg$/)]);
    expect(person.stdout.trim().split('\n').slice(2)).toEqual([expect.stringMatching(/SUCCEEDED\s+1\s+Person\s+uploads\/a,"b"\\nc\.png$/)]);
    expect(future.stdout).toBe('');
    expect(future.stderr).toContain('no images match');
    expect((JSON.parse(one.stdout) as ImageItem[]).map((i) => i.imageId)).toEqual([items[0].imageId]);
    expect([all.code, failed.code, person.code, future.code, one.code]).toEqual([0, 0, 0, 0, 0]);
  });

  it('show prints one image and where its thumbnails are; --save-thumbnails writes them as JPEG files', async () => {
    // Prepare
    const thumbs = join(data.path, 'thumbs');

    // Act
    const shown = await read(['show', 'page.png']);
    const saved = await read(['show', 'uploads/page.png', '--json', '--save-thumbnails', thumbs]);

    // Assess
    expect(shown.stdout).toMatch(/^image\s+picflow-local\/uploads\/page\.png$/m);
    expect(shown.stdout).toMatch(/^text\s+segmentation \/ /m);
    expect(shown.stdout).toMatch(/^ {2}cover-128x128\s+128x128\s+s3:\/\/picflow-local\/thumbnails\/page\.png\/\w+\/cover-128x128\.jpg$/m);
    const item = JSON.parse(saved.stdout) as ImageItem & {
      thumbnails: { name: string; width: number; height: number; uri: string; file: string }[];
    };
    expect(item.thumbnails.map((t) => t.name)).toEqual(['cover-128x128', 'inside-512x512']);
    for (const t of item.thumbnails) {
      expect(t.file).toBe(join(thumbs, `page.${t.name}.jpg`));
      const metadata = await sharp(readFileSync(t.file)).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', t.width, t.height]);
    }
    expect([shown.code, saved.code]).toEqual([0, 0]);
  });

  it('show of an image that is not there says so and exits 1', async () => {
    const { code, stdout, stderr } = await read(['show', 'missing.png']);

    expect(stdout).toBe('');
    expect(stderr).toContain('no image "missing.png"');
    expect(code).toBe(1);
  });

  it('export --format csv writes one row per image that a CSV reader splits back into the stored values', async () => {
    // Act
    const csv = await read(['export', '--format', 'csv']);
    const jsonl = await read(['export', '--format', 'jsonl']);

    // Assess: the awkward key and the multi-line text come back exactly
    const [header, ...rows] = parseCsv(csv.stdout);
    const items = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ImageItem);
    expect(rows).toHaveLength(3);
    const byKey = new Map(rows.map((row) => [row[header.indexOf('key')], Object.fromEntries(header.map((h, i) => [h, row[i]]))]));
    for (const item of items) {
      const row = byKey.get(item.key)!;
      expect(row).toMatchObject({
        imageId: item.imageId,
        status: item.status,
        statusReason: item.statusReason ?? '',
        updatedAt: item.updatedAt,
      });
      expect(row.text).toBe((item.text ?? []).map((t) => t.text).join('\n'));
      expect(row.labels).toBe((item.labels ?? []).map((l) => l.name).join('; '));
    }
    expect(byKey.get(`uploads/${AWKWARD}`)).toMatchObject({ faces: '1', labels: 'Person', moderation: 'safe' });
    expect(byKey.get('uploads/page.png')!.text.split('\n').length).toBeGreaterThan(1);
    expect(byKey.get('uploads/truncated.jpg')).toMatchObject({ status: 'FAILED', faces: '', moderation: '' });
    expect(csv.stderr).toContain('picflow export: 3 images');
    expect([csv.code, jsonl.code]).toEqual([0, 0]);
  });

  it('refuses a bad filter value before reading anything, and a data directory that does not exist', async () => {
    const badStatus = await read(['list', '--status', 'DONE']);
    const noData = await runPicflow(['--data-dir', join(data.path, 'nowhere'), 'export', '--format', 'csv']);

    expect(badStatus.stderr).toContain("option '--status <status>' argument 'DONE' is invalid");
    expect(badStatus.code).not.toBe(0);
    expect(noData.stderr).toContain('no picflow data in');
    expect(noData.code).toBe(2);
  });
});
