/**
 * `picflow show <image> [--json] [--save-thumbnails DIR] [--stack NAME]`: one image's item, readable
 * or as JSON, with where its thumbnails are (s3:// URIs; locally also the console's URL) and, on
 * request, the thumbnails written as files (the HTTP API's `get`, issue 8).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import type { ImageItem, Thumbnail } from '../tasks/shared/types';
import { openImageSource, type ImageSource } from './image-source';
import { getImage } from './image-query';

interface ShowOptions {
  json?: boolean;
  saveThumbnails?: string;
  stack?: string;
  region?: string;
}

/** A thumbnail as `show` reports it: where it is stored, and where it was saved. */
export interface LocatedThumbnail extends Thumbnail {
  uri: string;
  url?: string;
  file?: string;
}

export function showCommand(program: Command): void {
  program
    .command('show')
    .alias('get')
    .description("show one image's analysis: status, faces, labels, text, moderation, and where its thumbnails are")
    .argument(
      '<image>',
      'the image: its key (uploads/photo.jpg), its name under the upload prefix (photo.jpg), or its image id (bucket/key)',
    )
    .option('--json', 'print the item as JSON (each thumbnail with its uri, and file when saved)')
    .option('--save-thumbnails <dir>', 'write the thumbnails into this directory as JPEG files')
    .option('--stack <name>', "read the deployed CloudFormation stack's table and bucket instead of the local data")
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .action(async (image: string, options: ShowOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      const source = await openImageSource(dataDir, options);
      try {
        const item = await getImage(source, image);
        if (!item) {
          process.stderr.write(`picflow show: no image "${image}" in ${source.description} (\`picflow list\` shows the keys)\n`);
          process.exitCode = 1;
          return;
        }
        const thumbnails = locateThumbnails(source, item);
        if (options.saveThumbnails) await saveThumbnails(source, item, thumbnails, options.saveThumbnails);
        if (options.json) process.stdout.write(`${JSON.stringify({ ...item, thumbnails }, null, 2)}\n`);
        else process.stdout.write(`${describe(item, thumbnails)}\n`);
      } finally {
        await source.close();
      }
    });
}

function locateThumbnails(source: ImageSource, item: ImageItem): LocatedThumbnail[] {
  return (item.thumbnails ?? []).map((t) => ({
    ...t,
    uri: `s3://${item.bucket}/${t.key}`,
    ...(source.objectUrl ? { url: source.objectUrl(t.key) } : {}),
  }));
}

/** Files named `<image name>.<thumbnail name>.jpg`, so the thumbnails of several images can share a folder. */
async function saveThumbnails(source: ImageSource, item: ImageItem, thumbnails: LocatedThumbnail[], dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const stem = basename(item.key, extname(item.key)).replace(/[^\w.-]+/g, '_') || 'image';
  for (const thumbnail of thumbnails) {
    const object = await source.s3.send(new GetObjectCommand({ Bucket: item.bucket, Key: thumbnail.key }));
    const file = resolve(join(dir, `${stem}.${thumbnail.name.replace(/[^\w.-]+/g, '_')}${extname(thumbnail.key) || '.jpg'}`));
    writeFileSync(file, await object.Body!.transformToByteArray());
    thumbnail.file = file;
  }
}

function describe(item: ImageItem, thumbnails: LocatedThumbnail[]): string {
  const percent = (n: number) => `${n.toFixed(0)}%`;
  const rows: [string, string][] = [
    ['image', item.imageId],
    ['status', item.status],
    ...(item.status !== 'SUCCEEDED' && item.statusReason ? [['reason', item.statusReason] as [string, string]] : []),
    ['format', item.format ? `${item.format} ${item.width}x${item.height}, ${item.size} bytes` : `${item.size} bytes`],
    ['updated', item.updatedAt],
    ['execution', item.executionId],
    ['faces', faces(item, percent)],
    ['labels', item.labels ? item.labels.map((l) => `${l.name} ${percent(l.confidence)}`).join(', ') || 'none' : 'n/a'],
    ['text', item.text ? item.text.map((t) => t.text).join(' / ') || 'none' : 'n/a'],
    [
      'moderation',
      item.moderation
        ? [item.moderation.verdict, ...item.moderation.labels.map((l) => `${l.name} ${percent(l.confidence)}`)].join(', ')
        : 'n/a',
    ],
  ];
  const lines = rows.map(([name, value]) => `${name.padEnd(11)}${value}`);
  lines.push(`thumbnails${thumbnails.length ? '' : ' none'}`);
  for (const t of thumbnails)
    lines.push(
      `  ${t.name.padEnd(15)} ${`${t.width}x${t.height}`.padEnd(9)} ${t.file ?? t.url ?? t.uri}${t.file || t.url ? `  (${t.uri})` : ''}`,
    );
  return lines.join('\n');
}

function faces(item: ImageItem, percent: (n: number) => string): string {
  if (!item.faces) return item.branches?.faces?.status === 'FAILED' ? 'failed' : 'n/a';
  if (item.faces.length === 0) return 'none';
  const each = item.faces.map((f) =>
    [f.dominantEmotion?.toLowerCase(), f.ageRange && `age ${f.ageRange.low}-${f.ageRange.high}`, `${percent(f.confidence)} sure`]
      .filter(Boolean)
      .join(' '),
  );
  return `${item.faceCount ?? item.faces.length}: ${each.join('; ')}`;
}
