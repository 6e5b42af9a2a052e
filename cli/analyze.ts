/**
 * `picflow analyze <file|dir>...`: uploads images to the local pipeline (a running `picflow dev`, or a
 * stack started for this command), waits for every execution, and prints one row per image, or with
 * --json the stored items and nothing else on stdout. Exit code 1 if any image did not fully succeed.
 */
import { basename, relative } from 'node:path';
import type { Command } from 'commander';
import { collectImageFiles, uploadKeys } from './images';
import { connectLocal } from './local-target';
import { positiveInteger } from './option-parsers';
import { createProgress } from './progress';
import { reportedItem, summaryTable, type AnalyzedImage } from './summary-table';

interface AnalyzeOptions {
  json?: boolean;
  workers?: number;
  concurrency?: number;
}

export function analyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description('analyse images end to end on the local pipeline and print what was found')
    .argument('<paths...>', 'image files or directories (searched recursively)')
    .option('--json', 'print the stored DynamoDB items as one JSON array on stdout')
    .option('--workers <n>', 'inference worker threads (default: one per core)', positiveInteger)
    .option('--concurrency <n>', 'executions running at once (default: one per worker)', positiveInteger)
    .action(async (paths: string[], options: AnalyzeOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      const results = await analyze(paths, dataDir, options);
      if (options.json) process.stdout.write(`${JSON.stringify(results.map(reportedItem), null, 2)}\n`);
      else process.stdout.write(`${summaryTable(results)}\n`);
      if (results.some((r) => r.item?.status !== 'SUCCEEDED')) process.exitCode = 1;
    });
}

export async function analyze(paths: string[], dataDir: string, options: AnalyzeOptions = {}): Promise<AnalyzedImage[]> {
  const files = collectImageFiles(paths);
  const names = displayNames(files);
  // The table (or the JSON) already says why an image failed; task logs would repeat it as JSON
  // lines. POWERTOOLS_LOG_LEVEL=INFO (or WARN...) brings them back, on stderr.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const started = Date.now();
  process.stderr.write(`picflow: analysing ${files.length} image${files.length === 1 ? '' : 's'} locally (data in ${dataDir})\n`);
  const target = await connectLocal(dataDir, { workers: options.workers, concurrency: options.concurrency });
  const progress = createProgress(files.length);
  try {
    const keys = uploadKeys(files, target.uploadPrefix);
    const uploads = await Promise.all(files.map((file, i) => target.upload(file, keys[i])));
    const results = await Promise.all(
      uploads.map(async (image): Promise<AnalyzedImage> => {
        const outcome = await target.result(image);
        const result = {
          file: names.get(image.file)!,
          item: outcome.item,
          error: outcome.error,
          retries: outcome.retries,
          elapsedMs: Date.now() - image.uploadedAt,
        };
        progress.done(result.file, result.item?.status ?? 'FAILED');
        return result;
      }),
    );
    progress.stop();
    process.stderr.write(`picflow: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return results;
  } finally {
    progress.stop();
    await target.close();
  }
}

/** Each file's name in the output: its base name, or its path relative to here when two files share one. */
export function displayNames(files: string[], cwd = process.cwd()): Map<string, string> {
  const count = new Map<string, number>();
  for (const file of files) count.set(basename(file), (count.get(basename(file)) ?? 0) + 1);
  return new Map(files.map((file) => [file, count.get(basename(file))! > 1 ? relative(cwd, file) : basename(file)]));
}
