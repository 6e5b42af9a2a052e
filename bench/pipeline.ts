/**
 * `npm run bench`: the local pipeline end to end on a fixed photo set, against the bare models and the
 * single-function design, in one process on the same cores. Progress on stderr; a Markdown report on
 * stdout. A measurement, not a test: exits 0 when a target is missed (and says MISS), 1 only on a crash.
 *
 *   npm run bench [-- --images N] [--workers N] [--concurrency N] [--quick]
 *                 [--rounds N] [--sharp-concurrency N] [--no-sharp-cache] [--phases pipeline,bare,sequential] [--keep]
 *                 [--no-everyday] [--everyday-repeat N]
 *
 * Then (unless --no-everyday) the everyday-photos set next to the 1.5 MP and 12 MP sets, CPU-seconds per image
 * for each, with the previous analyzer (PICFLOW_LOCAL_ANALYZER=v1) and the current one in the same run
 * (bench/everyday.ts, each analyzer on a fresh stack).
 *
 * See bench/README.md for what each number means and the measured results.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { limitImageThreads, startLocalStack } from '../local/stack/local-stack';
import { Analyses, runBareModels, runSequential, STEPS, type BaselineImage } from './pipeline-baselines';
import { generateImages, type BenchImage } from './pipeline-inputs';
import { cpuMeter, fmtMs, log, RssSampler, vmHwmBytes } from './pipeline-metrics';
import { parseEverydayOptions, runEverydayBench } from './everyday';
import { buildReport, rate, type Phase, type PhaseReport, type PhaseRuns } from './pipeline-report';
import { HandlerTimer, runWorkflow, timeStoreSaves } from './pipeline-workflow';

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
  /** Run bench/everyday.ts's v1-vs-v2 comparison after the report. */
  everyday: boolean;
  everydayRepeat: number;
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
    '--no-everyday',
    '--everyday-repeat',
    '--help',
  ]);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg} (see --help)`);
  if (argv.includes('--help')) {
    process.stdout.write(
      'npm run bench -- [--images N (24; --quick 4)] [--workers N (cores)] [--concurrency N (one per worker)]\n' +
        '                 [--rounds N (2; --quick 1)] [--quick] [--sharp-concurrency N] [--no-sharp-cache]\n' +
        '                 [--phases pipeline,bare,sequential] [--keep] [--no-everyday] [--everyday-repeat N (2; --quick 1)]\n',
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
    everyday: !argv.includes('--no-everyday'),
    everydayRepeat: integer('everyday-repeat') ?? (quick ? 1 : 2),
  };
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
  if (options.everyday) {
    // After the stack above is closed: each analyzer gets a fresh stack, the numbers one run's.
    const everyday = parseEverydayOptions(['--repeat', String(options.everydayRepeat), '--workers', String(options.workers)]);
    process.stdout.write(`\n${await runEverydayBench(everyday)}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
