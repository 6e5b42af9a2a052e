/**
 * Starts executions of the local state machine the way Step Functions does for a rule target: each
 * gets a unique name, runs concurrently up to a limit (the rest wait in line), and is recorded in the
 * execution store from start to end. Listeners hear every event, for progress output and the console.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { executionEndedBadlyPattern } from '../../statemachines/status-change';
import type { ExecutionStatusChangeEvent, S3ObjectCreatedEvent } from '../../tasks/shared/types';
import { matchesPattern } from '../events/event-pattern';
import type { ExecutionRecord, ExecutionStore } from './execution-store';
import type { EventLog, LocalStateMachine } from './local-state-machine';
import { executionStatusChangeEvent } from './status-change-event';

export interface ExecutionRunnerOptions {
  machine: LocalStateMachine;
  store: ExecutionStore;
  /** Executions running at once. @default 4 */
  concurrency?: number;
  /**
   * The target of the rule on "Step Functions Execution Status Change" (statemachines/status-change.ts):
   * called with each ended execution's event that matches the rule, as EventBridge would, before the
   * execution's promise resolves. Like EventBridge, the runner retries a target that throws.
   */
  onExecutionEndedBadly?: (event: ExecutionStatusChangeEvent) => Promise<unknown>;
  /** Execution timeout in seconds. @default the definition's TimeoutSeconds */
  timeoutSeconds?: number;
  /** Fixed waits before retries, per state, in ms (tests; see ExecuteOptions). @default the definition's backoff */
  retryIntervalOverrides?: Record<string, number | number[]>;
}

/** Attempts of the status-change target, as EventBridge's retry policy (here without the hours of backoff). */
const TARGET_ATTEMPTS = 3;

export interface RunnerEvents {
  /** Waiting for a free slot, `position` in line (1: next to start). */
  queued: [ExecutionRecord, number];
  started: [ExecutionRecord];
  event: [ExecutionRecord, EventLog];
  finished: [ExecutionRecord];
}

export class ExecutionRunner extends EventEmitter<RunnerEvents> {
  private readonly concurrency: number;
  private running = 0;
  /** Executions waiting for a slot, first in line first. */
  private readonly waiting: { name: string; start: () => void }[] = [];
  private readonly inFlight = new Set<Promise<ExecutionRecord>>();
  private readonly controllers = new Map<string, AbortController>();

  constructor(private readonly options: ExecutionRunnerOptions) {
    super();
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  /** Starts an execution for `input` (the rule's event); resolves with its final record. */
  start(input: unknown, name = executionName(input)): Promise<ExecutionRecord> {
    const record: ExecutionRecord = {
      name,
      executionArn: this.options.machine.executionArn(name),
      status: 'RUNNING',
      imageId: imageIdOf(input),
      input,
      startedAt: new Date().toISOString(),
      retries: 0,
      events: [],
    };
    this.options.store.save(record);
    return this.track(this.run(record));
  }

  /** Runs a RUNNING record found after a restart again, under its own name (so its claim is its own). */
  resume(record: ExecutionRecord): Promise<ExecutionRecord> {
    const resumed: ExecutionRecord = {
      ...record,
      status: 'RUNNING',
      events: [],
      retries: 0,
      resumedAt: new Date().toISOString(),
      runStartedAt: undefined,
    };
    this.options.store.save(resumed);
    return this.track(this.run(resumed));
  }

  /**
   * Stops a running execution, as Step Functions' StopExecution: it ends ABORTED. Returns false when no
   * execution of that name is running (an execution waiting for a slot is aborted as soon as it starts).
   */
  abort(name: string): boolean {
    const controller = this.controllers.get(name);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** Resolves when every execution started so far has ended. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<ExecutionRecord>): Promise<ExecutionRecord> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  private async run(record: ExecutionRecord): Promise<ExecutionRecord> {
    const controller = new AbortController();
    this.controllers.set(record.name, controller);
    await this.slot(record);
    try {
      // ExecutionStarted: the run begins now, whatever time it was routed (startedAt).
      record.runStartedAt = new Date().toISOString();
      this.emit('started', record);
      const outcome = await this.options.machine.execute(record.input, {
        name: record.name,
        signal: controller.signal,
        timeoutSeconds: this.options.timeoutSeconds,
        retryIntervalOverrides: this.options.retryIntervalOverrides,
        onEvent: (event) => {
          record.events.push(event);
          // The history's own time, so the list's duration and the event view share one time base.
          if (event.type === 'ExecutionStarted') record.runStartedAt = new Date(event.timestamp).toISOString();
          if (event.type === 'StateRetried') record.retries += 1;
          this.emit('event', record, event);
        },
      });
      Object.assign(record, {
        status: outcome.status,
        output: outcome.output,
        error: outcome.error,
        cause: outcome.cause,
        stoppedAt: outcome.stoppedAt,
      });
    } catch (error) {
      Object.assign(record, {
        status: 'FAILED',
        error: 'States.Runtime',
        cause: (error as Error).message,
        stoppedAt: new Date().toISOString(),
      });
    } finally {
      this.controllers.delete(record.name);
      this.release();
    }
    this.options.store.save(record);
    await this.notifyStatusChange(record);
    this.emit('finished', record);
    return record;
  }

  /**
   * Delivers an ended execution's status change to the net again (start-up recovery, for an execution
   * whose end the net never recorded). True when the rule matched and its target ran.
   */
  replayStatusChange(record: ExecutionRecord): Promise<boolean> {
    return this.notifyStatusChange(record);
  }

  /** EventBridge's part: the status-change event, matched against the rule, delivered to its target. */
  private async notifyStatusChange(record: ExecutionRecord): Promise<boolean> {
    const target = this.options.onExecutionEndedBadly;
    if (!target) return false;
    const event = executionStatusChangeEvent(record, this.options.machine.stateMachineArn);
    if (!matchesPattern(event, executionEndedBadlyPattern(this.options.machine.stateMachineArn))) return false;
    for (let attempt = 1; ; attempt++) {
      try {
        await target(event);
        return true;
      } catch (error) {
        if (attempt >= TARGET_ATTEMPTS) {
          console.error(`picflow: the execution-status net failed for ${record.name}: ${(error as Error).message}`);
          return false;
        }
      }
    }
  }

  /** Where an execution waits in line (1: next to start); undefined when it is not waiting. */
  queuePosition(name: string): number | undefined {
    const index = this.waiting.findIndex((waiter) => waiter.name === name);
    return index < 0 ? undefined : index + 1;
  }

  private slot(record: ExecutionRecord): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    const waited = new Promise<void>((resolve) => this.waiting.push({ name: record.name, start: resolve }));
    this.emit('queued', record, this.waiting.length);
    return waited;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.start();
    else this.running -= 1;
  }
}

/**
 * Step Functions execution names: up to 80 characters of letters, digits, `-` and `_`. Built from the
 * raw key's last segment (any other character, non-ASCII included, becomes `-`), at most 40 + 9.
 */
export function executionName(input: unknown): string {
  const key = (input as Partial<S3ObjectCreatedEvent>)?.detail?.object?.key ?? 'execution';
  // Readable: the file name with accents transliterated (Café -> Cafe), other runs of characters a
  // name cannot hold as one '-', none at either end ("Été +3.webp" -> "Ete-3-webp", not "-t-3-webp").
  const base =
    key
      .split('/')
      .pop()!
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'image';
  return `${base}-${randomUUID().slice(0, 8)}`;
}

function imageIdOf(input: unknown): string | undefined {
  const detail = (input as Partial<S3ObjectCreatedEvent>)?.detail;
  if (!detail?.bucket?.name || !detail.object?.key) return undefined;
  return `${detail.bucket.name}/${detail.object.key}`;
}
