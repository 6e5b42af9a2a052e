/**
 * `picflow replay [--dry-run] [--stack NAME]`: runs every image in the dead-letter queue through the
 * pipeline again, from its original S3 event. A message is deleted only when its re-run succeeded;
 * otherwise it goes back to the queue (and the duplicate the failed re-run sent is removed), so each
 * failed image keeps exactly one message. Locally by default; with --stack, against AWS.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { positiveInteger } from './option-parsers';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalStack } from '../local/stack/local-stack';
import { describeDeployedStack } from './aws-stack';
import { replayDeadLetters, replayQueue, type ReplayOutcome, type ReplayProgress } from '../dead-letters/replay';
import type { DeadLettersResponse, ReplayResponse } from '../local/console/shared/api-types';
import { runningDevServer } from './dev-server-info';
import { withThrottleBackoff, type BackoffOptions } from './sfn-backoff';

interface ReplayOptions {
  dryRun?: boolean;
  stack?: string;
  region?: string;
  /** Re-executions running at once on AWS. */
  concurrency?: number;
  /** Backoff on throttled Step Functions calls (tests inject a sleep that does not wait). */
  backoff?: BackoffOptions;
  /** Where progress lines go (stderr by default). */
  progress?: (line: string) => void;
}

/** Re-executions at once on AWS: far below StartExecution's token bucket, and few enough to poll each. */
export const DEFAULT_REPLAY_CONCURRENCY = 10;

export type { ReplayOutcome };

export function replayCommand(program: Command): void {
  program
    .command('replay')
    .description('re-run the images in the dead-letter queue; delete each message only if its re-run succeeds')
    .option('--dry-run', 'list what would be replayed, change nothing')
    .option('--stack <name>', 'replay on AWS, in this deployed CloudFormation stack')
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .option('--concurrency <n>', `with --stack: re-executions running at once (default ${DEFAULT_REPLAY_CONCURRENCY})`, positiveInteger)
    .action(async (options: ReplayOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      const outcomes = options.stack ? (await replayOnAws(options.stack, options)).map(summarize) : await replayLocally(dataDir, options);
      for (const o of outcomes)
        process.stdout.write(`${o.status.padEnd(9)} ${o.key}  ${o.detail}${o.message ? `  [message ${o.message}]` : ''}\n`);
      process.stderr.write(`picflow replay: ${replayTally(outcomes)}\n`);
      if (outcomes.some((o) => o.status === 'FAILED')) process.exitCode = 1;
    });
}

/** One replayed message, as printed: its status, the image's key, what happened, and what became of the message. */
export interface ReplaySummary {
  messageId: string;
  status: ReplayOutcome['status'];
  key: string;
  detail: string;
  /** e.g. `deleted: the re-run succeeded`, `kept: failed again`. */
  message?: string;
}

function summarize(outcome: ReplayOutcome): ReplaySummary {
  const event = outcome.letter.event;
  const key = event ? event.detail.object.key : outcome.letter.messageId; // raw, as EventBridge sends it
  return {
    messageId: outcome.letter.messageId,
    status: outcome.status,
    key,
    detail: outcome.detail,
    message: messageFate(outcome.message),
  };
}

function messageFate(message: ReplayOutcome['message']): string | undefined {
  return message ? `${message.deleted ? 'deleted' : 'kept'}: ${message.why}` : undefined;
}

/** `3 message(s): 1 succeeded, 1 failed again, 1 skipped; 2 deleted, 1 kept`. */
export function replayTally(outcomes: ReplaySummary[]): string {
  const count = (status: ReplaySummary['status']) => outcomes.filter((o) => o.status === status).length;
  const deleted = outcomes.filter((o) => o.message?.startsWith('deleted')).length;
  const kept = outcomes.filter((o) => o.message?.startsWith('kept')).length;
  if (outcomes.every((o) => o.status === 'DRY_RUN')) return `${outcomes.length} message(s) would be replayed (dry run: nothing changed)`;
  return `${outcomes.length} message(s): ${count('SUCCEEDED')} succeeded, ${count('FAILED')} failed again, ${count('SKIPPED')} skipped; ${deleted} deleted, ${kept} kept`;
}

/**
 * Replays the local DLQ: through the running `picflow dev` (its console API) when there is one, as the
 * data directory is its; otherwise with a stack started for the command.
 */
export async function replayLocally(dataDir: string, options: ReplayOptions = {}): Promise<ReplaySummary[]> {
  const dev = runningDevServer(dataDir);
  if (dev?.endpoints.console) return replayThroughConsole(dev.endpoints.console, options);
  if (dev) throw new Error(`picflow dev (pid ${dev.pid}) is running on ${dataDir} without a console: stop it first, then replay`);
  const stack = await startLocalStack({ dataDir, recover: false });
  try {
    return (await replayDeadLetters(stack, { dryRun: options.dryRun })).map(summarize);
  } finally {
    await stack.close();
  }
}

async function replayThroughConsole(consoleUrl: string, options: ReplayOptions): Promise<ReplaySummary[]> {
  const { messages } = (await request(`${consoleUrl}/api/dead-letters`)) as DeadLettersResponse;
  const keyOf = new Map(messages.map((m) => [m.messageId, m.key ?? m.messageId]));
  if (options.dryRun)
    return messages.map((m) => ({ messageId: m.messageId, status: 'DRY_RUN', key: keyOf.get(m.messageId)!, detail: m.reason }));
  const { outcomes } = (await request(`${consoleUrl}/api/dead-letters/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })) as ReplayResponse;
  return outcomes.map((o) => ({
    messageId: o.messageId,
    status: o.status,
    key: keyOf.get(o.messageId) ?? o.messageId,
    detail: o.detail,
    message: messageFate(o.message),
  }));
}

async function request(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function replayOnAws(stackName: string, options: ReplayOptions): Promise<ReplayOutcome[]> {
  const stack = await describeDeployedStack(stackName, options.region);
  const sqs = new SQSClient({ region: options.region });
  const sfn = new SFNClient({ region: options.region });
  const print = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const backoff: BackoffOptions = {
    ...options.backoff,
    onRetry: (error, attempt, delayMs) =>
      print(`picflow replay: ${error.name}, retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`),
  };
  try {
    return await replayQueue({
      dryRun: options.dryRun,
      sqs,
      queueUrl: stack.deadLetterQueueUrl,
      concurrency: options.concurrency ?? DEFAULT_REPLAY_CONCURRENCY,
      onProgress: progressPrinter(print),
      run: async (event) => {
        const { executionArn } = await withThrottleBackoff(
          () =>
            sfn.send(
              new StartExecutionCommand({
                stateMachineArn: stack.stateMachineArn,
                name: `replay-${randomUUID()}`,
                input: JSON.stringify(event),
              }),
            ),
          backoff,
        );
        const { status, output } = await waitForExecution(sfn, executionArn!, backoff);
        return {
          status,
          executionArn: executionArn!,
          detail: status === 'SUCCEEDED' ? executionArn! : `${status}: ${executionArn}`,
          output,
        };
      },
    });
  } finally {
    sqs.destroy();
    sfn.destroy();
  }
}

/** Progress lines for long work: every receive that found the queue not yet drained, and replays at most every 5 s. */
function progressPrinter(print: (line: string) => void): (progress: ReplayProgress) => void {
  let last = 0;
  return (progress) => {
    if (progress.phase === 'receiving') {
      print(
        `picflow replay: ${progress.received} message(s) received, waiting for ${progress.waitingFor} more (held elsewhere or not yet counted)`,
      );
      return;
    }
    const now = Date.now();
    if (progress.done < progress.total && now - last < 5000) return;
    last = now;
    print(`picflow replay: ${progress.done}/${progress.total} replayed (${progress.succeeded} succeeded, ${progress.failed} failed)`);
  };
}

async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  backoff: BackoffOptions,
): Promise<{ status: string; output?: string }> {
  for (;;) {
    const { status, output } = await withThrottleBackoff(() => sfn.send(new DescribeExecutionCommand({ executionArn })), backoff);
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') return { status: status ?? 'UNKNOWN', output };
    await (backoff.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms))))(2000);
  }
}
