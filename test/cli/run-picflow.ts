// Runs the real `picflow` command as a child process (bin/picflow.js), stdout and stderr kept apart.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { runPicflow } from '../e2e/support';
import { randomDevPort } from '../support/ports';

export const BIN = join(__dirname, '..', '..', 'bin', 'picflow.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The `picflow` command as a child process (one implementation: test/e2e/support.ts). */
export function picflow(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runPicflow(args, env);
}

/** A `picflow dev` child on free ports; resolves once it waits for uploads, with its stderr so far and later. */
export interface DevServer {
  child: ChildProcess;
  port: number;
  log(): string;
  /** Resolves when the log matches. */
  waitFor(pattern: RegExp): Promise<void>;
  stop(): Promise<void>;
}

export async function startDev(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  command: string[] = [process.execPath, BIN],
): Promise<DevServer> {
  const port = randomDevPort();
  const child = spawn(command[0], [...command.slice(1), '--data-dir', dataDir, 'dev', '--port', String(port), '--workers', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    log += chunk.toString();
    for (const w of [...waiting]) {
      if (w.pattern.test(log)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stderr!.on('data', onData);
  child.stdout!.on('data', onData);
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(log)) return resolve();
      waiting.push({ pattern, resolve });
      child.once('exit', (code) => reject(new Error(`picflow dev exited (${code}) before ${pattern}: ${log}`)));
    });
  await waitFor(/Ctrl-C to stop/);
  return {
    child,
    port,
    log: () => log,
    waitFor,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}
