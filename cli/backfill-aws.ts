/**
 * `picflow backfill --stack NAME`: starts the deployed backfill state machine once per upload prefix (or for
 * --prefix) and, with --watch, prints its Map Run's progress until it ends, then a summary.
 */
import { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describeDeployedBackfill } from './aws-stack';

export interface AwsBackfillOptions {
  prefix?: string;
  reanalyse: boolean;
  watch: boolean;
  region?: string;
  /** Seconds between progress polls. @default 5 */
  pollSeconds?: number;
}

export interface MapRunCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  pending: number;
}

export interface AwsBackfillResult {
  executions: { prefix: string; executionArn: string; status?: string; counts?: MapRunCounts }[];
}

export async function backfillOnAws(stackName: string, options: AwsBackfillOptions, sfn = new SFNClient({ region: options.region })) {
  const deployed = await describeDeployedBackfill(stackName, options.region);
  const prefixes = options.prefix ? [options.prefix] : deployed.uploadPrefixes;
  const outside = prefixes.filter((p) => !deployed.uploadPrefixes.some((upload) => p.startsWith(upload)));
  if (outside.length > 0) {
    throw new UsageError(`--prefix ${outside.join(', ')} is not under the stack's upload prefixes (${deployed.uploadPrefixes.join(', ')})`);
  }
  const result: AwsBackfillResult = { executions: [] };
  try {
    for (const prefix of prefixes) {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: deployed.backfillStateMachineArn,
          input: JSON.stringify({ prefix, reanalyse: options.reanalyse }),
        }),
      );
      process.stderr.write(`picflow backfill: started ${executionArn} for ${prefix}\n`);
      result.executions.push({ prefix, executionArn: executionArn! });
    }
    if (!options.watch) return result;
    for (const execution of result.executions) {
      Object.assign(execution, await watchExecution(sfn, execution.executionArn, options.pollSeconds ?? 5));
    }
    return result;
  } finally {
    sfn.destroy();
  }
}

/** Polls the execution and its Map Run until the execution ends, printing the counts whenever they change. */
async function watchExecution(
  sfn: SFNClient,
  executionArn: string,
  pollSeconds: number,
): Promise<{ status: string; counts?: MapRunCounts }> {
  let last = '';
  for (;;) {
    const { status = 'RUNNING' } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const counts = await mapRunCounts(sfn, executionArn);
    const line = counts ? progressLine(counts) : 'listing objects...';
    if (line !== last) process.stderr.write(`picflow backfill: ${line}\n`);
    last = line;
    if (status !== 'RUNNING') return { status, counts };
    await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
  }
}

async function mapRunCounts(sfn: SFNClient, executionArn: string): Promise<MapRunCounts | undefined> {
  const { mapRuns = [] } = await sfn.send(new ListMapRunsCommand({ executionArn }));
  if (mapRuns.length === 0) return undefined;
  const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRuns[0].mapRunArn }));
  const c = run.itemCounts;
  return {
    total: c?.total ?? 0,
    succeeded: c?.succeeded ?? 0,
    failed: (c?.failed ?? 0) + (c?.timedOut ?? 0) + (c?.aborted ?? 0),
    running: c?.running ?? 0,
    pending: c?.pending ?? 0,
  };
}

export function progressLine(c: MapRunCounts): string {
  const done = c.succeeded + c.failed;
  return `${done}/${c.total} objects done (${c.succeeded} analysed or skipped, ${c.failed} failed), ${c.running} running`;
}

/** A problem with the command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
