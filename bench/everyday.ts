/**
 * `npm run bench:everyday`: everyday photos (0.2-0.5 MP, real, shipped in test/fixtures) next to the 1.5 MP
 * and 12 MP sets of `npm run bench`, through the real local stack (S3 PUT → executions → DynamoDB), once
 * with the previous analyzer (PICFLOW_LOCAL_ANALYZER=v1) and once with the current one (v2), in one run on
 * the same machine. Reports images/s and CPU-seconds per image (process.cpuUsage: the whole stack, analyzer
 * workers included), and single-image latency against the slowest single operation. A measurement, not a
 * test: exits 0 when a target is missed. `npm run bench` runs it after its own report (runEverydayBench).
 *
 *   npm run bench:everyday [-- --sets everyday,1.5MP,12MP] [--repeat N (2)] [--workers N] [--analyzers v1,v2]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  DetectTextCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { limitImageThreads, startLocalStack } from '../local/stack/local-stack';
import { generateImages, VARIANTS } from './pipeline-inputs';
import { cpuMeter, fmtMs, log } from './pipeline-metrics';
import { HandlerTimer, runWorkflow, timeStoreSaves, type WorkflowImage } from './pipeline-workflow';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures');
/** Real photos at their own size (0.07-0.37 MP): people, a cat, a cup, motorcycles, a rocket, coins, a page, handwriting. */
export const EVERYDAY = [
  'images/astronaut.png',
  'images/coffee.png',
  'images/chelsea.png',
  'images/motorcycle_left.png',
  'images/rocket.jpg',
  'images/page.png',
  'everyday/camera.png',
  'everyday/coins.png',
  'everyday/moon.png',
  'everyday/motorcycle_right.png',
  'everyday/text.png',
];

type SetName = 'everyday' | '1.5MP' | '12MP';
type Analyzer = 'v1' | 'v2';

export interface EverydayOptions {
  sets: SetName[];
  repeat: number;
  workers: number;
  analyzers: Analyzer[];
}

export function parseEverydayOptions(argv: string[]): EverydayOptions {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    sets: (value('sets') ?? 'everyday,1.5MP,12MP').split(',') as SetName[],
    repeat: Number(value('repeat') ?? 2),
    workers: Number(value('workers') ?? availableParallelism()),
    analyzers: (value('analyzers') ?? 'v1,v2').split(',') as Analyzer[],
  };
}

/**
 * A photo as a phone would upload it: JPEG quality 90 at its own size, with an EXIF description naming the
 * copy. Same pixels, different bytes: each copy is a new upload to every cache (a content hash of the
 * bytes keys the analyzer's), as the same photo uploaded twice by two users would be.
 */
async function upload(file: string, copy: string): Promise<Buffer> {
  return sharp(join(FIXTURES, file))
    .removeAlpha()
    .toColourspace('srgb')
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { ImageDescription: `picflow bench copy ${copy}` } })
    .toBuffer();
}

/** The everyday photos, `repeat` times each, copies named by `tag` (no two runs share bytes). */
async function everydayImages(repeat: number, tag: string): Promise<WorkflowImage[]> {
  const images: WorkflowImage[] = [];
  for (let r = 0; r < repeat; r++) {
    for (const file of EVERYDAY) {
      images.push({ name: `${tag}-${r}-${file.replace(/\W/g, '_')}.jpg`, variant: '1.5MP', bytes: await upload(file, `${tag}-${r}`) });
    }
  }
  return images;
}

async function benchImages(set: SetName, dir: string, repeat: number): Promise<WorkflowImage[]> {
  if (set === 'everyday') return everydayImages(repeat, 'set');
  // The bench's own sets: image i alternates 1.5 MP / 12 MP, so take every other one.
  const all = await generateImages(dir, 6 * repeat * VARIANTS.length);
  return all.filter((image) => image.variant === set).slice(0, set === '12MP' ? 2 * repeat : 3 * repeat);
}

interface SetResult {
  images: number;
  wallMs: number;
  cpuMs: number;
  failed: number;
}

interface LatencyResult {
  together: number;
  alone: Record<string, number>;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Warm: the four calls of one image at once vs each call alone (each on its own copy of the image), median of 3. */
async function latency(endpoint: string, photo: string): Promise<LatencyResult> {
  const client = new RekognitionClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  let copy = 0;
  const fresh = () => upload(photo, `latency-${++copy}`);
  const calls = {
    DetectFaces: (Bytes: Buffer) => client.send(new DetectFacesCommand({ Image: { Bytes }, Attributes: ['ALL'] })),
    DetectLabels: (Bytes: Buffer) => client.send(new DetectLabelsCommand({ Image: { Bytes } })),
    DetectText: (Bytes: Buffer) => client.send(new DetectTextCommand({ Image: { Bytes } })),
    DetectModerationLabels: (Bytes: Buffer) => client.send(new DetectModerationLabelsCommand({ Image: { Bytes } })),
  };
  const timed = async (run: () => Promise<unknown>) => {
    const t = performance.now();
    await run();
    return performance.now() - t;
  };
  const together: number[] = [];
  const alone: Record<string, number[]> = {};
  for (let trial = 0; trial < 3; trial++) {
    for (const [op, call] of Object.entries(calls)) {
      const bytes = await fresh();
      alone[op] ??= [];
      alone[op].push(await timed(() => call(bytes)));
    }
    const bytes = await fresh();
    together.push(await timed(() => Promise.all(Object.values(calls).map((call) => call(bytes)))));
  }
  client.destroy();
  return { together: median(together), alone: Object.fromEntries(Object.entries(alone).map(([op, xs]) => [op, median(xs)])) };
}

async function runAnalyzer(analyzer: Analyzer, options: EverydayOptions, tmp: string, sets: Map<SetName, WorkflowImage[]>) {
  process.env.PICFLOW_LOCAL_ANALYZER = analyzer;
  const stack = await startLocalStack({ dataDir: join(tmp, `data-${analyzer}`), rekognitionWorkers: options.workers, recover: false });
  const results = new Map<SetName, SetResult>();
  try {
    const timer = new HandlerTimer(stack.machine);
    const saves = timeStoreSaves(stack);
    log(`${analyzer}: warm-up`);
    const warm = await everydayImages(1, `warm-${analyzer}`);
    await runWorkflow(stack, timer, saves, warm.slice(0, 6), 'warm-1');
    await runWorkflow(stack, timer, saves, warm.slice(6), 'warm-2');
    for (const [set, images] of sets) {
      log(`${analyzer}: ${set}, ${images.length} images ...`);
      const stop = cpuMeter();
      const run = await runWorkflow(stack, timer, saves, images, `bench-${set.replace('.', '_')}`);
      const cpu = stop();
      const failed = run.executions.filter((e) => e.status !== 'SUCCEEDED' || e.itemStatus !== 'SUCCEEDED').length;
      results.set(set, { images: images.length, wallMs: run.wallMs, cpuMs: cpu.processMs, failed });
      log(`${analyzer}: ${set}: ${fmtMs(run.wallMs)}, ${(images.length / (run.wallMs / 1000)).toFixed(2)} images/s`);
    }
    log(`${analyzer}: single-image latency`);
    const lat = await latency(stack.endpoints.rekognition, 'images/astronaut.png');
    return { results, latency: lat };
  } finally {
    await stack.close();
  }
}

/** Both analyzers over the chosen sets, each on a fresh local stack; the Markdown report. */
export async function runEverydayBench(options: EverydayOptions): Promise<string> {
  limitImageThreads();
  const tmp = mkdtempSync(join(tmpdir(), 'picflow-everyday-'));
  mkdirSync(join(tmp, 'images'));
  try {
    const sets = new Map<SetName, WorkflowImage[]>();
    for (const set of options.sets) sets.set(set, await benchImages(set, join(tmp, 'images'), options.repeat));
    const out: Record<string, Awaited<ReturnType<typeof runAnalyzer>>> = {};
    for (const analyzer of options.analyzers) out[analyzer] = await runAnalyzer(analyzer, options, tmp, sets);

    const lines = [
      `# Everyday photos: analyzer v1 vs v2 (${options.workers} workers, ${availableParallelism()} cores, Node ${process.version})`,
      '',
      '| set | analyzer | images | wall | images/s | CPU-s per image | not SUCCEEDED |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const set of options.sets) {
      for (const analyzer of options.analyzers) {
        const r = out[analyzer]!.results.get(set)!;
        lines.push(
          `| ${set} | ${analyzer} | ${r.images} | ${fmtMs(r.wallMs)} | ${(r.images / (r.wallMs / 1000)).toFixed(2)} | ` +
            `${(r.cpuMs / 1000 / r.images).toFixed(2)} | ${r.failed} |`,
        );
      }
      if (out.v1 && out.v2) {
        const [a, b] = [out.v1.results.get(set)!, out.v2.results.get(set)!];
        const speed = a.wallMs / b.wallMs;
        const cpu = b.cpuMs / b.images / (a.cpuMs / a.images);
        const targets =
          set === 'everyday' ? ` (targets: ≥ 2x, ≤ 0.5x: ${speed >= 2 ? 'met' : 'MISS'}, ${cpu <= 0.5 ? 'met' : 'MISS'})` : '';
        lines.push(`| ${set} | v2 / v1 | | | ${speed.toFixed(2)}x | ${cpu.toFixed(2)}x | |`);
        if (targets) lines.push(`|  | ${targets.trim()} | | | | | |`);
      }
    }
    lines.push(
      '',
      '| analyzer | 4 calls of one image at once | DetectFaces | DetectLabels | DetectText | DetectModerationLabels ' +
        "| ratio to slowest | ratio to v1's slowest |",
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const v1Slowest = out.v1 ? Math.max(...Object.values(out.v1.latency.alone)) : Number.NaN;
    for (const analyzer of options.analyzers) {
      const { together, alone } = out[analyzer]!.latency;
      const slowest = Math.max(...Object.values(alone));
      const ops = ['DetectFaces', 'DetectLabels', 'DetectText', 'DetectModerationLabels'].map((op) => fmtMs(alone[op]!));
      const ratios = [together / slowest, together / v1Slowest].map((r) => r.toFixed(2));
      lines.push(`| ${analyzer} | ${fmtMs(together)} | ${ops.join(' | ')} | ${ratios.join(' | ')} |`);
    }
    return `${lines.join('\n')}\n`;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(await runEverydayBench(parseEverydayOptions(process.argv.slice(2))));
}

if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`bench: failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
