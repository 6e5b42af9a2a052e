/**
 * The bench's Markdown report: the summary table against the targets, time per task state, where an
 * execution's time goes, and CPU and memory per phase. Pure: it formats runs already measured.
 */
import { cpus } from 'node:os';
import sharp from 'sharp';
import { STEPS, type BaselineResult } from './pipeline-baselines';
import { fmtMb, fmtMs, fmtPct, MB, percentile, sum, type CpuUsage } from './pipeline-metrics';
import { BRANCH_STATES, criticalPath, SERIAL_STATES, type ExecutionTiming, type WorkflowResult } from './pipeline-workflow';

export const TARGETS = { throughputRatio: 0.9, overhead: 0.02, peakRssBytes: 1.5 * 1024 * MB };
export type Phase = 'pipeline' | 'bare' | 'sequential';

export interface PhaseReport<T> {
  result: T;
  cpu: CpuUsage;
  peakRss: number;
}

export interface PhaseRuns {
  pipeline: PhaseReport<WorkflowResult>[];
  bare: PhaseReport<BaselineResult>[];
  sequential: PhaseReport<BaselineResult>[];
  /** Every run in the order it ran, for the CPU table. */
  sequence: [Phase, PhaseReport<unknown>][];
}

export interface ReportInput {
  options: { images: number; workers: number; concurrency: number; quick: boolean; noSharpCache: boolean };
  startedAt: Date;
  totalMs: number;
  runs: PhaseRuns;
  peakRss: number;
  vmHwm?: number;
  loadavg: [number[], number[]];
}

export const rate = (count: number, ms: number): number => count / (ms / 1000);
const pass = (ok: boolean): string => (ok ? 'PASS' : '**MISS**');
const p = (values: number[], q: number): string => fmtMs(percentile(values, q));
const row = (...cells: string[]): string => `| ${cells.join(' | ')} |`;

/** What every section reads: the runs of each phase merged, and each pipeline execution's timeline. */
interface Merged {
  input: ReportInput;
  /** Images per run. */
  n: number;
  pipeline?: PhaseReport<WorkflowResult>;
  bare?: PhaseReport<BaselineResult>;
  sequential?: PhaseReport<BaselineResult>;
  decomposed: { e: ExecutionTiming; d: Record<string, number> }[];
}

export function buildReport(input: ReportInput): string {
  const { runs } = input;
  const pipeline = mergeWorkflow(runs.pipeline);
  const merged: Merged = {
    input,
    n: input.options.images,
    pipeline,
    bare: mergeBaseline(runs.bare),
    sequential: mergeBaseline(runs.sequential),
    decomposed: pipeline?.result.executions.map((e) => ({ e, d: decompose(e) })) ?? [],
  };
  const lines = [
    `## picflow pipeline bench${input.options.quick ? ' (--quick)' : ''}`,
    '',
    `Environment: ${environment(input)}`,
    '',
    ...summaryTable(merged),
    '',
    ...stateTable(merged),
    '',
    ...(pipeline ? timeBreakdown(merged, pipeline) : []),
    ...cpuTable(input),
  ];
  return `${lines.join('\n')}\n`;
}

function environment(input: ReportInput): string {
  const { options } = input;
  const n = options.images;
  return (
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, ` +
    `${options.workers} Rekognition worker(s), ${options.concurrency} executions at once, sharp.concurrency() ` +
    `${sharp.concurrency()}${options.noSharpCache ? ' (cache off)' : ''}, ` +
    `MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? 'unset'}, ` +
    `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, ${n} images (${n - Math.floor(n / 2)} x 1.5 MP, ` +
    `${Math.floor(n / 2)} x 12 MP), ` +
    `${input.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}, bench ${fmtMs(input.totalMs)} in all`
  );
}

/** The summary: each metric with its target and PASS / MISS. */
function summaryTable(m: Merged): string[] {
  const { input } = m;
  const peak = Math.max(input.peakRss, input.vmHwm ?? 0);
  return [
    row('metric', 'value', 'target', 'result'),
    row('---', '---', '---', '---'),
    ...(m.pipeline ? pipelineRows(m, m.pipeline) : []),
    ...(m.bare ? [row('bare models throughput', throughputCell(input.runs.bare, m.n), '', '')] : []),
    ...(m.pipeline && m.bare ? comparisonRows(m, m.pipeline, m.bare) : []),
    ...(m.pipeline ? [overheadRow(m)] : []),
    row(
      'peak RSS (whole process, worker threads included)',
      `${fmtMb(input.peakRss)} sampled / ${fmtMb(input.vmHwm)} VmHWM`,
      '< 1536 MB',
      pass(peak < TARGETS.peakRssBytes),
    ),
    ...(m.sequential ? sequentialRows(m, m.sequential) : []),
  ];
}

function pipelineRows(m: Merged, pipeline: PhaseReport<WorkflowResult>): string[] {
  const total = pipeline.result.executions.length;
  const failed = pipeline.result.executions.filter((e) => e.status !== 'SUCCEEDED' || e.itemStatus !== 'SUCCEEDED');
  const retries = sum(pipeline.result.executions.map((e) => e.retries));
  const latency = m.decomposed.map(({ d }) => d.latency);
  const inService = m.decomposed.map(({ d }) => d.inService);
  return [
    row(
      'pipeline: executions SUCCEEDED',
      `${total - failed.length} / ${total}, ${retries} state retries`,
      `${total} / ${total}`,
      pass(failed.length === 0),
    ),
    row('pipeline throughput', throughputCell(m.input.runs.pipeline, m.n), '', ''),
    row('pipeline end-to-end latency p50 / p95 (upload → execution finished)', `${p(latency, 50)} / ${p(latency, 95)}`, '', ''),
    row('pipeline latency without the wait for an execution slot p50 / p95', `${p(inService, 50)} / ${p(inService, 95)}`, '', ''),
  ];
}

/** Pipeline against the bare models: throughput (the target), CPU time per image and cores kept busy. */
function comparisonRows(m: Merged, pipeline: PhaseReport<WorkflowResult>, bare: PhaseReport<BaselineResult>): string[] {
  const { runs } = m.input;
  const ratio = rate(m.n * runs.pipeline.length, pipeline.result.wallMs) / rate(m.n * runs.bare.length, bare.result.wallMs);
  // CPU time per image does not depend on who else uses the machine: it tells extra work from lost cores.
  const cpuPerImage = (rs: PhaseReport<unknown>[]): number => sum(rs.map((r) => r.cpu.processMs)) / (m.n * rs.length);
  const busy = (rs: PhaseReport<unknown>[]): number => sum(rs.map((r) => r.cpu.processMs)) / sum(rs.map((r) => r.cpu.wallMs));
  const pipeCpu = cpuPerImage(runs.pipeline);
  const bareCpu = cpuPerImage(runs.bare);
  return [
    row(
      'pipeline / bare-models throughput',
      ratio.toFixed(3),
      `≥ ${TARGETS.throughputRatio.toFixed(2)}`,
      pass(ratio >= TARGETS.throughputRatio),
    ),
    row(
      'CPU time per image, pipeline vs bare models (this process, all threads)',
      `${(pipeCpu / 1000).toFixed(2)} vs ${(bareCpu / 1000).toFixed(2)} core-s: bare / pipeline = ${(bareCpu / pipeCpu).toFixed(3)}`,
      '',
      '',
    ),
    row(
      'cores kept busy, pipeline vs bare models',
      `${busy(runs.pipeline).toFixed(2)} vs ${busy(runs.bare).toFixed(2)} of ${cpus().length}`,
      '',
      '',
    ),
  ];
}

function overheadRow(m: Merged): string {
  const { decomposed } = m;
  const overheads = decomposed.map(({ d }) => d.overheadRatio);
  const aggregate = sum(decomposed.map(({ d }) => d.overhead)) / sum(decomposed.map(({ d }) => d.inService));
  const p95 = percentile(overheads, 95);
  return row(
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

function sequentialRows(m: Merged, sequential: PhaseReport<BaselineResult>): string[] {
  const { runs } = m.input;
  const latency = sequential.result.images.map((i) => i.latencyMs);
  const rows = [
    row('sequential (single function) throughput', throughputCell(runs.sequential, m.n), '', ''),
    row('sequential latency p50 / p95 (one image, start → end)', `${p(latency, 50)} / ${p(latency, 95)}`, '', ''),
  ];
  if (!m.pipeline) return rows;
  const pipelineRate = rate(m.n * runs.pipeline.length, m.pipeline.result.wallMs);
  const seqRate = rate(m.n * runs.sequential.length, sequential.result.wallMs);
  const pipeLatency = percentile(
    m.decomposed.map(({ d }) => d.inService),
    50,
  );
  const e2e = percentile(
    m.decomposed.map(({ d }) => d.latency),
    50,
  );
  const seqE2e = percentile(
    sequential.result.images.map((i) => i.sinceBatchStartMs),
    50,
  );
  return [
    ...rows,
    row('pipeline / sequential throughput', `${(pipelineRate / seqRate).toFixed(2)} x`, '', ''),
    row(
      'pipeline latency p50 (without slot wait) / sequential latency p50',
      `${(pipeLatency / percentile(latency, 50)).toFixed(2)} x`,
      '',
      '',
    ),
    row('batch latency p50 (upload / loop start → image done): pipeline vs sequential', `${fmtMs(e2e)} vs ${fmtMs(seqE2e)}`, '', ''),
  ];
}

const BRANCH_OF: Record<string, 'thumbnails' | 'faces' | 'labelsAndText' | 'moderation'> = {
  CreateThumbnails: 'thumbnails',
  DetectFaces: 'faces',
  DetectLabelsAndText: 'labelsAndText',
  DetectModerationLabels: 'moderation',
};

/** Per branch and per task state, in each phase; then the baselines' time per Rekognition call. */
function stateTable(m: Merged): string[] {
  const { pipeline, bare, sequential } = m;
  const lines = [
    '### Time per task state / branch (p50, ms; pipeline: StateEntered → StateExited)',
    '',
    row('state', 'pipeline 1.5 MP', 'pipeline 12 MP', 'pipeline all (p95)', 'bare models', 'sequential'),
    row('---', '---:', '---:', '---:', '---:', '---:'),
  ];
  for (const state of [...SERIAL_STATES.slice(0, 2), ...BRANCH_STATES, SERIAL_STATES[2]]) {
    const of = (variant?: string): number[] =>
      (pipeline?.result.executions ?? [])
        .filter((e) => !variant || e.variant === variant)
        .map((e) => e.stateMs[state] ?? Number.NaN)
        .filter(Number.isFinite);
    const base = (r?: PhaseReport<BaselineResult>): string => {
      const branch = BRANCH_OF[state];
      return r && branch
        ? p(
            r.result.images.map((i) => i.branches[branch]),
            50,
          )
        : '—';
    };
    const all = of();
    lines.push(row(state, p(of('1.5MP'), 50), p(of('12MP'), 50), `${p(all, 50)} (${p(all, 95)})`, base(bare), base(sequential)));
  }
  const perCall = (r: PhaseReport<BaselineResult>): string =>
    STEPS.map(
      (s) =>
        `${s} ${p(
          r.result.images.map((i) => i.steps[s]),
          50,
        )}`,
    ).join(', ');
  if (sequential) lines.push('', `Sequential, per call alone (p50): ${perCall(sequential)}.`);
  if (bare) lines.push(`Bare models, per call under load (p50): ${perCall(bare)}.`);
  return lines;
}

/** The mean execution's timeline, the task functions' times and the execution store's cost. */
function timeBreakdown(m: Merged, pipeline: PhaseReport<WorkflowResult>): string[] {
  const { decomposed } = m;
  const mean = (key: string): string => fmtMs(sum(decomposed.map(({ d }) => d[key]!)) / decomposed.length);
  const handlerTotals = [...SERIAL_STATES, ...BRANCH_STATES]
    .map(
      (s) => `${s} ${fmtMs(percentile(pipeline.result.executions.map((e) => e.handlerMs[s] ?? Number.NaN).filter(Number.isFinite), 50))}`,
    )
    .join(', ');
  const saves = pipeline.result.storeSaves;
  return [
    "### Where an execution's time goes (mean per execution, ms)",
    '',
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
    ),
    row('---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:'),
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
    ),
    '',
    `Task functions (handler + JSON boundary), p50: ${handlerTotals}.`,
    `ExecutionStore.save: ${saves.count} calls, ${fmtMs(saves.ms)} in all on the main thread ` +
      `(${fmtMs(saves.ms / Math.max(1, saves.count))} each, ${fmtMb(saves.bytes)} of event JSON).`,
    '',
  ];
}

function cpuTable(input: ReportInput): string[] {
  const all = input.runs.sequence;
  const lines = [
    '### CPU and memory per phase',
    '',
    row('phase', 'wall', 'this process (cores busy)', 'of which main thread', 'other processes (cores busy)', 'peak RSS'),
    row('---', '---:', '---:', '---:', '---:', '---:'),
  ];
  for (const [name, r] of all) {
    const t = r.cpu.threadCores;
    lines.push(
      row(
        name,
        fmtMs(r.cpu.wallMs),
        r.cpu.processCores.toFixed(2),
        t?.main.toFixed(2) ?? 'n/a',
        r.cpu.otherCores?.toFixed(2) ?? 'n/a',
        fmtMb(r.peakRss),
      ),
    );
  }
  const noisy = all.some(([, r]) => (r.cpu.otherCores ?? 0) > 0.15);
  lines.push(
    '',
    `Load average before / after: ${input.loadavg[0].map((l) => l.toFixed(2)).join(' ')} / ` +
      `${input.loadavg[1].map((l) => l.toFixed(2)).join(' ')}.` +
      (noisy ? ' **Noise: other processes used more than 0.15 core during a phase; re-run for clean numbers.**' : ''),
    '',
  );
  return lines;
}

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
