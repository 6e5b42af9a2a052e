/** Formats stored items as the plain-text table `picflow analyze` prints: one row per image. */
import stringWidth from 'string-width';
import type { BranchName, ImageItem } from '../tasks/shared/types';

export interface AnalyzedImage {
  /** How the image is named in the output: its file name, or its relative path when names repeat. */
  file: string;
  item?: ImageItem;
  /** Why there is no item, or the execution's error when it failed before storing one. */
  error?: string;
  /** Task retries in the image's execution (throttling and other transient errors, waited out). */
  retries?: number;
  elapsedMs: number;
}

const COLUMNS = ['image', 'status', 'retries', 'faces', 'labels', 'text', 'moderation', 'time'] as const;
const MAX_WIDTH: Record<(typeof COLUMNS)[number], number> = {
  image: 36,
  status: 9,
  retries: 7,
  faces: 22,
  labels: 34,
  text: 30,
  moderation: 12,
  time: 7,
};

/**
 * Marks for an analysis that found nothing, was not run, or failed: three different facts. `n/a`: the
 * image failed before any analysis (FAILED), so there is nothing to say.
 */
export const MARKS = { none: 'none', skipped: 'skipped', failed: 'failed', notRun: 'n/a' } as const;

export function summaryRow(result: AnalyzedImage): Record<(typeof COLUMNS)[number], string> {
  const item = result.item;
  const mark = (branch: BranchName, found: string[], operation?: string): string => {
    const status = item?.branches?.[branch]?.status;
    if (!item?.branches) return MARKS.notRun;
    if (status === 'FAILED') return MARKS.failed;
    // DetectLabelsAndText kept one half: the lost one is "failed", not "none" (its error starts with the operation).
    if (operation && item.branches[branch]?.error?.startsWith(`${operation}:`)) return MARKS.failed;
    if (status === 'SKIPPED') return MARKS.skipped;
    return found.length ? found.join(', ') : MARKS.none;
  };
  const faces = item?.faces ?? [];
  return {
    image: result.file,
    status: item?.status ?? 'FAILED',
    retries: String(result.retries ?? 0),
    faces: faces.length
      ? `${faces.length}: ${mark(
          'faces',
          faces.map((f) => (f.dominantEmotion ?? '?').toLowerCase()),
        )}`
      : mark('faces', []),
    labels: mark(
      'labelsAndText',
      (item?.labels ?? []).slice(0, 3).map((l) => l.name),
      'DetectLabels',
    ),
    text: mark('labelsAndText', [(item?.text ?? []).map((t) => t.text).join(' / ')].filter(Boolean), 'DetectText'),
    moderation: moderationVerdict(item),
    time: `${(result.elapsedMs / 1000).toFixed(1)}s`,
  };
}

/** The verdict the table shows and --json carries: `unavailable` when moderation did not run or failed. */
export function moderationVerdict(item: ImageItem | undefined): string {
  return item?.moderation?.verdict ?? 'unavailable';
}

/**
 * What `--json` prints for one image: the stored item (or the failure when none was stored), with
 * `moderation` as the table reads it (one truth) and the execution's `retries`.
 */
export function reportedItem(result: AnalyzedImage): Record<string, unknown> {
  const base: Record<string, unknown> = result.item
    ? { ...result.item }
    : { file: result.file, status: 'FAILED', statusReason: result.error };
  if (!result.item?.moderation) base.moderation = { verdict: moderationVerdict(result.item), labels: [] };
  return { ...base, retries: result.retries ?? 0 };
}

export function summaryTable(results: AnalyzedImage[]): string {
  const rows = results.map(summaryRow);
  const widths = COLUMNS.map((column) =>
    Math.min(MAX_WIDTH[column], Math.max(column.length, ...rows.map((row) => displayWidth(row[column])))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => fitCell(cell, widths[i]))
      .join('  ')
      .trimEnd();
  const failures = results
    .filter((r) => r.item?.status !== 'SUCCEEDED' || r.error)
    .map((r) => `  ${r.file}: ${r.item?.statusReason ?? r.error ?? 'no result'}`);
  return [
    line([...COLUMNS]),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(COLUMNS.map((c) => row[c]))),
    ...(failures.length ? ['', 'Not fully analysed:', ...failures] : []),
  ].join('\n');
}

/** Columns on a terminal, not UTF-16 units: CJK and emoji take two, combining accents none. */
function displayWidth(text: string): number {
  return stringWidth(text.replace(/\s+/g, ' '));
}

/** Cuts or pads to exactly `width` columns. */
function fitCell(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  if (stringWidth(flat) <= width) return flat + ' '.repeat(width - stringWidth(flat));
  let cut = '';
  for (const char of flat) {
    if (stringWidth(cut + char) > width - 1) break;
    cut += char;
  }
  return `${cut}…${' '.repeat(width - 1 - stringWidth(cut))}`;
}
