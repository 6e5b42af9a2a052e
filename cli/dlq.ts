/**
 * `picflow dlq list [--json]` and `picflow dlq discard <messageId...> | --all-permanent`: look at the
 * dead-letter queue, and remove the messages no replay can fix (a corrupt image stays there forever
 * otherwise). Locally through the running `picflow dev` (its console API) when there is one, else the
 * data directory; with --stack, the deployed queue on AWS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { discardLetters, type DiscardSelection } from '../dead-letters/discard';
import type { DeadLetter } from '../dead-letters/parse';
import { peekAll } from '../dead-letters/queue';
import type { DeadLetterSummary, DeadLettersResponse, DiscardResponse } from '../local/console/shared/api-types';
import { summarizeLetter } from '../local/console/routes/failures';
import { startLocalStack } from '../local/stack/local-stack';
import { describeDeployedStack } from './aws-stack';
import { runningDevServer } from './dev-server-info';

interface WhereOptions {
  stack?: string;
  region?: string;
}

/** How long a listing hides each message before it puts them all back (as the console's listing). */
const PEEK_SECONDS = 10;

/** The queue, wherever it is: the two things `dlq` does with it. */
interface DeadLetterQueue {
  description: string;
  list(): Promise<DeadLetterSummary[]>;
  discard(selection: DiscardSelection): Promise<DiscardResponse>;
  close(): Promise<void>;
}

export function dlqCommand(program: Command): void {
  const dlq = program.command('dlq').description('list the dead-letter queue, or discard messages no replay can fix (permanent failures)');
  dlq
    .command('list')
    .description('list the messages: id, image, failure, whether it is permanent, age')
    .option('--json', 'print the messages as one JSON array')
    .option('--stack <name>', "the deployed CloudFormation stack's queue instead of the local one")
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .action(async (options: WhereOptions & { json?: boolean }, command: Command) => {
      const queue = await openQueue(command.optsWithGlobals<{ dataDir: string }>().dataDir, options);
      try {
        const messages = (await queue.list()).sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
        if (options.json) process.stdout.write(`${JSON.stringify(messages, null, 2)}\n`);
        else if (messages.length > 0) process.stdout.write(dlqTable(messages, new Date()));
        const permanent = messages.filter((m) => m.permanent).length;
        process.stderr.write(
          `picflow dlq: ${messages.length} message(s) in ${queue.description}, ${permanent} ` +
            `permanent${permanent ? ' (`picflow dlq discard --all-permanent` removes them)' : ''}\n`,
        );
      } finally {
        await queue.close();
      }
    });
  dlq
    .command('discard')
    .description('delete messages from the queue: the ones named, and/or every permanent failure')
    .argument('[messageIds...]', 'message ids, as `picflow dlq list` prints them')
    .option('--all-permanent', 'every message whose failure is permanent (corrupt, unsupported, too small, missing image...)')
    .option('--stack <name>', "the deployed CloudFormation stack's queue instead of the local one")
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .action(async (messageIds: string[], options: WhereOptions & { allPermanent?: boolean }, command: Command) => {
      if (messageIds.length === 0 && !options.allPermanent)
        command.error('error: name the message ids to discard, or pass --all-permanent', { exitCode: 2 });
      const queue = await openQueue(command.optsWithGlobals<{ dataDir: string }>().dataDir, options);
      try {
        const result = await queue.discard({ messageIds: messageIds.length ? messageIds : undefined, allPermanent: options.allPermanent });
        for (const m of result.discarded) process.stdout.write(`discarded ${m.messageId}  ${imageOf(m)}  ${m.failureKind}\n`);
        for (const id of result.notFound) process.stderr.write(`picflow dlq: no message ${id} in the queue\n`);
        process.stderr.write(`picflow dlq: ${result.discarded.length} message(s) discarded from ${queue.description}\n`);
        if (result.notFound.length > 0) process.exitCode = 1;
      } finally {
        await queue.close();
      }
    });
}

/** The local queue (through `picflow dev` if it runs: its data directory is locked) or the deployed one. */
export async function openQueue(dataDir: string, options: WhereOptions): Promise<DeadLetterQueue> {
  if (options.stack) return awsQueue(options.stack, options.region);
  const dev = runningDevServer(dataDir);
  if (dev?.endpoints.console) return consoleQueue(dev.endpoints.console, `the dead-letter queue of picflow dev (pid ${dev.pid})`);
  if (dev) throw new Error(`picflow dev (pid ${dev.pid}) is running on ${dataDir} without a console: stop it first`);
  if (!existsSync(join(dataDir, 'sqs')))
    throw new Error(`no picflow data in ${dataDir}: run \`picflow analyze\` or \`picflow dev\` first, or pass --data-dir`);
  const stack = await startLocalStack({ dataDir, recover: false });
  return sqsQueue(stack.clients.sqs, stack.queueUrl, `the local dead-letter queue (${dataDir})`, () => stack.close());
}

export async function awsQueue(stackName: string, region?: string): Promise<DeadLetterQueue> {
  const stack = await describeDeployedStack(stackName, region);
  const sqs = new SQSClient({ region });
  return sqsQueue(sqs, stack.deadLetterQueueUrl, `stack ${stackName}'s dead-letter queue`, async () => sqs.destroy());
}

function sqsQueue(sqs: SQSClient, queueUrl: string, description: string, close: () => Promise<void>): DeadLetterQueue {
  const summarize = (letters: DeadLetter[]) => letters.map(summarizeLetter);
  return {
    description,
    list: async () => summarize(await peekAll(sqs, queueUrl, PEEK_SECONDS)),
    discard: async (selection) => {
      const { discarded, notFound } = await discardLetters(sqs, queueUrl, selection);
      return { discarded: summarize(discarded), notFound };
    },
    close,
  };
}

function consoleQueue(consoleUrl: string, description: string): DeadLetterQueue {
  return {
    description,
    list: async () => ((await request(`${consoleUrl}/api/dead-letters`)) as DeadLettersResponse).messages,
    discard: async (selection) =>
      (await request(`${consoleUrl}/api/dead-letters/discard`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(selection),
      })) as DiscardResponse,
    close: async () => undefined,
  };
}

async function request(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function imageOf(m: DeadLetterSummary): string {
  return m.key ?? m.imageId ?? '-';
}

/** One line per message: id, image, failure kind, permanent?, age, then the stored reason. */
export function dlqTable(messages: DeadLetterSummary[], now: Date): string {
  const rows = [
    ['MESSAGE ID', 'IMAGE', 'FAILURE', 'PERMANENT', 'AGE', 'REASON'],
    ...messages.map((m) => [
      m.messageId,
      imageOf(m),
      m.failureKind,
      m.permanent ? 'yes' : 'no',
      age(m.failedAt, now),
      m.reason.replace(/\s+/g, ' '),
    ]),
  ];
  const widths = rows[0].slice(0, -1).map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return `${rows.map((r) => [...r.slice(0, -1).map((cell, i) => cell.padEnd(widths[i])), r[r.length - 1]].join('  ')).join('\n')}\n`;
}

/** `45s`, `12m`, `3h`, `2d`; `-` when the message does not say when it failed. */
export function age(failedAt: string | undefined, now: Date): string {
  const at = failedAt ? Date.parse(failedAt) : NaN;
  if (Number.isNaN(at)) return '-';
  const seconds = Math.max(0, Math.round((now.getTime() - at) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
