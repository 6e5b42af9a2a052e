/**
 * The executions list kept current from the event stream without a full re-sort per message: updates
 * replace rows in place or are inserted at their place (newest first), and a row leaving the queue moves
 * the rows behind it up one place in line. No DOM or Node types: the web app and the tests use it.
 */
import type { ConsoleStatus, ExecutionSummary } from './api-types';

/** Still going: waiting for a slot or running. */
export function inProgress(status: ConsoleStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING';
}

/** Newest first; the same start instant is ordered by name, so the order is total. */
function before(a: ExecutionSummary, b: ExecutionSummary): boolean {
  return a.startedAt !== b.startedAt ? a.startedAt > b.startedAt : a.name > b.name;
}

/** Applies `updates` (in arrival order) to `list` (newest first); `status` keeps only rows shown with that status. */
export function mergeExecutions(
  list: readonly ExecutionSummary[],
  updates: readonly ExecutionSummary[],
  status?: string,
): ExecutionSummary[] {
  const rows = [...list];
  for (const update of updates) {
    const at = rows.findIndex((row) => row.name === update.name);
    const previous = at >= 0 ? rows[at] : undefined;
    if (previous?.status === 'QUEUED' && update.status !== 'QUEUED' && previous.queuePosition !== undefined) {
      const left = previous.queuePosition;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (row.status === 'QUEUED' && row.queuePosition !== undefined && row.queuePosition > left)
          rows[i] = { ...row, queuePosition: row.queuePosition - 1 };
      }
    }
    const shown = !status || update.status === status;
    if (at >= 0) {
      // The start time never changes, so the row keeps its place.
      if (shown) rows[at] = update;
      else rows.splice(at, 1);
    } else if (shown) {
      rows.splice(insertionPoint(rows, update), 0, update);
    }
  }
  return rows;
}

/** Binary search for where `row` goes in a newest-first list. */
function insertionPoint(rows: readonly ExecutionSummary[], row: ExecutionSummary): number {
  let [low, high] = [0, rows.length];
  while (low < high) {
    const mid = (low + high) >> 1;
    if (before(rows[mid], row)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Collects items and hands them over once per frame: a burst of stream messages costs one render.
 * `schedule` is requestAnimationFrame in the browser.
 */
export function frameBatcher<T>(flush: (items: T[]) => void, schedule: (callback: () => void) => unknown): (item: T) => void {
  let pending: T[] | undefined;
  return (item) => {
    if (pending) {
      pending.push(item);
      return;
    }
    pending = [item];
    schedule(() => {
      const items = pending ?? [];
      pending = undefined;
      flush(items);
    });
  };
}
