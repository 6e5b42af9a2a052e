/**
 * The workflow run of `npm run bench`: images uploaded through the local S3 (so the event router starts
 * the executions, as EventBridge would), every execution awaited, and each one's timeline taken apart:
 *
 *   uploadStart ─PUT─ uploadEnd ─routing─ runner.start ─slot wait─ slot ─engine─ ExecutionStarted
 *     ─ states ... ─ ExecutionSucceeded ─finish (events, record saved)─ finished
 *
 * Task time comes from two sources: the engine's StateEntered/StateExited timestamps, and a wrapper
 * around each Task state's local function (handler + the JSON "Lambda boundary"), installed on the
 * LocalStateMachine instance by this bench only.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ExecutionRecord } from '../local/engine/execution-store';
import type { EventLog, LocalStateMachine } from '../local/engine/local-state-machine';
import type { LocalStack } from '../local/stack/local-stack';
import type { VariantName } from './pipeline-inputs';

export const BRANCH_STATES = ['CreateThumbnails', 'DetectFaces', 'DetectLabelsAndText', 'DetectModerationLabels'] as const;
export const SERIAL_STATES = ['ClaimImage', 'ValidateImage', 'StoreResult'] as const;
export type TaskStateName = (typeof BRANCH_STATES)[number] | (typeof SERIAL_STATES)[number];
const TASK_STATES: readonly TaskStateName[] = [...SERIAL_STATES, ...BRANCH_STATES];

export interface WorkflowImage {
  name: string;
  variant: VariantName;
  bytes: Buffer;
}

export interface ExecutionTiming {
  name: string;
  variant: VariantName;
  status: string;
  /** StoreResult's verdict: SUCCEEDED, PARTIAL, FAILED, ... */
  itemStatus?: string;
  retries: number;
  /** Date.now() readings, ms. */
  uploadStart: number;
  uploadEnd: number;
  routed: number;
  slot: number;
  executionStarted: number;
  executionEnded: number;
  finished: number;
  /** StateEntered → StateExited (or StateFailed), per Task state, ms. */
  stateMs: Partial<Record<TaskStateName, number>>;
  /** Inside the Task state's local function (handler + JSON boundary), per state, ms; sums retried attempts. */
  handlerMs: Partial<Record<TaskStateName, number>>;
}

export interface WorkflowResult {
  wallMs: number;
  executions: ExecutionTiming[];
  /** ExecutionStore.save calls made during the run and the milliseconds they blocked the main thread. */
  storeSaves: { count: number; ms: number; bytes: number };
}

/** Wraps the machine's Task state functions to time them, keyed by the S3 key they work on. */
export class HandlerTimer {
  private readonly times = new Map<string, Partial<Record<TaskStateName, number>>>();
  readonly installed: boolean;

  constructor(machine: LocalStateMachine) {
    // LocalStateMachine passes this same object to every run as taskResourceLocalHandlers.
    const handlers = (machine as unknown as { taskHandlers?: Record<string, (input: unknown) => Promise<unknown>> }).taskHandlers;
    this.installed = !!handlers && TASK_STATES.every((state) => typeof handlers[state] === 'function');
    if (!this.installed || !handlers) return;
    for (const state of TASK_STATES) {
      const inner = handlers[state]!;
      handlers[state] = async (input: unknown) => {
        const start = performance.now();
        try {
          return await inner(input);
        } finally {
          const key = keyOf(input);
          if (key) {
            const entry = this.times.get(key) ?? {};
            entry[state] = (entry[state] ?? 0) + (performance.now() - start);
            this.times.set(key, entry);
          }
        }
      };
    }
  }

  take(key: string): Partial<Record<TaskStateName, number>> {
    const entry = this.times.get(key) ?? {};
    this.times.delete(key);
    return entry;
  }
}

function keyOf(input: unknown): string | undefined {
  const value = input as { image?: { key?: string }; event?: { detail?: { object?: { key?: string } } } } | null;
  // Event keys are raw (EventBridge does not encode them), the same string as the image's key.
  return value?.image?.key ?? value?.event?.detail?.object?.key;
}

/** Times ExecutionStore.save (a synchronous JSON.stringify + writeFileSync on the main thread). */
export function timeStoreSaves(stack: LocalStack): { count: number; ms: number; bytes: number } {
  const totals = { count: 0, ms: 0, bytes: 0 };
  const store = stack.store as unknown as { save: (record: ExecutionRecord) => void };
  const save = store.save.bind(stack.store);
  store.save = (record) => {
    const start = performance.now();
    save(record);
    totals.ms += performance.now() - start;
    totals.count += 1;
    totals.bytes += record.events.length > 0 ? Buffer.byteLength(JSON.stringify(record.events)) : 0;
  };
  return totals;
}

/**
 * Uploads every image under `<uploadPrefix><folder>/` at once (as `picflow analyze` does) and resolves
 * when every execution has finished.
 */
export async function runWorkflow(
  stack: LocalStack,
  timer: HandlerTimer,
  saves: { count: number; ms: number; bytes: number },
  images: WorkflowImage[],
  folder: string,
): Promise<WorkflowResult> {
  const savesBefore = { ...saves };
  const byKey = new Map<
    string,
    { image: WorkflowImage; uploadStart: number; uploadEnd?: number; slot?: number; record?: ExecutionRecord; finished?: number }
  >();
  const keyOfRecord = (record: ExecutionRecord): string | undefined => keyOf(record.input as never) ?? keyOf({ event: record.input });
  let remaining = images.length;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));

  const onStarted = (record: ExecutionRecord): void => {
    const entry = byKey.get(keyOfRecord(record) ?? '');
    if (entry) entry.slot = Date.now();
  };
  const onFinished = (record: ExecutionRecord): void => {
    const entry = byKey.get(keyOfRecord(record) ?? '');
    if (!entry || entry.record) return;
    entry.record = record;
    entry.finished = Date.now();
    remaining -= 1;
    if (remaining === 0) allDone();
  };
  stack.runner.on('started', onStarted);
  stack.runner.on('finished', onFinished);

  const batchStart = performance.now();
  try {
    await Promise.all(
      images.map(async (image) => {
        const key = `${stack.uploadPrefix}${folder}/${image.name}`;
        const entry: { image: WorkflowImage; uploadStart: number; uploadEnd?: number } = { image, uploadStart: Date.now() };
        byKey.set(key, entry);
        await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: image.bytes, ContentType: 'image/jpeg' }));
        entry.uploadEnd = Date.now();
      }),
    );
    if (remaining > 0) await done;
  } finally {
    stack.runner.off('started', onStarted);
    stack.runner.off('finished', onFinished);
  }
  const wallMs = performance.now() - batchStart;

  const executions: ExecutionTiming[] = [];
  for (const [key, entry] of byKey) {
    const record = entry.record!;
    const events = record.events;
    const at = (type: string): number | undefined => events.find((e) => e.type === type)?.timestamp;
    const ended = events.find(
      (e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed' || e.type === 'ExecutionAborted',
    )?.timestamp;
    executions.push({
      name: entry.image.name,
      variant: entry.image.variant,
      status: record.status,
      itemStatus: (record.output as { status?: string } | undefined)?.status,
      retries: record.retries,
      uploadStart: entry.uploadStart,
      uploadEnd: entry.uploadEnd ?? entry.uploadStart,
      routed: Date.parse(record.startedAt),
      slot: entry.slot ?? Date.parse(record.startedAt),
      executionStarted: at('ExecutionStarted') ?? Date.parse(record.startedAt),
      executionEnded: ended ?? entry.finished!,
      finished: entry.finished!,
      stateMs: stateDurations(events),
      handlerMs: timer.take(key),
    });
  }
  return {
    wallMs,
    executions,
    storeSaves: { count: saves.count - savesBefore.count, ms: saves.ms - savesBefore.ms, bytes: saves.bytes - savesBefore.bytes },
  };
}

/** StateEntered → StateExited/StateFailed per Task state (first entry to last exit). */
function stateDurations(events: EventLog[]): Partial<Record<TaskStateName, number>> {
  const entered = new Map<string, number>();
  const out: Partial<Record<TaskStateName, number>> = {};
  for (const event of events) {
    if (!('state' in event) || !event.state) continue;
    const name = event.state.name as TaskStateName;
    if (!TASK_STATES.includes(name)) continue;
    if (event.type === 'StateEntered' && !entered.has(name)) entered.set(name, event.timestamp);
    else if ((event.type === 'StateExited' || event.type === 'StateFailed') && entered.has(name)) {
      out[name] = event.timestamp - entered.get(name)!;
    }
  }
  return out;
}

/** Time inside task functions on the critical path: Claim + Validate + slowest branch + Store. */
export function criticalPath(times: Partial<Record<TaskStateName, number>>): number {
  return (
    (times.ClaimImage ?? 0) +
    (times.ValidateImage ?? 0) +
    Math.max(0, ...BRANCH_STATES.map((state) => times[state] ?? 0)) +
    (times.StoreResult ?? 0)
  );
}
