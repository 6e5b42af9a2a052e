/**
 * `npm run bench`: the local pipeline end to end on a fixed photo set, against the bare models and the
 * single-function design, in one process on the same cores. Progress on stderr; a Markdown report on
 * stdout. A measurement, not a test: exits 0 when a target is missed (and says MISS), 1 only on a crash.
 *
 *   npm run bench [-- --images N] [--workers N] [--concurrency N] [--quick]
 *                 [--rounds N] [--sharp-concurrency N] [--no-sharp-cache] [--phases pipeline,bare,sequential] [--keep]
 *
 * See bench/README.md for what each number means and the measured results.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { limitImageThreads, startLocalStack } from '../local/stack/local-stack';
import { Analyses, runBareModels, runSequential, STEPS, type BaselineImage, type BaselineResult } from './pipeline-baselines';
import { generateImages, type BenchImage } from './pipeline-inputs';
import { cpuMeter, fmtMb, fmtMs, fmtPct, log, MB, percentile, RssSampler, sum, vmHwmBytes, type CpuUsage } from './pipeline-metrics';
import {
  BRANCH_STATES,
  criticalPath,
  HandlerTimer,
  runWorkflow,
  SERIAL_STATES,
  timeStoreSaves,
  type ExecutionTiming,
  type WorkflowResult,
} from './pipeline-workflow';

const TARGETS = { throughputRatio: 0.9, overhead: 0.02, peakRssBytes: 1.5 * 1024 * MB };
type Phase = 'pipeline' | 'bare' | 'sequential';
const ALL_PHASES: readonly Phase[] = ['pipeline', 'bare', 'sequential'];

interface Options {
  images: number;
  workers: number;
  concurrency: number;
  quick: boolean;
  sharpConcurrency?: number;
  /** sharp.cache(false): no libvips operation cache (default: 50 MB, 100 operations). */
  noSharpCache: boolean;
  /** Pipeline / bare-models pairs, alternating order. */
  rounds: number;
  phases: Phase[];
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  };
  const integer = (name: string): number | undefined => {
    const v = value(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a whole number >= 1, got "${v}"`);
    return n;
  };
  const known = new Set([
    '--images',
    '--workers',
    '--concurrency',
    '--quick',
    '--sharp-concurrency',
    '--phases',
    '--rounds',
    '--no-sharp-cache',
    '--keep',
    '--help',
  ]);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg} (see --help)`);
  if (argv.includes('--help')) {
    process.stdout.write(
      'npm run bench -- [--images N (24; --quick 4)] [--workers N (cores)] [--concurrency N (one per worker)]\n' +
        '                 [--rounds N (2; --quick 1)] [--quick] [--sharp-concurrency N] [--no-sharp-cache]\n' +
        '                 [--phases pipeline,bare,sequential] [--keep]\n',
    );
    process.exit(0);
  }
  const quick = argv.includes('--quick');
  const workers = integer('workers') ?? availableParallelism();
  const phases = (value('phases') ?? ALL_PHASES.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean) as Phase[];
  for (const p of phases) if (!ALL_PHASES.includes(p)) throw new Error(`--phases: "${p}" is not one of ${ALL_PHASES.join(', ')}`);
  return {
    images: integer('images') ?? (quick ? 4 : 24),
    workers,
    concurrency: integer('concurrency') ?? workers,
    quick,
    sharpConcurrency: integer('sharp-concurrency'),
    rounds: integer('rounds') ?? (quick ? 1 : 2),
    noSharpCache: argv.includes('--no-sharp-cache'),
    phases,
    keep: argv.includes('--keep'),
  };
}

interface PhaseRuns {
  pipeline: PhaseReport<WorkflowResult>[];
  bare: PhaseReport<BaselineResult>[];
  sequential: PhaseReport<BaselineResult>[];
  /** Every run in the order it ran, for the CPU table. */
  sequence: [Phase, PhaseReport<unknown>][];
}

interface PhaseReport<T> {
  result: T;
  cpu: CpuUsage;
  peakRss: number;
}

async function measure<T>(sampler: RssSampler, run: () => Promise<T>): Promise<PhaseReport<T>> {
  sampler.windowAndReset();
  const stop = cpuMeter();
  const result = await run();
  return { result, cpu: stop(), peakRss: sampler.windowAndReset() };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // The handlers and the Rekognition server run in this process and share this sharp module.
  if (options.sharpConcurrency !== undefined) sharp.concurrency(options.sharpConcurrency);
  if (options.noSharpCache) sharp.cache(false);
  const sampler = new RssSampler(50);
  const startedAt = new Date();
  const benchStart = performance.now();
  const tmp = mkdtempSync(join(tmpdir(), 'picflow-bench-'));
  const imageDir = join(tmp, 'images');
  mkdirSync(imageDir);

  log(`generating ${options.images} images (1.5 MP and 12 MP JPEG) in ${imageDir}`);
  const images = await generateImages(imageDir, options.images);
  const warmDir = join(tmp, 'warm');
  mkdirSync(warmDir);
  const warmImages = (await generateImages(warmDir, 2)).map((image) => ({ ...image, name: `warm-${image.name}` }));

  log(`starting the local stack: ${options.workers} Rekognition worker(s), ${options.concurrency} executions at once`);
  limitImageThreads(); // as the picflow CLI does: the numbers are the CLI's
  const stack = await startLocalStack({
    dataDir: join(tmp, 'data'),
    rekognitionWorkers: options.workers,
    concurrency: options.concurrency,
    recover: false,
  });
  const loadavgBefore = loadavg();
  try {
    const timer = new HandlerTimer(stack.machine);
    if (!timer.installed) log('warning: could not wrap the task functions; handler times fall back to state times');
    const saves = timeStoreSaves(stack);
    const config = stack.config;
    const analyses = new Analyses(stack.endpoints.rekognition, config);

    // The baselines read the same bytes from the same S3, outside the upload prefix (no execution starts).
    const toBaseline = async (image: BenchImage): Promise<BaselineImage> => {
      const key = `bench-bare/${image.name}`;
      await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: image.bytes, ContentType: 'image/jpeg' }));
      return { name: image.name, bytes: image.bytes, s3: { bucket: stack.bucket, key } };
    };
    const baselineImages = await Promise.all(images.map(toBaseline));
    const warmBaseline = await Promise.all(warmImages.map(toBaseline));

    // Warm-up: every worker loads every model and runs it once per image size (first calls compile wasm
    // kernels), then one execution per size (--quick: the 12 MP one only) warms the task code, the SDK
    // clients and the local servers.
    const warmStart = performance.now();
    for (const image of warmBaseline) {
      for (const step of STEPS)
        await Promise.all(Array.from({ length: step === 'thumbnails' ? 1 : options.workers }, () => analyses.run(step, image)));
    }
    await runWorkflow(stack, timer, saves, options.quick ? warmImages.slice(1) : warmImages, 'warmup');
    log(`warm-up done in ${fmtMs(performance.now() - warmStart)}`);

    // Pipeline and bare models alternate (A B, then B A, ...) so that a slow drift of the shared
    // machine does not favour one of them; the sequential loop runs once, after the first pair.
    const order: Phase[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const pair: Phase[] = round % 2 === 0 ? ['pipeline', 'bare'] : ['bare', 'pipeline'];
      order.push(...pair.filter((phase) => options.phases.includes(phase)));
      if (round === 0 && options.phases.includes('sequential')) order.push('sequential');
    }
    const runs: PhaseRuns = { pipeline: [], bare: [], sequential: [], sequence: [] };
    for (const [i, phase] of order.entries()) {
      log(`${phase} (${i + 1}/${order.length}): ${images.length} images ...`);
      let wallMs: number;
      if (phase === 'pipeline') {
        const folder = `bench-${runs.pipeline.length + 1}`;
        const run = await measure(sampler, () => runWorkflow(stack, timer, saves, images, folder));
        runs.pipeline.push(run);
        runs.sequence.push([phase, run]);
        wallMs = run.result.wallMs;
      } else {
        const run = await measure(sampler, () =>
          phase === 'bare' ? runBareModels(analyses, baselineImages, options.concurrency) : runSequential(analyses, baselineImages),
        );
        runs[phase].push(run);
        runs.sequence.push([phase, run]);
        wallMs = run.result.wallMs;
      }
      log(`${phase}: ${fmtMs(wallMs)}, ${rate(images.length, wallMs).toFixed(3)} images/s`);
    }
    analyses.destroy();
    sampler.stop();

    const report = buildReport({
      options,
      startedAt,
      totalMs: performance.now() - benchStart,
      runs,
      peakRss: sampler.peak,
      vmHwm: vmHwmBytes(),
      loadavg: [loadavgBefore, loadavg()],
    });
    process.stdout.write(report);
  } finally {
    await stack.close();
    if (!options.keep) rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

interface ReportInput {
  options: Options;
  startedAt: Date;
  totalMs: number;
  runs: PhaseRuns;
  peakRss: number;
  vmHwm?: number;
  loadavg: [number[], number[]];
}

const pass = (ok: boolean): string => (ok ? 'PASS' : '**MISS**');
const rate = (count: number, ms: number): number => count / (ms / 1000);
const p = (values: number[], q: number): string => fmtMs(percentile(values, q));

/** Per execution: the pieces of its timeline (ms) and the workflow overhead as defined in the README. */
function decompose(e: ExecutionTiming): Record<string, number> {
  const handlerTimes = Object.keys(e.handlerMs).length > 0 ? e.handlerMs : e.stateMs;
  const slotWait = Math.max(0, e.slot - e.routed);
  const latency = e.finished - e.uploadStart;
  const inService = latency - slotWait;
  const critical = criticalPath(handlerTimes);
  // From the moment S3 has the object (the PUT's response can arrive after the event already fired).
  const stored = Math.min(e.uploadEnd, e.routed);
  const overhead = e.finished - stored - slotWait - critical;
  return {
    latency,
    inService,
    upload: e.uploadEnd - e.uploadStart,
    routing: e.routed - e.uploadEnd,
    slotWait,
    engineStart: e.executionStarted - e.slot,
    execution: e.executionEnded - e.executionStarted,
    finish: e.finished - e.executionEnded,
    critical,
    stateCritical: criticalPath(e.stateMs),
    overhead,
    overheadRatio: overhead / inService,
  };
}

function mergeWorkflow(runs: PhaseReport<WorkflowResult>[]): PhaseReport<WorkflowResult> | undefined {
  if (runs.length === 0) return undefined;
  return {
    result: {
      wallMs: sum(runs.map((r) => r.result.wallMs)),
      executions: runs.flatMap((r) => r.result.executions),
      storeSaves: {
        count: sum(runs.map((r) => r.result.storeSaves.count)),
        ms: sum(runs.map((r) => r.result.storeSaves.ms)),
        bytes: sum(runs.map((r) => r.result.storeSaves.bytes)),
      },
    },
    cpu: runs[0]!.cpu,
    peakRss: Math.max(...runs.map((r) => r.peakRss)),
  };
}

function mergeBaseline(runs: PhaseReport<BaselineResult>[]): PhaseReport<BaselineResult> | undefined {
  if (runs.length === 0) return undefined;
  return {
    result: {
      wallMs: sum(runs.map((r) => r.result.wallMs)),
      images: runs.flatMap((r) => r.result.images),
      retries: sum(runs.map((r) => r.result.retries)),
    },
    cpu: runs[0]!.cpu,
    peakRss: Math.max(...runs.map((r) => r.peakRss)),
  };
}

/** "0.714 images/s (33.6 s wall)" or, over several runs, "0.714 images/s (runs: 0.71, 0.72; 67.2 s wall)". */
function throughputCell(runs: PhaseReport<{ wallMs: number }>[], n: number): string {
  const total = rate(n * runs.length, sum(runs.map((r) => r.result.wallMs)));
  const each = runs.length > 1 ? `runs: ${runs.map((r) => rate(n, r.result.wallMs).toFixed(3)).join(', ')}; ` : '';
  return `${total.toFixed(3)} images/s (${each}${fmtMs(sum(runs.map((r) => r.result.wallMs)))} wall)`;
}

function buildReport(input: ReportInput): string {
  const { options, runs } = input;
  const pipeline = mergeWorkflow(runs.pipeline);
  const bare = mergeBaseline(runs.bare);
  const sequential = mergeBaseline(runs.sequential);
  const n = options.images;
  const lines: string[] = [];
  const row = (...cells: string[]): void => void lines.push(`| ${cells.join(' | ')} |`);

  const env =
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, ` +
    `${options.workers} Rekognition worker(s), ${options.concurrency} executions at once, sharp.concurrency() ${sharp.concurrency()}${options.noSharpCache ? ' (cache off)' : ''}, ` +
    `MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? 'unset'}, ` +
    `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, ${n} images (${n - Math.floor(n / 2)} x 1.5 MP, ${Math.floor(n / 2)} x 12 MP), ` +
    `${input.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}, bench ${fmtMs(input.totalMs)} in all`;

  lines.push(`## picflow pipeline bench${options.quick ? ' (--quick)' : ''}`, '', `Environment: ${env}`, '');
  row('metric', 'value', 'target', 'result');
  row('---', '---', '---', '---');

  const decomposed = pipeline?.result.executions.map((e) => ({ e, d: decompose(e) })) ?? [];
  const pipelineRate = pipeline ? rate(n * runs.pipeline.length, pipeline.result.wallMs) : Number.NaN;
  const bareRate = bare ? rate(n * runs.bare.length, bare.result.wallMs) : Number.NaN;
  const seqRate = sequential ? rate(n * runs.sequential.length, sequential.result.wallMs) : Number.NaN;

  if (pipeline) {
    const total = pipeline.result.executions.length;
    const failed = pipeline.result.executions.filter((e) => e.status !== 'SUCCEEDED' || e.itemStatus !== 'SUCCEEDED');
    const retries = sum(pipeline.result.executions.map((e) => e.retries));
    row(
      'pipeline: executions SUCCEEDED',
      `${total - failed.length} / ${total}, ${retries} state retries`,
      `${total} / ${total}`,
      pass(failed.length === 0),
    );
    row('pipeline throughput', throughputCell(runs.pipeline, n), '', '');
    const latency = decomposed.map(({ d }) => d.latency);
    row('pipeline end-to-end latency p50 / p95 (upload → execution finished)', `${p(latency, 50)} / ${p(latency, 95)}`, '', '');
    const inService = decomposed.map(({ d }) => d.inService);
    row('pipeline latency without the wait for an execution slot p50 / p95', `${p(inService, 50)} / ${p(inService, 95)}`, '', '');
  }
  if (bare) row('bare models throughput', throughputCell(runs.bare, n), '', '');
  if (pipeline && bare) {
    const ratio = pipelineRate / bareRate;
    row(
      'pipeline / bare-models throughput',
      ratio.toFixed(3),
      `≥ ${TARGETS.throughputRatio.toFixed(2)}`,
      pass(ratio >= TARGETS.throughputRatio),
    );
    // CPU time per image does not depend on who else uses the machine: it tells extra work from lost cores.
    const cpuPerImage = (rs: PhaseReport<unknown>[]): number => sum(rs.map((r) => r.cpu.processMs)) / (n * rs.length);
    const busy = (rs: PhaseReport<unknown>[]): number => sum(rs.map((r) => r.cpu.processMs)) / sum(rs.map((r) => r.cpu.wallMs));
    const pipeCpu = cpuPerImage(runs.pipeline);
    const bareCpu = cpuPerImage(runs.bare);
    row(
      'CPU time per image, pipeline vs bare models (this process, all threads)',
      `${(pipeCpu / 1000).toFixed(2)} vs ${(bareCpu / 1000).toFixed(2)} core-s: bare / pipeline = ${(bareCpu / pipeCpu).toFixed(3)}`,
      '',
      '',
    );
    row(
      'cores kept busy, pipeline vs bare models',
      `${busy(runs.pipeline).toFixed(2)} vs ${busy(runs.bare).toFixed(2)} of ${cpus().length}`,
      '',
      '',
    );
  }
  if (pipeline) {
    const overheads = decomposed.map(({ d }) => d.overheadRatio);
    const aggregate = sum(decomposed.map(({ d }) => d.overhead)) / sum(decomposed.map(({ d }) => d.inService));
    const p95 = percentile(overheads, 95);
    row(
      'workflow overhead, % of latency (all executions; p50 / p95 per execution)',
      `${fmtPct(aggregate, 2)} (${fmtPct(percentile(overheads, 50), 2)} / ${fmtPct(p95, 2)}); ${fmtMs(
        percentile(
          decomposed.map(({ d }) => d.overhead),
          50,
        ),
      )} p50`,
      `< ${fmtPct(TARGETS.overhead, 0)}`,
      pass(aggregate < TARGETS.overhead),
    );
  }
  const peak = Math.max(input.peakRss, input.vmHwm ?? 0);
  row(
    'peak RSS (whole process, worker threads included)',
    `${fmtMb(input.peakRss)} sampled / ${fmtMb(input.vmHwm)} VmHWM`,
    '< 1536 MB',
    pass(peak < TARGETS.peakRssBytes),
  );
  if (sequential) {
    const latency = sequential.result.images.map((i) => i.latencyMs);
    row('sequential (single function) throughput', throughputCell(runs.sequential, n), '', '');
    row('sequential latency p50 / p95 (one image, start → end)', `${p(latency, 50)} / ${p(latency, 95)}`, '', '');
    if (pipeline) {
      row('pipeline / sequential throughput', `${(pipelineRate / seqRate).toFixed(2)} x`, '', '');
      const pipeLatency = percentile(
        decomposed.map(({ d }) => d.inService),
        50,
      );
      row(
        'pipeline latency p50 (without slot wait) / sequential latency p50',
        `${(pipeLatency / percentile(latency, 50)).toFixed(2)} x`,
        '',
        '',
      );
      const e2e = percentile(
        decomposed.map(({ d }) => d.latency),
        50,
      );
      const seqE2e = percentile(
        sequential.result.images.map((i) => i.sinceBatchStartMs),
        50,
      );
      row('batch latency p50 (upload / loop start → image done): pipeline vs sequential', `${fmtMs(e2e)} vs ${fmtMs(seqE2e)}`, '', '');
    }
  }
  lines.push('');

  // Per branch and per task state.
  lines.push('### Time per task state / branch (p50, ms; pipeline: StateEntered → StateExited)', '');
  row('state', 'pipeline 1.5 MP', 'pipeline 12 MP', 'pipeline all (p95)', 'bare models', 'sequential');
  row('---', '---:', '---:', '---:', '---:', '---:');
  const branchOf: Record<string, 'thumbnails' | 'faces' | 'labelsAndText' | 'moderation'> = {
    CreateThumbnails: 'thumbnails',
    DetectFaces: 'faces',
    DetectLabelsAndText: 'labelsAndText',
    DetectModerationLabels: 'moderation',
  };
  for (const state of [...SERIAL_STATES.slice(0, 2), ...BRANCH_STATES, SERIAL_STATES[2]]) {
    const of = (variant?: string): number[] =>
      (pipeline?.result.executions ?? [])
        .filter((e) => !variant || e.variant === variant)
        .map((e) => e.stateMs[state] ?? Number.NaN)
        .filter(Number.isFinite);
    const base = (r?: PhaseReport<BaselineResult>): string => {
      const branch = branchOf[state];
      return r && branch
        ? p(
            r.result.images.map((i) => i.branches[branch]),
            50,
          )
        : '—';
    };
    const all = of();
    row(state, p(of('1.5MP'), 50), p(of('12MP'), 50), `${p(all, 50)} (${p(all, 95)})`, base(bare), base(sequential));
  }
  if (sequential) {
    const steps = STEPS.map(
      (s) =>
        `${s} ${p(
          sequential.result.images.map((i) => i.steps[s]),
          50,
        )}`,
    ).join(', ');
    lines.push('', `Sequential, per call alone (p50): ${steps}.`);
  }
  if (bare) {
    const steps = STEPS.map(
      (s) =>
        `${s} ${p(
          bare.result.images.map((i) => i.steps[s]),
          50,
        )}`,
    ).join(', ');
    lines.push(`Bare models, per call under load (p50): ${steps}.`);
  }
  lines.push('');

  if (pipeline) {
    lines.push("### Where an execution's time goes (mean per execution, ms)", '');
    const mean = (key: string): string => fmtMs(sum(decomposed.map(({ d }) => d[key]!)) / decomposed.length);
    row(
      'upload PUT',
      'routing (PUT done → runner.start)',
      'wait for a slot',
      'slot → ExecutionStarted',
      'ExecutionStarted → Succeeded',
      'Succeeded → finished',
      'task functions on the critical path',
      'state times on the critical path',
      'overhead',
    );
    row('---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:');
    row(
      mean('upload'),
      mean('routing'),
      mean('slotWait'),
      mean('engineStart'),
      mean('execution'),
      mean('finish'),
      mean('critical'),
      mean('stateCritical'),
      mean('overhead'),
    );
    const handlerTotals = [...SERIAL_STATES, ...BRANCH_STATES]
      .map(
        (s) => `${s} ${fmtMs(percentile(pipeline.result.executions.map((e) => e.handlerMs[s] ?? Number.NaN).filter(Number.isFinite), 50))}`,
      )
      .join(', ');
    const saves = pipeline.result.storeSaves;
    lines.push(
      '',
      `Task functions (handler + JSON boundary), p50: ${handlerTotals}.`,
      `ExecutionStore.save: ${saves.count} calls, ${fmtMs(saves.ms)} in all on the main thread (${fmtMs(saves.ms / Math.max(1, saves.count))} each, ${fmtMb(saves.bytes)} of event JSON).`,
      '',
    );
  }

  lines.push('### CPU and memory per phase', '');
  row('phase', 'wall', 'this process (cores busy)', 'of which main thread', 'other processes (cores busy)', 'peak RSS');
  row('---', '---:', '---:', '---:', '---:', '---:');
  const all = runs.sequence;
  for (const [name, r] of all) {
    const t = r.cpu.threadCores;
    row(
      name,
      fmtMs(r.cpu.wallMs),
      r.cpu.processCores.toFixed(2),
      t?.main.toFixed(2) ?? 'n/a',
      r.cpu.otherCores?.toFixed(2) ?? 'n/a',
      fmtMb(r.peakRss),
    );
  }
  const noisy = all.some(([, r]) => (r.cpu.otherCores ?? 0) > 0.15);
  lines.push(
    '',
    `Load average before / after: ${input.loadavg[0].map((l) => l.toFixed(2)).join(' ')} / ${input.loadavg[1].map((l) => l.toFixed(2)).join(' ')}.` +
      (noisy ? ' **Noise: other processes used more than 0.15 core during a phase; re-run for clean numbers.**' : ''),
    '',
  );
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
