/**
 * `picflow backfill [--prefix P] [--reanalyse] [--stack NAME [--watch]]`: analyses the images already in the
 * bucket. Locally it runs the backfill definition's item processor over the local bucket with a progress
 * bar, resumable after a crash (checkpoint under the data directory); with --stack it starts the deployed
 * backfill state machine. Exit codes: 0 every object analysed or skipped, 1 some failed, 2 usage.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { checkpointPath } from '../local/backfill/backfill-checkpoint';
import { type BackfillSummary, runLocalBackfill } from '../local/backfill/local-backfill';
import { startLocalStack } from '../local/stack/local-stack';
import { DEFAULT_BACKFILL_CONCURRENCY } from '../statemachines/backfill';
import { backfillOnAws, progressLine, UsageError } from './backfill-aws';
import { positiveInteger } from './option-parsers';
import { createProgress } from './progress';

/** Failures named in the summary; the rest are counted (their items say why). */
const MAX_FAILURES_SHOWN = 20;

interface BackfillOptions {
  prefix?: string;
  reanalyse?: boolean;
  stack?: string;
  region?: string;
  watch?: boolean;
  concurrency?: number;
}

export function backfillCommand(program: Command): void {
  program
    .command('backfill')
    .description('analyse the images already in the bucket: each object without a current item (same ETag), or all with --reanalyse')
    .option('--prefix <prefix>', 'only objects under this prefix (under an upload prefix; default: every upload prefix)', prefixOption)
    .option('--reanalyse', 'analyse again objects whose item is current')
    .option('--stack <name>', 'backfill on AWS: start the backfill state machine of this deployed CloudFormation stack')
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .option('--watch', 'with --stack: print the Map Run progress until it ends, then a summary')
    .option('--concurrency <n>', `locally: objects in flight at once (default: the local stack's concurrency)`, positiveInteger)
    .action(async (options: BackfillOptions, command: Command) => {
      if (options.watch && !options.stack) throw usage('--watch needs --stack (locally the progress is always shown)');
      if (options.concurrency && options.stack)
        throw usage(`--concurrency is local only: on AWS it is the context setting backfillConcurrency`);
      if (options.stack) return backfillAws(options.stack, options);
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      const summary = await backfillLocally(dataDir, options);
      process.stdout.write(`${summaryText(summary)}\n`);
      if (summary.failed > 0) process.exitCode = 1;
    });
}

async function backfillLocally(dataDir: string, options: BackfillOptions): Promise<BackfillSummary> {
  // The summary says what failed; task logs would repeat it as JSON lines (POWERTOOLS_LOG_LEVEL brings them back).
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // Recovery still resumes the executions a crash interrupted; the uploads without an item are this command's to start.
  const stack = await startLocalStack({ dataDir, recoverUploads: false });
  try {
    const prefix = options.prefix ?? stack.uploadPrefix;
    if (!prefix.startsWith(stack.uploadPrefix)) throw usage(`--prefix ${prefix} is not under the upload prefix ${stack.uploadPrefix}`);
    // A crashed run's executions (queued or running when it died) finish first: their items are then current, and
    // the listing skips them instead of starting a second execution of the same version.
    if (stack.recovery.resumed > 0) {
      process.stderr.write(`picflow backfill: finishing ${stack.recovery.resumed} execution(s) an earlier run left unfinished\n`);
      await stack.runner.idle();
    }
    let progress = createProgress(0);
    const summary = await runLocalBackfill(stack, {
      prefix,
      reanalyse: options.reanalyse === true,
      concurrency: options.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY,
      checkpointPath: checkpointPath(dataDir),
      onListed: (total, resumedAfter) => {
        const from = resumedAfter ? `, resuming after ${resumedAfter}` : '';
        process.stderr.write(`picflow backfill: ${total} object${total === 1 ? '' : 's'} under ${prefix} in ${stack.bucket}${from}\n`);
        progress = createProgress(total);
      },
      onItem: (key, outcome) => progress.done(key.slice(prefix.length), outcome.status),
    });
    progress.stop();
    return summary;
  } finally {
    await stack.close();
  }
}

async function backfillAws(stackName: string, options: BackfillOptions): Promise<void> {
  try {
    const result = await backfillOnAws(stackName, {
      prefix: options.prefix,
      reanalyse: options.reanalyse === true,
      watch: options.watch === true,
      region: options.region,
    });
    if (!options.watch) {
      process.stdout.write(`${result.executions.map((e) => e.executionArn).join('\n')}\n`);
      return;
    }
    for (const execution of result.executions) {
      const counts = execution.counts ? progressLine(execution.counts) : 'no Map Run';
      process.stdout.write(`${execution.prefix}: ${execution.status} | ${counts}\n`);
      if (execution.status !== 'SUCCEEDED' || (execution.counts?.failed ?? 0) > 0) process.exitCode = 1;
    }
  } catch (error) {
    if (error instanceof UsageError) throw usage(error.message);
    throw error;
  }
}

/** The local run's last word, on stdout: counts, then each failure. */
export function summaryText(summary: BackfillSummary): string {
  const head =
    `backfill: ${summary.listed} listed, ${summary.analysed} analysed, ${summary.skipped} skipped, ${summary.failed} failed` +
    (summary.resumedAfter ? ` (resumed after ${summary.resumedAfter})` : '');
  const shown = summary.failures.slice(0, MAX_FAILURES_SHOWN).map((f) => `  FAILED ${f.key}: ${f.reason}`);
  const more = summary.failures.length - shown.length;
  return [head, ...shown, ...(more > 0 ? [`  ... and ${more} more (picflow list --status failed)`] : [])].join('\n');
}

function prefixOption(value: string): string {
  if (value.trim() === '' || value.startsWith('/'))
    throw new InvalidArgumentError(`expected a key prefix such as uploads/2024/, got "${value}"`);
  return value;
}

/** A usage error: main.ts prints it and exits 2. */
function usage(message: string): Error {
  process.exitCode = 2;
  return new Error(message);
}
