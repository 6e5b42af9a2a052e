/**
 * Fault injection for the local Rekognition endpoint, per operation:
 *   {"DetectFaces": {"throttle": 2}, "DetectText": {"fail": "InternalServerError"}}
 * `throttle: N` answers ThrottlingException to the next N calls of that operation, then lets calls through;
 * `fail: Name` answers that error to every call until reset. Read from options or env PICFLOW_FAULTS.
 */
import { isRekognitionErrorName, RekognitionError, type RekognitionErrorName } from './errors';
import { SERVED_OPERATIONS as OPERATIONS, type ServedOperationName as OperationName } from './operation-names';

export interface OperationFault {
  throttle?: number;
  fail?: RekognitionErrorName;
}

export type FaultConfig = Partial<Record<OperationName, OperationFault>>;

export interface FaultCounters {
  calls: number;
  throttled: number;
  failed: number;
}

export function parseFaultConfig(json: string | undefined): FaultConfig {
  if (!json?.trim()) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`PICFLOW_FAULTS is not valid JSON: ${(err as Error).message}`);
  }
  return validateFaultConfig(raw);
}

export function validateFaultConfig(raw: unknown): FaultConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('fault config must be an object');
  const out: FaultConfig = {};
  for (const [op, fault] of Object.entries(raw as Record<string, unknown>)) {
    if (!(OPERATIONS as readonly string[]).includes(op)) throw new Error(`fault config: unknown operation ${op}`);
    const f = (fault ?? {}) as Record<string, unknown>;
    const parsed: OperationFault = {};
    if (f.throttle !== undefined) {
      if (!Number.isInteger(f.throttle) || (f.throttle as number) < 0)
        throw new Error(`fault config: ${op}.throttle must be an integer >= 0`);
      parsed.throttle = f.throttle as number;
    }
    if (f.fail !== undefined) {
      if (!isRekognitionErrorName(f.fail)) throw new Error(`fault config: ${op}.fail must be a Rekognition error name`);
      parsed.fail = f.fail;
    }
    out[op as OperationName] = parsed;
  }
  return out;
}

export class FaultInjector {
  private config: FaultConfig = {};
  private remainingThrottles = new Map<OperationName, number>();
  private counters = new Map<OperationName, FaultCounters>();

  constructor(config: FaultConfig = {}) {
    this.configure(config);
  }

  /** Replaces the configuration and resets every counter. */
  configure(config: FaultConfig): void {
    this.config = validateFaultConfig(config);
    this.reset();
  }

  /** Resets the counters and re-arms the throttles of the current configuration. */
  reset(): void {
    this.remainingThrottles.clear();
    this.counters.clear();
    for (const [op, fault] of Object.entries(this.config) as [OperationName, OperationFault][]) {
      if (fault.throttle) this.remainingThrottles.set(op, fault.throttle);
    }
  }

  /** Throws the injected error for this call of `op`, if any. */
  check(op: OperationName): void {
    const c = this.countersFor(op);
    c.calls += 1;
    const fault = this.config[op];
    if (!fault) return;
    if (fault.fail) {
      c.failed += 1;
      throw new RekognitionError(fault.fail, `Injected fault: ${op} fails with ${fault.fail}`);
    }
    const left = this.remainingThrottles.get(op) ?? 0;
    if (left > 0) {
      this.remainingThrottles.set(op, left - 1);
      c.throttled += 1;
      throw new RekognitionError('ThrottlingException', `Injected fault: ${op} throttled (${left - 1} more)`);
    }
  }

  stats(): Partial<Record<OperationName, FaultCounters>> {
    const out: Partial<Record<OperationName, FaultCounters>> = {};
    for (const [op, c] of this.counters) out[op] = { ...c };
    return out;
  }

  private countersFor(op: OperationName): FaultCounters {
    let c = this.counters.get(op);
    if (!c) {
      c = { calls: 0, throttled: 0, failed: 0 };
      this.counters.set(op, c);
    }
    return c;
  }
}
