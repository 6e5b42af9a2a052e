/**
 * Per-operation TPS quotas for the local Rekognition endpoint, like an AWS account's default quotas:
 * one token bucket per operation, refilled at `tps` tokens a second and holding at most one second's
 * worth (at least 1). A call that finds its bucket empty is refused the way Rekognition refuses calls
 * over the account's quota: HTTP 400 `ProvisionedThroughputExceededException`, "Provisioned Rate exceeded."
 * Configured with a number (every operation) or per operation: `2` or `{"DetectFaces":2,"DetectText":1}`.
 */
import { RekognitionError } from './errors';
import { SERVED_OPERATIONS as OPERATIONS, type ServedOperationName as OperationName } from './operation-names';

export type TpsQuotaConfig = number | Partial<Record<OperationName, number>>;

export interface QuotaCounters {
  /** Calls that reached the quota check. */
  calls: number;
  /** Calls refused with ProvisionedThroughputExceededException. */
  throttled: number;
}

/** A token bucket: `rate` tokens a second, at most `capacity` saved up. `now` in milliseconds. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly rate: number,
    readonly capacity: number,
    now: number,
  ) {
    if (!(rate > 0) || !(capacity >= 1)) throw new Error(`token bucket: rate must be > 0 and capacity >= 1 (got ${rate}, ${capacity})`);
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes one token if there is one. */
  tryTake(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = Math.max(this.updatedAt, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Parses env PICFLOW_REKOGNITION_TPS: a number, or a JSON object of operation → TPS. Empty = no quota. */
export function parseTpsQuota(text: string | undefined): TpsQuotaConfig | undefined {
  if (!text?.trim()) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`PICFLOW_REKOGNITION_TPS is neither a number nor JSON: ${(err as Error).message}`);
  }
  return validateTpsQuota(raw);
}

export function validateTpsQuota(raw: unknown): TpsQuotaConfig {
  const positive = (value: unknown, where: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error(`TPS quota: ${where} must be a number > 0`);
    return value;
  };
  if (typeof raw === 'number') return positive(raw, 'the quota');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('TPS quota must be a number or an object of operation → TPS');
  const out: Partial<Record<OperationName, number>> = {};
  for (const [op, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(OPERATIONS as readonly string[]).includes(op)) throw new Error(`TPS quota: unknown operation ${op}`);
    out[op as OperationName] = positive(value, op);
  }
  return out;
}

export class TpsQuota {
  private readonly buckets = new Map<OperationName, TokenBucket>();
  private readonly counters = new Map<OperationName, QuotaCounters>();

  constructor(
    config: TpsQuotaConfig | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (config === undefined) return;
    const valid = validateTpsQuota(config);
    const now = this.clock();
    for (const op of OPERATIONS) {
      const tps = typeof valid === 'number' ? valid : valid[op];
      if (tps !== undefined) this.buckets.set(op, new TokenBucket(tps, Math.max(1, tps), now));
    }
  }

  /** Throws ProvisionedThroughputExceededException when `op` is over its quota. */
  check(op: OperationName): void {
    const bucket = this.buckets.get(op);
    if (!bucket) return;
    const c = this.counters.get(op) ?? { calls: 0, throttled: 0 };
    this.counters.set(op, c);
    c.calls += 1;
    if (bucket.tryTake(this.clock())) return;
    c.throttled += 1;
    throw new RekognitionError('ProvisionedThroughputExceededException', 'Provisioned Rate exceeded.');
  }

  /** Per-operation counters of the operations that have a quota. */
  stats(): Partial<Record<OperationName, QuotaCounters>> {
    return Object.fromEntries([...this.counters].map(([op, c]) => [op, { ...c }]));
  }
}
