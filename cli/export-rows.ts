/**
 * One image item flattened into one spreadsheet row for `picflow export --format csv`, and the CSV
 * encoding of a row (RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled, lines
 * end with CRLF).
 */
import type { ImageItem } from '../tasks/shared/types';

export const EXPORT_COLUMNS = [
  'imageId',
  'bucket',
  'key',
  'status',
  'statusReason',
  'format',
  'width',
  'height',
  'bytes',
  'faces',
  'labels',
  'moderation',
  'moderationLabels',
  'text',
  'thumbnails',
  'createdAt',
  'updatedAt',
  'completedAt',
  'executionId',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string>;

export function exportRow(item: ImageItem): ExportRow {
  return {
    imageId: item.imageId,
    bucket: item.bucket,
    key: item.key,
    status: item.status,
    statusReason: item.statusReason ?? '',
    format: item.format ?? '',
    width: item.width?.toString() ?? '',
    height: item.height?.toString() ?? '',
    bytes: item.size?.toString() ?? '',
    // Rekognition's count (faceCount) may exceed the faces stored; empty when faces were not analysed
    faces: (item.faceCount ?? item.faces?.length)?.toString() ?? '',
    labels: (item.labels ?? []).map((l) => l.name).join('; '),
    moderation: item.moderation?.verdict ?? '',
    moderationLabels: (item.moderation?.labels ?? []).map((l) => l.name).join('; '),
    // One text line per line of the cell (spreadsheets show a quoted newline as a line break)
    text: (item.text ?? []).map((t) => t.text).join('\n'),
    thumbnails: (item.thumbnails ?? []).map((t) => `s3://${item.bucket}/${t.key}`).join('; '),
    createdAt: item.createdAt ?? '',
    updatedAt: item.updatedAt ?? '',
    completedAt: item.completedAt ?? '',
    executionId: item.executionId ?? '',
  };
}

/** One CSV record, CRLF-terminated. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

function csvField(value: string): string {
  // A cell a spreadsheet would run as a formula (keys and OCR text come from users) gets a leading
  // apostrophe, OWASP's "CSV injection" advice; the JSONL export keeps every value exactly.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
