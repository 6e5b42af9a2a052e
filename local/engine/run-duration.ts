/**
 * How long an execution's last run took. A record resumed after a restart keeps the `startedAt` of its
 * first start (its name, claim and history date from then) but ran again from the beginning at
 * `resumedAt`: durations count from that last (re)start, and whoever shows one says it was resumed.
 */
import type { ExecutionRecord } from './execution-store';

/** When the last run began: `resumedAt` for a resumed record, else `startedAt`. */
export function lastStartedAt(record: Pick<ExecutionRecord, 'startedAt' | 'resumedAt'>): string {
  return record.resumedAt ?? record.startedAt;
}

/**
 * stoppedAt minus when the last run began: its ExecutionStarted (`runStartedAt`, after any wait for a
 * free slot), else the last (re)start for records saved before that was kept; undefined while running.
 */
export function runDurationMs(record: Pick<ExecutionRecord, 'startedAt' | 'resumedAt' | 'stoppedAt' | 'runStartedAt'>): number | undefined {
  return record.stoppedAt ? Date.parse(record.stoppedAt) - Date.parse(record.runStartedAt ?? lastStartedAt(record)) : undefined;
}
