/** Formats stored items as the plain-text table `picflow analyze` prints: one row per image. */
import type { ImageItem } from '../tasks/shared/types';

export interface AnalyzedImage {
  file: string;
  item?: ImageItem;
  /** Why there is no item, or the execution's error when it failed before storing one. */
  error?: string;
  elapsedMs: number;
}

const COLUMNS = ['image', 'status', 'faces', 'labels', 'text', 'moderation', 'time'] as const;
const MAX_WIDTH: Record<(typeof COLUMNS)[number], number> = { image: 28, status: 9, faces: 22, labels: 34, text: 30, moderation: 12, time: 7 };

export function summaryRow(result: AnalyzedImage): Record<(typeof COLUMNS)[number], string> {
  const item = result.item;
  const faces = item?.faces ?? [];
  return {
    image: result.file,
    status: item?.status ?? 'FAILED',
    faces: item?.branches?.faces?.status === 'FAILED' ? 'failed' : faces.length === 0 ? '-' : `${faces.length}: ${faces.map((f) => (f.dominantEmotion ?? '?').toLowerCase()).join(', ')}`,
    labels: item?.labels?.length ? item.labels.slice(0, 3).map((l) => l.name).join(', ') : '-',
    text: item?.text?.length ? item.text.map((t) => t.text).join(' / ') : '-',
    moderation: item?.moderation?.verdict ?? 'unavailable',
    time: `${(result.elapsedMs / 1000).toFixed(1)}s`,
  };
}

export function summaryTable(results: AnalyzedImage[]): string {
  const rows = results.map(summaryRow);
  const widths = COLUMNS.map((column) => Math.min(MAX_WIDTH[column], Math.max(column.length, ...rows.map((row) => row[column].length))));
  const line = (cells: string[]) => cells.map((cell, i) => fit(cell, widths[i])).join('  ').trimEnd();
  const failures = results
    .filter((r) => r.item?.status !== 'SUCCEEDED')
    .map((r) => `  ${r.file}: ${r.item?.statusReason ?? r.error ?? 'no result'}`);
  return [
    line([...COLUMNS]),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(COLUMNS.map((c) => row[c]))),
    ...(failures.length ? ['', 'Not fully analysed:', ...failures] : []),
  ].join('\n');
}

function fit(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}
