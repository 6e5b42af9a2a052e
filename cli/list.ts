/**
 * `picflow list [--status S] [--label L] [--since T] [--limit N] [--json] [--stack NAME]`: the most
 * recently updated images, newest first, one line each (the HTTP API's `query`, issue 8).
 */
import { Option, type Command } from 'commander';
import type { ImageItem } from '../tasks/shared/types';
import { openImageSource } from './image-source';
import { parseLimit, parseSince, parseStatus, recentImages, STATUSES, type ImageFilter } from './image-query';

export const DEFAULT_LIST_LIMIT = 20;

interface ListOptions {
  status?: ImageFilter['status'];
  label?: string;
  since?: string;
  limit: number;
  json?: boolean;
  stack?: string;
  region?: string;
}

export function listCommand(program: Command): void {
  program
    .command('list')
    .alias('find')
    .description('list the most recently analysed images, newest first, with status, faces and top labels')
    .addOption(new Option('--status <status>', `only this status (${STATUSES.join(', ')})`).argParser(parseStatus))
    .option('--label <name>', 'only images with this label (or a label under it, e.g. Animal), any case')
    .option('--since <when>', 'only images updated since a date (2026-11-27, 2026-11-27T14:00Z) or an age (30m, 12h, 7d)', (v: string) =>
      parseSince(v),
    )
    .option('--limit <n>', 'at most this many images', parseLimit, DEFAULT_LIST_LIMIT)
    .option('--json', 'print the items as one JSON array')
    .option('--stack <name>', "read the deployed CloudFormation stack's table instead of the local data")
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .action(async (options: ListOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      const source = await openImageSource(dataDir, options);
      try {
        const items = await recentImages(source, { status: options.status, label: options.label, since: options.since }, options.limit);
        if (options.json) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        else if (items.length === 0) process.stderr.write(`picflow list: no images match (in ${source.description})\n`);
        else process.stdout.write(`${listTable(items, source.bucket)}\n`);
      } finally {
        await source.close();
      }
    });
}

const COLUMNS = ['updated', 'status', 'faces', 'labels', 'image'] as const;

/** One line per item; the key is last and never cut, so it can be copied into `picflow show`. */
export function listTable(items: ImageItem[], bucket: string): string {
  const rows = items.map((item) => ({
    updated: item.updatedAt.replace('T', ' ').slice(0, 19),
    status: item.status,
    faces: facesCell(item),
    labels: labelsCell(item),
    image: oneLine(item.bucket === bucket ? item.key : item.imageId),
  }));
  const widths = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line([...COLUMNS]), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(COLUMNS.map((c) => r[c])))].join('\n');
}

function facesCell(item: ImageItem): string {
  const status = item.branches?.faces?.status;
  if (status === 'FAILED') return 'failed';
  if (status === 'SKIPPED' || (status === undefined && item.faces === undefined)) return 'n/a';
  return String(item.faceCount ?? item.faces?.length ?? 0);
}

function labelsCell(item: ImageItem): string {
  const labels = item.labels ?? [];
  const top = labels
    .slice(0, 3)
    .map((l) => l.name)
    .join(', ');
  return labels.length > 3
    ? `${top} +${labels.length - 3}`
    : top || (item.branches?.labelsAndText?.status === 'SUCCEEDED' ? 'none' : 'n/a');
}

/** Keys may hold control characters (a newline is a legal S3 key byte): show them escaped. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
