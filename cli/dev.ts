/**
 * `picflow dev`: the local stack as a long-lived server on loopback. Any S3 client can upload to it
 * (`aws s3 cp --endpoint-url ...`); every upload under the prefix starts an execution, whose progress
 * is printed here. Ctrl-C stops it; everything stays in the data directory for the next start.
 */
import type { Command } from 'commander';
import { startLocalStack, LOCAL_REGION, type LocalStack } from '../local/stack/local-stack';
import type { ExecutionRecord } from '../local/engine/execution-store';
import { runDurationMs } from '../local/engine/run-duration';
import { startConsoleServer, type ConsoleServer } from '../local/console/server';
import { originsFromEnv, startApiServer, type ApiServer } from '../local/api/api-server';
import { removeDevServerInfo, runningDevServer, writeDevServerInfo } from './dev-server-info';
import { assertPortsFree } from './ports';
import { pipelineSettings } from './dev-settings';
import { basePort, positiveInteger } from './option-parsers';

interface DevOptions {
  port: number;
  workers?: number;
}

export function devCommand(program: Command): void {
  program
    .command('dev')
    .description('run the local stack as a server on 127.0.0.1 and process every upload')
    .option('--port <n>', 'first of the six consecutive ports used (console, S3, DynamoDB, SQS, Rekognition, HTTP API)', basePort(6), 4566)
    .option('--workers <n>', 'inference worker threads (default: one per core)', positiveInteger)
    .action(async (options: DevOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      // Before the stack sets its own task variables on this process (UPLOAD_PREFIX, TABLE_NAME...).
      const settings = pipelineSettings(process.env);
      const running = runningDevServer(dataDir);
      if (running) throw new Error(`picflow dev is already running on ${dataDir} (pid ${running.pid}); S3 at ${running.endpoints.s3}`);
      const base = options.port;
      await assertPortsFree('127.0.0.1', {
        console: base,
        S3: base + 1,
        DynamoDB: base + 2,
        SQS: base + 3,
        Rekognition: base + 4,
        'HTTP API': base + 5,
      });
      let consoleServer: ConsoleServer | undefined;
      let apiServer: ApiServer | undefined;
      let stack: LocalStack;
      try {
        stack = await startLocalStack({
          dataDir,
          ports: { s3: base + 1, dynamodb: base + 2, sqs: base + 3, rekognition: base + 4 },
          rekognitionWorkers: options.workers,
          // Up, and nothing started yet: the console, the banner and the execution lines come first, so
          // every execution (recovered, or an upload made during start-up) prints its start line.
          beforeWork: async (up) => {
            consoleServer = await startConsoleServer({ stack: up, port: base });
            // The API's own port (not a prefix on the console's): its paths stay the deployed API's, and the
            // console's /api/* stays the console's. The console's page may call it.
            const consoleOrigins = [consoleServer.url, consoleServer.url.replace('127.0.0.1', 'localhost')];
            apiServer = await startApiServer({
              deps: { ...up.tasks, bucket: up.bucket },
              port: base + 5,
              allowedOrigins: [...consoleOrigins, ...originsFromEnv()],
            });
            writeDevServerInfo(dataDir, {
              pid: process.pid,
              startedAt: new Date().toISOString(),
              bucket: up.bucket,
              uploadPrefix: up.uploadPrefix,
              tableName: up.tableName,
              queueUrl: up.queueUrl,
              region: LOCAL_REGION,
              endpoints: { ...up.endpoints, console: consoleServer.url, api: apiServer.url },
              settings,
            });
            printBanner(up, consoleServer.url, apiServer.url);
            reportExecutions(up);
          },
        });
      } catch (error) {
        removeDevServerInfo(dataDir);
        await apiServer?.close();
        await consoleServer?.close();
        throw error;
      }
      // Listen before saying how to stop: a signal sent the moment the line appears must find the handler.
      const stopRequested = waitForSignal();
      printRecovery(stack);
      await stopRequested;
      process.stderr.write('\npicflow dev: stopping (waiting for running executions)...\n');
      removeDevServerInfo(dataDir);
      await apiServer!.close();
      await consoleServer!.close();
      await stack.close();
      process.stderr.write('picflow dev: stopped\n');
    });
}

function printBanner(stack: LocalStack, consoleUrl: string, apiUrl: string): void {
  const { s3, dynamodb, rekognition } = stack.endpoints;
  const lines = [
    `picflow dev: local stack running (data in ${stack.dataDir})`,
    '',
    `  Console      ${consoleUrl}   library, executions, graphs, results, people, failures, uploads`,
    `  HTTP API     ${apiUrl}   /uploads, /images, /faces/search, /people, /openapi.json (no auth: loopback only)`,
    `  S3           ${s3}   bucket ${stack.bucket}, uploads under ${stack.uploadPrefix}`,
    `  DynamoDB     ${dynamodb}   table ${stack.tableName}`,
    `  SQS (DLQ)    ${stack.queueUrl}`,
    `  Rekognition  ${rekognition}`,
    '',
    '  Any access key works. Try:',
    `    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=${LOCAL_REGION} AWS_DEFAULT_REGION=${LOCAL_REGION}`,
    `    aws s3 cp photo.jpg s3://${stack.bucket}/${stack.uploadPrefix} --endpoint-url ${s3}`,
    `    aws dynamodb scan --table-name ${stack.tableName} --endpoint-url ${dynamodb}`,
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** The banner's last line, once recovery has decided (its executions' start lines may come before it). */
function printRecovery(stack: LocalStack): void {
  const { resumed, started, settled, cleanedUp } = stack.recovery;
  const deleted = cleanedUp > 0 ? `, ${cleanedUp} image(s) deleted while stopped cleaned up` : '';
  const recovered =
    resumed + started + settled + cleanedUp > 0
      ? `  Recovered unfinished work: ${resumed} execution(s) resumed, ${started} upload(s) started, ` +
        `${settled} stuck item(s) settled${deleted}.\n`
      : '';
  // npx's shell swallows a SIGINT sent to npx itself: name the process that does stop.
  process.stderr.write(`${recovered}  Waiting for uploads. Ctrl-C to stop, or kill -INT ${process.pid} (SIGTERM works too).\n`);
}

function reportExecutions(stack: LocalStack): void {
  stack.runner.on('started', (record: ExecutionRecord) => process.stderr.write(`▶ ${record.name}  ${record.imageId ?? ''}\n`));
  stack.runner.on('finished', (record: ExecutionRecord) => {
    const ms = runDurationMs(record);
    // A resumed execution ran again from its start: its time is this run's, not since the first start.
    const seconds = `${ms === undefined ? '?' : (ms / 1000).toFixed(1)}s${record.resumedAt ? ' since resumed' : ''}`;
    const detail = record.status === 'SUCCEEDED' ? '' : `  ${record.error}: ${record.cause ?? ''}`;
    process.stderr.write(
      `${record.status === 'SUCCEEDED' ? '✔' : '✖'} ${record.name}  ${record.status} in ` +
        `${seconds}${record.retries ? `, ${record.retries} retries` : ''}${detail}\n`,
    );
  });
}

/**
 * Resolves on the first SIGINT or SIGTERM, then keeps ignoring them so the clean-up can finish (a
 * terminal's Ctrl-C can arrive twice: from the terminal and forwarded by bin/picflow.js); a third
 * signal stops at once.
 */
function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    let received = 0;
    const onSignal = () => {
      received += 1;
      if (received === 1) resolve();
      if (received >= 3) process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
