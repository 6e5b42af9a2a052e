// Times the executions list, start-up and memory with N execution records (issue 15, D9), before (every
// record file parsed on each call, as the store did until the executions index) and after (the index).
//   npm run bench:executions -- [--records 10000] [--events 60] [--keep]
// Each phase runs in its own process, so its peak RSS is its own. Progress on stderr, report on stdout.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ExecutionStore, type ExecutionRecord, type ExecutionStatus } from '../local/engine/execution-store';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    events: { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
    phase: { type: 'string' },
    dir: { type: 'string' },
  },
});

interface PhaseResult {
  [measure: string]: number;
}

const PAGE = 100;
const REPEATS = 5;

// ---- the store as it was before the index (copied from local/engine/execution-store.ts at 47e7eb4) ----
function legacyList(directory: string): ExecutionRecord[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      try {
        return JSON.parse(readFileSync(join(directory, file), 'utf8')) as ExecutionRecord;
      } catch {
        return undefined;
      }
    })
    .filter((record): record is ExecutionRecord => record !== undefined)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

function statusOf(i: number, records: number): ExecutionStatus {
  if (i >= records - 3) return 'RUNNING';
  if (i % 20 === 0) return 'FAILED';
  if (i % 50 === 1) return 'TIMED_OUT';
  if (i % 100 === 2) return 'ABORTED';
  return 'SUCCEEDED';
}

/** An execution record shaped like the pipeline's: ~N events with state inputs and outputs. */
function makeRecord(i: number, records: number, events: number): ExecutionRecord {
  const startedAt = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const status = statusOf(i, records);
  const key = `uploads/photos/2026/img-${i}.jpg`;
  const input = {
    version: '0',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: 'picflow-local' }, object: { key, size: 1_500_000, etag: 'f'.repeat(32) } },
  };
  return {
    name: `img-${i}-${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}`,
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:picflow-image-pipeline:img-${i}`,
    status,
    imageId: `picflow-local/${key}`,
    input,
    output: status === 'SUCCEEDED' ? { imageId: `picflow-local/${key}`, status: 'SUCCEEDED' } : undefined,
    error: status === 'FAILED' ? 'ImageProcessingFailed' : undefined,
    cause:
      status === 'FAILED'
        ? 'ValidateImage: not an image (the first bytes are no JPEG, PNG, GIF, WebP, AVIF, TIFF or HEIF signature)'
        : undefined,
    startedAt,
    stoppedAt: status === 'RUNNING' ? undefined : new Date(Date.parse(startedAt) + 2500).toISOString(),
    retries: i % 7 === 0 ? 2 : 0,
    events: Array.from({ length: events }, (_, e) => ({
      type: e % 2 ? 'StateExited' : 'StateEntered',
      timestamp: Date.parse(startedAt) + e * 40,
      state: {
        name: `State${e >> 1}`,
        type: 'Task',
        input,
        output: { labels: Array.from({ length: 6 }, (_, l) => ({ Name: `label-${l}`, Confidence: 90.5 - l })) },
      },
    })) as unknown as ExecutionRecord['events'],
  };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed<T>(work: () => Promise<T> | T): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

// ---- phases (each in its own process) ----
const phases: Record<string, (dir: string) => Promise<PhaseResult>> = {
  /** The old store: recovery's list at start-up, then the console's list calls (no paging: all parsed, then sliced). */
  async before(dir) {
    const directory = join(dir, 'executions');
    const [startMs] = await timed(() => legacyList(directory).filter((r) => r.status === 'RUNNING'));
    const first: number[] = [];
    const failed: number[] = [];
    const deep: number[] = [];
    for (let i = 0; i < 3; i++) {
      first.push((await timed(() => legacyList(directory).slice(0, PAGE)))[0]);
      failed.push(
        (
          await timed(() =>
            legacyList(directory)
              .filter((r) => r.status === 'FAILED')
              .slice(0, PAGE),
          )
        )[0],
      );
      deep.push((await timed(() => legacyList(directory).slice(50 * PAGE, 51 * PAGE)))[0]);
    }
    // Synchronous: the event loop is blocked for the whole call.
    return {
      startMs,
      firstPageMs: median(first),
      failedPageMs: median(failed),
      deepPageMs: median(deep),
      maxLoopDelayMs: Math.max(...first, ...failed, ...deep, startMs),
      peakRssMb: peakRssMb(),
    };
  },

  /** First start of the new store on a data dir of record files only: the one-time indexing. */
  async 'first-start'(dir) {
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const store = new ExecutionStore(dir);
    const [startMs] = await timed(() => store.open());
    loop.disable();
    await store.close();
    return { startMs, maxLoopDelayMs: loop.max / 1e6, p99LoopDelayMs: loop.percentile(99) / 1e6, peakRssMb: peakRssMb() };
  },

  /** A start after a clean close, then the list calls. */
  async after(dir) {
    const store = new ExecutionStore(dir);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const [openMs] = await timed(() => store.open());
    const [recoveryListMs] = await timed(() => store.list({ statuses: ['RUNNING'] }));
    const first: number[] = [];
    const failed: number[] = [];
    const deep: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) cursor = (await store.page({ limit: PAGE, cursor })).nextCursor;
    for (let i = 0; i < REPEATS; i++) {
      first.push((await timed(() => store.page({ limit: PAGE })))[0]);
      failed.push((await timed(() => store.page({ limit: PAGE, statuses: ['FAILED'] })))[0]);
      deep.push((await timed(() => store.page({ limit: PAGE, cursor })))[0]);
    }
    loop.disable();
    await store.close();
    return {
      startMs: openMs + recoveryListMs,
      firstPageMs: median(first),
      failedPageMs: median(failed),
      deepPageMs: median(deep),
      maxLoopDelayMs: loop.max / 1e6,
      peakRssMb: peakRssMb(),
    };
  },

  /** Saves one record and dies without closing (SIGKILL): the next start finds no clean mark. */
  async crash(dir) {
    const store = new ExecutionStore(dir);
    await store.open();
    const records = Number(values.records);
    store.save({ ...makeRecord(records - 1, records, 4), status: 'SUCCEEDED', stoppedAt: new Date().toISOString() });
    await store.list();
    process.kill(process.pid, 'SIGKILL');
    return {};
  },

  /** The start after that crash: a stat per file, the changed file read again. */
  async 'after-crash'(dir) {
    const store = new ExecutionStore(dir);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const [openMs] = await timed(() => store.open());
    const [recoveryListMs] = await timed(() => store.list({ statuses: ['RUNNING'] }));
    loop.disable();
    await store.close();
    return { startMs: openMs + recoveryListMs, maxLoopDelayMs: loop.max / 1e6, peakRssMb: peakRssMb() };
  },
};

function runPhase(phase: string, dir: string): PhaseResult {
  process.stderr.write(`bench:executions: ${phase}...\n`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--phase', phase, '--dir', dir, '--records', values.records!], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (phase === 'crash') return {};
  if (child.status !== 0) throw new Error(`phase ${phase} exited with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as PhaseResult;
}

async function main(): Promise<void> {
  if (values.phase) {
    const result = await phases[values.phase](values.dir!);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const records = Number(values.records);
  const events = Number(values.events);
  const dir = mkdtempSync(join(tmpdir(), 'picflow-bench-executions-'));
  try {
    process.stderr.write(`bench:executions: writing ${records} record files (${events} events each) to ${dir}...\n`);
    mkdirSync(join(dir, 'executions'), { recursive: true });
    let bytes = 0;
    for (let i = 0; i < records; i++) {
      const record = makeRecord(i, records, events);
      const text = JSON.stringify(record);
      bytes += text.length;
      writeFileSync(join(dir, 'executions', `${record.name}.json`), text);
    }
    const before = runPhase('before', dir);
    const first = runPhase('first-start', dir);
    const after = runPhase('after', dir);
    runPhase('crash', dir);
    const crashed = runPhase('after-crash', dir);

    const ms = (n: number | undefined) =>
      n === undefined ? '–' : n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n).toLocaleString('en-US')} ms`;
    const mb = (n: number | undefined) => (n === undefined ? '–' : `${Math.round(n)} MB`);
    console.log(
      `${records.toLocaleString('en-US')} execution records, ${events} events each (${Math.round(bytes / records / 1024)} KB a file, ${Math.round(bytes / 1024 / 1024)} MB in all); pages of ${PAGE}; Node ${process.version}\n`,
    );
    console.log('| | start-up (open + RUNNING list) | first page | FAILED, first page | page 51 | longest event-loop block | peak RSS |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| before (every file parsed per call) | ${ms(before.startMs)} | ${ms(before.firstPageMs)} | ${ms(before.failedPageMs)} | ${ms(before.deepPageMs)} | ${ms(before.maxLoopDelayMs)} | ${mb(before.peakRssMb)} |`,
    );
    console.log(
      `| after: first start on an old data dir (one-time indexing) | ${ms(first.startMs)} | | | | ${ms(first.maxLoopDelayMs)} (p99 ${ms(first.p99LoopDelayMs)}) | ${mb(first.peakRssMb)} |`,
    );
    console.log(
      `| after: start after a clean stop, list calls | ${ms(after.startMs)} | ${ms(after.firstPageMs)} | ${ms(after.failedPageMs)} | ${ms(after.deepPageMs)} | ${ms(after.maxLoopDelayMs)} | ${mb(after.peakRssMb)} |`,
    );
    console.log(
      `| after: start after a crash (stat per file) | ${ms(crashed.startMs)} | | | | ${ms(crashed.maxLoopDelayMs)} | ${mb(crashed.peakRssMb)} |`,
    );
  } finally {
    if (values.keep) process.stderr.write(`bench:executions: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
