/**
 * A discrete-event model of a burst of uploads on AWS: N executions of THE definition's retriers
 * against per-operation Rekognition TPS quotas and a Lambda concurrency limit. It answers "how long
 * does the burst take to drain, and how many images end PARTIAL or FAILED because a retrier ran out?"
 *
 * Modelled as Step Functions documents it: each retrier counts its own attempts; the n-th retry of a
 * retrier waits min(IntervalSeconds * BackoffRate^(n-1), MaxDelaySeconds), times a uniform random
 * share of it with JitterStrategy FULL; an error no retrier matches, or a retrier used up, ends the
 * Task (the branch's Catch makes the image PARTIAL; outside the Parallel it is FAILED). Inside a
 * Rekognition Lambda the SDK retries a throttled call itself (REKOGNITION_MAX_ATTEMPTS, standard
 * strategy: random share of min(20 s, 0.5 s * 2^attempt) for throttling) before the task fails.
 * Not modelled: S3 and DynamoDB throttling, cold starts, Lambda's scaling rate.
 */
import type { AslDefinition, AslState } from '../statemachines/definition';
import { allStates } from '../statemachines/definition';

export type RekognitionOperation = 'DetectFaces' | 'DetectLabels' | 'DetectText' | 'DetectModerationLabels';
export type Retrier = NonNullable<AslState['Retry']>[number];

export interface BurstParameters {
  /** Uploads in the burst. */
  images: number;
  /** Rekognition TPS quota per operation. */
  tps: Record<RekognitionOperation, number>;
  /** Lambda concurrent executions available to the pipeline (account quota minus other use). */
  lambdaConcurrency: number;
  /** StartExecution: executions started per second after the first `startBurst` (Step Functions' token bucket). */
  startsPerSecond: number;
  startBurst: number;
  /** SDK attempts per Rekognition call (REKOGNITION_MAX_ATTEMPTS). */
  sdkMaxAttempts: number;
  seed: number;
  /**
   * At most this many executions in flight, the next one starting when one ends: a backfill's Distributed
   * Map with MaxConcurrency and StartExecution.sync:2. @default none (every upload starts at once, a burst)
   */
  maxInFlight?: number;
  /** Seconds each object spends in the backfill's item processor besides its pipeline execution. @default 0 */
  perItemOverheadSeconds?: number;
}

export interface BurstOutcome {
  succeeded: number;
  partial: number;
  failed: number;
  /** Executions that would have hit the definition's TimeoutSeconds. */
  timedOut: number;
  /** Seconds from the first upload until the last execution ends. */
  drainSeconds: number;
  p50Seconds: number;
  p99Seconds: number;
  /** Step Functions retries (each one is a billed state transition). */
  retries: number;
  /** Rekognition calls refused for the quota (SDK retries included). */
  throttledCalls: number;
  /** Lambda invocations refused for concurrency. */
  lambdaThrottles: number;
}

/** How long each task runs when it is let through (seconds): measured orders of magnitude, not exact. */
const RUN_SECONDS: Record<string, number> = {
  ClaimImage: 0.05,
  ValidateImage: 0.5,
  CreateThumbnails: 1.0,
  DetectFaces: 0.4,
  DetectLabelsAndText: 0.6,
  DetectModerationLabels: 0.3,
  StoreResult: 0.05,
};
/** What a Rekognition task spends before its calls, and on a refused call. */
const LAMBDA_OVERHEAD_SECONDS = 0.05;
const REFUSED_CALL_SECONDS = 0.02;

const BRANCHES: Record<string, RekognitionOperation[]> = {
  CreateThumbnails: [],
  DetectFaces: ['DetectFaces'],
  DetectLabelsAndText: ['DetectLabels', 'DetectText'],
  DetectModerationLabels: ['DetectModerationLabels'],
};

/** mulberry32: a small seeded generator, so a table can be regenerated exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Step Functions' wait before retry number `retry` (1-based) of a retrier. */
export function retryDelaySeconds(retrier: Retrier, retry: number, random: () => number): number {
  const raw = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (retry - 1);
  const capped = retrier.MaxDelaySeconds === undefined ? raw : Math.min(raw, retrier.MaxDelaySeconds);
  return retrier.JitterStrategy === 'FULL' ? random() * capped : capped;
}

/** The AWS SDK's standard retry delay for a throttled call, before attempt `attempt + 1`. */
export function sdkThrottleDelaySeconds(attempt: number, random: () => number): number {
  return random() * Math.min(20, 0.5 * 2 ** attempt);
}

class Bucket {
  private tokens: number;
  private at = 0;
  constructor(private readonly rate: number) {
    this.tokens = Math.max(1, rate);
  }
  take(now: number): boolean {
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + (now - this.at) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A binary heap of timed callbacks; ties run in scheduling order. */
class EventQueue {
  private heap: { t: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  now = 0;
  at(t: number, run: () => void): void {
    const h = this.heap;
    h.push({ t, seq: this.seq++, run });
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (this.less(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  drain(): void {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0];
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && this.less(h[l], h[m])) m = l;
          if (r < h.length && this.less(h[r], h[m])) m = r;
          if (m === i) break;
          [h[m], h[i]] = [h[i], h[m]];
          i = m;
        }
      }
      this.now = top.t;
      top.run();
    }
  }
  private less(a: { t: number; seq: number }, b: { t: number; seq: number }): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }
}

/** The retriers of each modelled Task, read from the definition. */
export function retriersOf(definition: AslDefinition): Record<string, Retrier[]> {
  const states = Object.fromEntries(allStates(definition));
  return Object.fromEntries(
    Object.keys(RUN_SECONDS).map((name) => {
      if (!states[name]) throw new Error(`the definition has no state ${name}`);
      return [name, states[name].Retry ?? []];
    }),
  );
}

export function simulateBurst(definition: AslDefinition, params: BurstParameters): BurstOutcome {
  const retriers = retriersOf(definition);
  const timeout = definition.TimeoutSeconds ?? Infinity;
  const random = seededRandom(params.seed);
  const q = new EventQueue();
  const buckets = Object.fromEntries(Object.entries(params.tps).map(([op, rate]) => [op, new Bucket(rate)])) as Record<
    RekognitionOperation,
    Bucket
  >;
  let lambdaInUse = 0;
  const totals = { retries: 0, throttledCalls: 0, lambdaThrottles: 0 };

  /** One Rekognition call with the SDK's own retries; reports success or the throttling error. */
  const callRekognition = (op: RekognitionOperation, attempt: number, done: (ok: boolean) => void): void => {
    if (buckets[op].take(q.now)) {
      q.at(q.now + RUN_SECONDS.DetectFaces / 2, () => done(true));
      return;
    }
    totals.throttledCalls += 1;
    if (attempt >= params.sdkMaxAttempts) {
      q.at(q.now + REFUSED_CALL_SECONDS, () => done(false));
      return;
    }
    q.at(q.now + REFUSED_CALL_SECONDS + sdkThrottleDelaySeconds(attempt, random), () => callRekognition(op, attempt + 1, done));
  };

  /** One Lambda invocation; reports the error name it failed with, or undefined. */
  const invoke = (task: string, done: (error?: string) => void): void => {
    if (lambdaInUse >= params.lambdaConcurrency) {
      totals.lambdaThrottles += 1;
      done('Lambda.TooManyRequestsException');
      return;
    }
    lambdaInUse += 1;
    const finish = (error?: string) => {
      lambdaInUse -= 1;
      done(error);
    };
    const ops = BRANCHES[task] ?? [];
    if (ops.length === 0) {
      q.at(q.now + RUN_SECONDS[task], () => finish());
      return;
    }
    q.at(q.now + LAMBDA_OVERHEAD_SECONDS, () => {
      // The calls run concurrently (Promise.all): the task fails if any of them does.
      let pending = ops.length;
      let throttled = false;
      for (const op of ops) {
        callRekognition(op, 1, (ok) => {
          throttled ||= !ok;
          if (--pending > 0) return;
          if (throttled) finish('Rekognition.ThrottlingException');
          else q.at(q.now + Math.max(0, RUN_SECONDS[task] - RUN_SECONDS.DetectFaces / 2), () => finish());
        });
      }
    });
  };

  /** A Task state: attempts until success, or until no retrier matches or the matching one is used up. */
  const runTask = (task: string, done: (ok: boolean) => void): void => {
    const used = retriers[task].map(() => 0);
    const attempt = () =>
      invoke(task, (error) => {
        if (!error) return done(true);
        const index = retriers[task].findIndex((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
        const retrier = retriers[task][index];
        if (!retrier || used[index] >= (retrier.MaxAttempts ?? 3)) return done(false);
        used[index] += 1;
        totals.retries += 1;
        q.at(q.now + retryDelaySeconds(retrier, used[index], random), attempt);
      });
    attempt();
  };

  const outcomes: { status: 'SUCCEEDED' | 'PARTIAL' | 'FAILED'; seconds: number }[] = [];
  let notStarted = params.images;
  const execute = (started: number) => {
    const end = (status: 'SUCCEEDED' | 'PARTIAL' | 'FAILED') => {
      outcomes.push({ status, seconds: q.now - started });
      // A backfill: the Map starts the next object as soon as this one's execution has ended.
      if (params.maxInFlight !== undefined && notStarted > 0) startNext();
    };
    runTask('ClaimImage', (claimed) => {
      if (!claimed) return end('FAILED');
      runTask('ValidateImage', (valid) => {
        if (!valid) return end('FAILED');
        const branches = Object.keys(BRANCHES);
        let pending = branches.length;
        let branchFailed = false;
        for (const branch of branches) {
          runTask(branch, (ok) => {
            branchFailed ||= !ok;
            if (--pending > 0) return;
            runTask('StoreResult', (stored) => end(!stored ? 'FAILED' : branchFailed ? 'PARTIAL' : 'SUCCEEDED'));
          });
        }
      });
    });
  };

  const startNext = () => {
    notStarted -= 1;
    const startAt = q.now + (params.perItemOverheadSeconds ?? 0);
    q.at(startAt, () => execute(startAt));
  };
  if (params.maxInFlight !== undefined) {
    for (let i = 0; i < Math.min(params.maxInFlight, params.images); i++) startNext();
  } else {
    for (let i = 0; i < params.images; i++) {
      const startAt = Math.max(0, (i + 1 - params.startBurst) / params.startsPerSecond);
      q.at(startAt, () => execute(startAt));
    }
  }
  q.drain();

  const seconds = outcomes.map((o) => o.seconds).sort((a, b) => a - b);
  const timedOut = outcomes.filter((o) => o.seconds > timeout).length;
  const count = (status: string) => outcomes.filter((o) => o.status === status && o.seconds <= timeout).length;
  return {
    succeeded: count('SUCCEEDED'),
    partial: count('PARTIAL'),
    failed: count('FAILED'),
    timedOut,
    drainSeconds: q.now,
    p50Seconds: seconds[Math.floor(0.5 * (seconds.length - 1))] ?? 0,
    p99Seconds: seconds[Math.floor(0.99 * (seconds.length - 1))] ?? 0,
    ...totals,
  };
}
