// No tracked source line over 140 characters: the formatter wraps code at 140 (biome.jsonc), but it cannot wrap
// string literals, comments or regexes, so this test holds those to the same width.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAX_LINE = 140;
const SKIPPED = ['node_modules/', 'dist/', 'cdk.out/', 'test/fixtures/'];

/** The tracked .ts, .tsx and .js files, relative to the repository root. */
function trackedSources(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.tsx', '*.js'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\0')
    .filter((file) => file !== '')
    .filter((file) => !SKIPPED.some((dir) => file.startsWith(dir) || file.includes(`/${dir}`)));
}

/** `file:line (length)` for each line of `text` longer than MAX_LINE characters (code points, as an editor counts them). */
function overLongLines(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => {
    const length = [...line.replace(/\r$/, '')].length;
    return length > MAX_LINE ? [`${file}:${i + 1} (${length})`] : [];
  });
}

describe('line length', () => {
  it(`finds a line over ${MAX_LINE} characters and names its file and line`, () => {
    // Prepare
    const text = ['short', 'x'.repeat(MAX_LINE), 'y'.repeat(MAX_LINE + 1)].join('\n');

    // Act
    const found = overLongLines('example.ts', text);

    // Assess
    expect(found).toEqual([`example.ts:3 (${MAX_LINE + 1})`]);
  });

  it(`keeps every tracked .ts, .tsx and .js line within ${MAX_LINE} characters`, () => {
    // Prepare
    const files = trackedSources();

    // Act
    const found = files.flatMap((file) => overLongLines(file, readFileSync(join(ROOT, file), 'utf8')));

    // Assess
    expect(files.length).toBeGreaterThan(100);
    expect(found).toEqual([]);
  });
});
