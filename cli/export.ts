/**
 * `picflow export --format csv|jsonl [--status S] [--label L] [--since T] [--stack NAME]`: every
 * matching item to stdout, one line (JSONL, the item as stored) or one spreadsheet row (CSV, see
 * export-rows.ts) per image, written page by page as the table is read, never all held at once.
 */
import { once } from 'node:events';
import { Option, type Command } from 'commander';
import { csvLine, exportRow, EXPORT_COLUMNS } from './export-rows';
import { openImageSource } from './image-source';
import { matchingImages, parseSince, parseStatus, STATUSES, type ImageFilter } from './image-query';

interface ExportOptions {
  format: 'csv' | 'jsonl';
  status?: ImageFilter['status'];
  label?: string;
  since?: string;
  stack?: string;
  region?: string;
}

export function exportCommand(program: Command): void {
  program
    .command('export')
    .description('write every image (or those matching the filters) to stdout as CSV or JSON lines')
    .addOption(
      new Option('--format <format>', 'csv: one spreadsheet row per image; jsonl: one stored item per line')
        .choices(['csv', 'jsonl'])
        .makeOptionMandatory(),
    )
    .addOption(new Option('--status <status>', `only this status (${STATUSES.join(', ')})`).argParser(parseStatus))
    .option('--label <name>', 'only images with this label (or a label under it), any case')
    .option('--since <when>', 'only images updated since a date or an age (30m, 12h, 7d)', (v: string) => parseSince(v))
    .option('--stack <name>', "read the deployed CloudFormation stack's table instead of the local data")
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .action(async (options: ExportOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      // A reader that stops early (`| head`) closes the pipe: that ends the export, it is not an error.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0);
      });
      const source = await openImageSource(dataDir, options);
      let count = 0;
      try {
        if (options.format === 'csv') await write(csvLine(EXPORT_COLUMNS));
        for await (const item of matchingImages(source, { status: options.status, label: options.label, since: options.since })) {
          if (options.format === 'csv') {
            const row = exportRow(item);
            await write(csvLine(EXPORT_COLUMNS.map((c) => row[c])));
          } else {
            await write(`${JSON.stringify(item)}\n`);
          }
          count += 1;
        }
      } finally {
        await source.close();
      }
      process.stderr.write(`picflow export: ${count} image${count === 1 ? '' : 's'} from ${source.description}\n`);
    });
}

/** Waits when stdout's buffer is full (a slow pipe), so a large table is not buffered in memory. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
