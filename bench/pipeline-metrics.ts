/**
 * Measurement helpers of `npm run bench`: percentiles, a peak-RSS sampler for the whole process
 * (worker threads share the process, so their heaps and wasm memories are in its RSS), and CPU
 * accounting per phase from /proc: what this process used and what the rest of the machine used
 * meanwhile (the cores are shared; a busy neighbour shows up there, not as a mystery slowdown).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

export const MB = 1024 * 1024;

/** Samples process RSS every `intervalMs`; `peak` is the largest sample, `mark()` starts a sub-window. */
export class RssSampler {
  private readonly timer: NodeJS.Timeout;
  peak = 0;
  private windowPeak = 0;

  constructor(intervalMs = 50) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    if (rss > this.windowPeak) this.windowPeak = rss;
    return rss;
  }

  /** Peak since the previous call (or since start), then starts a new window. */
  windowAndReset(): number {
    this.sample();
    const peak = this.windowPeak;
    this.windowPeak = 0;
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/** The kernel's high-water mark of this process's resident set (VmHWM), bytes; undefined off Linux. */
export function vmHwmBytes(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface CpuSnapshot {
  wallMs: number;
  /** Main-thread CPU time of this process, ms. */
  mainThreadMs?: number;
  /** This process, all threads, user + system, ms. */
  processMs: number;
  /** The whole machine, busy (non-idle, non-iowait) time summed over cores, ms; undefined off Linux. */
  machineBusyMs?: number;
}

export type ThreadGroup = 'main' | 'other';

export interface CpuUsage {
  wallMs: number;
  cores: number;
  /** This process's CPU time, ms. */
  processMs: number;
  /**
   * Cores busy per thread group: the main thread (event loop: local S3, DynamoDB and Rekognition HTTP
   * servers, engine, the handlers' JS) and every other thread (analyzer workers with the wasm models
   * and Tesseract, sharp's libuv/libvips threads, V8 helpers). Threads are mostly unnamed ("node"),
   * so no finer split is reliable.
   */
  threadCores?: Record<ThreadGroup, number>;
  /** This process's CPU time / wall time, in cores (2.0 = both cores busy all the time). */
  processCores: number;
  /** Other processes' CPU time / wall time, in cores: the noise from whoever else shares the machine. */
  otherCores?: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

function snapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  let machineBusyMs: number | undefined;
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    machineBusyMs = (user + nice + system + irq + softirq + steal) * TICK_MS;
  } catch {
    machineBusyMs = undefined;
  }
  return { wallMs: performance.now(), processMs: (usage.user + usage.system) / 1000, machineBusyMs, mainThreadMs: mainThreadMs() };
}

/** utime + stime of the main thread (its tid is the pid); undefined off Linux. */
function mainThreadMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after "(comm)" start with the state (field 3); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** Starts CPU accounting; call the returned function at the end of the phase. */
export function cpuMeter(): () => CpuUsage {
  const start = snapshot();
  return () => {
    const end = snapshot();
    const wallMs = end.wallMs - start.wallMs;
    const processMs = end.processMs - start.processMs;
    const cores = cpus().length;
    const usage: CpuUsage = { wallMs, cores, processMs, processCores: processMs / wallMs };
    if (start.mainThreadMs !== undefined && end.mainThreadMs !== undefined) {
      const main = (end.mainThreadMs - start.mainThreadMs) / wallMs;
      usage.threadCores = { main, other: Math.max(0, processMs / wallMs - main) };
    }
    if (start.machineBusyMs !== undefined && end.machineBusyMs !== undefined) {
      usage.otherCores = Math.max(0, (end.machineBusyMs - start.machineBusyMs - processMs) / wallMs);
    }
    return usage;
  };
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function fmtMb(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${Math.round(bytes / MB)} MB`;
}

export function fmtPct(ratio: number, digits = 1): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)} %` : 'n/a';
}

export function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
