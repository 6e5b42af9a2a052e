// The picflow command as a user runs it: a child process, stdout and stderr kept apart, exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath, runPicflow, tempDir } from './support';
import { randomDevPort } from '../support/ports';

jest.setTimeout(180_000);

const BIN = join(__dirname, '..', '..', 'bin', 'picflow.js');

const picflow = runPicflow;

describe('CLI: picflow analyze', () => {
  const data = tempDir('cli');
  afterAll(() => data.remove());

  it('with --json prints only the stored items on stdout, and exits 1 when an image failed', async () => {
    // Act: task logs on (warnings and errors, as by default): they must go to stderr, not stdout
    const { code, stdout, stderr } = await picflow(
      ['--data-dir', data.path, 'analyze', '--json', '--workers', '1', fixturePath('astronaut.png'), fixturePath('truncated.jpg')],
      { POWERTOOLS_LOG_LEVEL: 'WARN' },
    );

    // Assess
    const items = JSON.parse(stdout) as { key: string; status: string; statusReason?: string }[];
    expect(items.map((i) => [i.key, i.status])).toEqual([
      ['uploads/astronaut.png', 'SUCCEEDED'],
      ['uploads/truncated.jpg', 'FAILED'],
    ]);
    expect(items[1].statusReason).toMatch(/CORRUPT/);
    expect(stderr).toContain('analysing 2 images');
    expect(stderr).toContain('"message":"Image failed"');
    expect(code).toBe(1);
  });

  it('prints a summary table and exits 0 when every image succeeded', async () => {
    const { code, stdout } = await picflow(['--data-dir', data.path, 'analyze', '--workers', '1', fixturePath('astronaut.png')]);

    expect(stdout).toMatch(/^image\s+status\s+retries\s+faces\s+labels\s+text\s+moderation\s+time/);
    expect(stdout).toMatch(/astronaut\.png\s+SUCCEEDED\s+0\s+1: happy/);
    expect(code).toBe(0);
  });

  it('explains a missing path instead of crashing', async () => {
    const { code, stderr } = await picflow(['--data-dir', data.path, 'analyze', 'no/such/photo.jpg']);

    expect(stderr).toContain('picflow: no/such/photo.jpg: no such file or directory');
    expect(code).toBe(2);
  });
});

describe('CLI: picflow analyze and replay with picflow dev running', () => {
  const data = tempDir('cli-dev');
  let dev: ChildProcess | undefined;
  let devLog = '';
  const port = randomDevPort();

  beforeAll(async () => {
    // A dev server on free ports, whose analyzer fails moderation permanently: images end PARTIAL
    dev = spawn(process.execPath, [BIN, '--data-dir', data.path, 'dev', '--port', String(port), '--workers', '1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PICFLOW_FAULTS: JSON.stringify({ DetectModerationLabels: { fail: 'InvalidParameterException' } }) },
    });
    await new Promise<void>((resolve, reject) => {
      dev!.stderr!.on('data', (chunk: Buffer) => {
        devLog += chunk.toString();
        if (devLog.includes('Waiting for uploads')) resolve();
      });
      dev!.once('exit', (code) => reject(new Error(`picflow dev exited (${code}): ${devLog}`)));
    });
  });

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      dev.kill('SIGINT');
      await new Promise((resolve) => dev!.once('exit', resolve));
    }
    data.remove();
  });

  it('analyze sends the images to the running server instead of starting a second stack', async () => {
    // Act
    const { code, stdout } = await picflow(['--data-dir', data.path, 'analyze', fixturePath('coffee.png')]);

    // Assess: the result came back, and the dev server ran the execution (it prints each one as it
    // ends, which can be a moment after the item the CLI waited for is stored)
    expect(stdout).toMatch(/coffee\.png\s+PARTIAL/);
    expect(code).toBe(1);
    for (let i = 0; i < 100 && !/✖ coffee-png-\w+\s+FAILED/.test(devLog); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(devLog).toMatch(/✖ coffee-png-\w+\s+FAILED/);
  });

  it('replay goes through the running server: --dry-run lists, a re-run that fails again keeps its one message', async () => {
    // Act
    const listed = await picflow(['--data-dir', data.path, 'replay', '--dry-run']);
    const replayed = await picflow(['--data-dir', data.path, 'replay']);
    const again = await picflow(['--data-dir', data.path, 'replay', '--dry-run']);

    // Assess
    expect(listed.stdout).toMatch(/^DRY_RUN\s+uploads\/coffee\.png\s+PARTIAL: DetectModerationLabels failed/m);
    expect(replayed.stdout).toMatch(/^FAILED\s+uploads\/coffee\.png/m);
    expect(replayed.code).toBe(1);
    expect(again.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a second picflow dev on the same ports says so, instead of crashing', async () => {
    const other = tempDir('cli-dev-2');
    try {
      const { code, stderr } = await picflow(['--data-dir', other.path, 'dev', '--port', String(port)]);

      expect(stderr).toContain(`picflow: ports ${port} (console), ${port + 1} (S3)`);
      expect(stderr).toContain('is another picflow dev running?');
      expect(code).toBe(2);
    } finally {
      other.remove();
    }
  });
});

describe('CLI: picflow dev that cannot start', () => {
  const data = tempDir('cli-dev-fail');
  afterAll(() => data.remove());

  it('exits 2 with a message naming the part that failed, having resumed nothing and left nothing behind', async () => {
    // Prepare: a data dir whose DLQ folder was replaced by a file (so every server starts, then the
    // queue cannot be ensured), with an execution a crash left RUNNING
    mkdirSync(join(data.path, 'sqs'), { recursive: true });
    writeFileSync(join(data.path, 'sqs', 'picflow-dlq'), 'not a folder');
    mkdirSync(join(data.path, 'executions'), { recursive: true });
    const record = {
      name: 'left-running',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:picflow-local:left-running',
      status: 'RUNNING',
      input: {},
      startedAt: '2026-01-01T00:00:00.000Z',
      retries: 0,
      events: [],
    };
    writeFileSync(join(data.path, 'executions', 'left-running.json'), JSON.stringify(record));
    const port = randomDevPort();

    // Act
    const { code, stderr } = await picflow(['--data-dir', data.path, 'dev', '--port', String(port), '--workers', '1']);

    // Assess
    expect(stderr).toMatch(/picflow: the local stack did not start: the queue picflow-dlq failed: .*EEXIST/);
    expect(code).toBe(2);
    expect(JSON.parse(readFileSync(join(data.path, 'executions', 'left-running.json'), 'utf8'))).toEqual(record);
    expect(existsSync(join(data.path, 'stack.lock'))).toBe(false);
  });
});
