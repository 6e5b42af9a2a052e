import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ExecutionSummary } from '../../shared/api-types';
import { frameBatcher, mergeExecutions } from '../../shared/execution-list';
import { api, useTicker } from '../api';
import { StatusBadge } from '../components/badges';
import { useFeed } from '../feed';
import { fileName, formatDuration, formatTime } from '../format';
import { href } from '../router';

const FILTERS: { label: string; status?: string }[] = [
  { label: 'All' },
  { label: 'Queued', status: 'QUEUED' },
  { label: 'Running', status: 'RUNNING' },
  { label: 'Succeeded', status: 'SUCCEEDED' },
  { label: 'Failed', status: 'FAILED' },
  { label: 'Timed out', status: 'TIMED_OUT' },
  { label: 'Aborted', status: 'ABORTED' },
];

/** Executions, newest first, filtered by status, a page at a time, kept current by the live feed. */
export function ExecutionsPage({ status }: { status?: string }) {
  const [executions, setExecutions] = useState<ExecutionSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  /** Where the next (older) page starts; undefined once the last page is shown. */
  const [nextCursor, setNextCursor] = useState<string | undefined>(undefined);
  const pending = useRef<Map<string, ExecutionSummary> | undefined>(undefined);

  const load = (): void => {
    pending.current = new Map();
    api.executions({ status }).then(
      ({ executions: snapshot, nextCursor: next }) => {
        const byName = new Map(snapshot.map((e) => [e.name, e]));
        for (const update of pending.current?.values() ?? []) byName.set(update.name, update);
        pending.current = undefined;
        setExecutions(sortAndFilter([...byName.values()], status));
        setNextCursor(next);
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  };
  const loadOlder = (): void => {
    if (!nextCursor) return;
    api.executions({ status, cursor: nextCursor }).then(
      ({ executions: older, nextCursor: next }) => {
        setExecutions((list) => sortAndFilter([...(list ?? []).filter((e) => !older.some((o) => o.name === e.name)), ...older], status));
        setNextCursor(next);
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(load, [status]);
  // Stream messages are applied once per animation frame, in place: 100 uploads are a few renders, not 300 re-sorts.
  const enqueue = useMemo(
    () =>
      frameBatcher<ExecutionSummary>(
        (updates) => setExecutions((list) => (list ? mergeExecutions(list, updates, status) : list)),
        (callback) => requestAnimationFrame(callback),
      ),
    [status],
  );
  useFeed((update) => {
    pending.current?.set(update.name, update);
    enqueue(update);
  }, load);

  const running = executions?.some((e) => e.status === 'RUNNING') ?? false;
  const now = useTicker(running);
  return (
    <section class="page">
      <div class="page-head">
        <h1>Executions</h1>
        <nav class="segmented" aria-label="Filter by status">
          {FILTERS.map((f) => (
            <a
              key={f.label}
              class={(status ?? '') === (f.status ?? '') ? 'selected' : ''}
              aria-current={(status ?? '') === (f.status ?? '') ? 'true' : undefined}
              href={href({ page: 'executions', status: f.status })}
              data-filter={f.status ?? 'ALL'}
            >
              {f.label}
            </a>
          ))}
        </nav>
      </div>
      {error && <div class="alert error">{error}</div>}
      <div class="card flush">
        <table class="grid executions cards-on-phone" data-testid="executions">
          <thead>
            <tr>
              <th>Image</th>
              <th>Execution</th>
              <th>Status</th>
              <th>Started</th>
              <th class="num">Duration</th>
              <th class="num">Retries</th>
            </tr>
          </thead>
          <tbody>
            {executions?.map((e) => (
              <tr key={e.name} data-execution={e.name} data-status={e.status}>
                <td data-label="Image">
                  {e.imageId ? <a href={href({ page: 'image', imageId: e.imageId })}>{fileName(e.imageId)}</a> : '—'}
                </td>
                <td class="mono" data-label="Execution">
                  <a href={href({ page: 'execution', name: e.name })}>{e.name}</a>
                </td>
                <td data-label="Status">
                  <StatusBadge status={e.status} />
                  {e.status === 'QUEUED' && e.queuePosition !== undefined && (
                    <span class="queue-position" data-testid="queue-position">
                      #{e.queuePosition} in line
                    </span>
                  )}
                </td>
                <td data-label="Started">{formatTime(e.startedAt)}</td>
                <td class="num" data-label="Duration" data-testid="duration">
                  {formatDuration(e.durationMs ?? (e.status === 'RUNNING' ? now - Date.parse(runStart(e)) : undefined))}
                </td>
                <td class="num" data-label="Retries">
                  {e.retries || ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {executions && executions.length === 0 && (
          <p class="empty">
            No {status ? status.toLowerCase() : ''} executions yet. <a href={href({ page: 'upload' })}>Upload images</a> to start some.
          </p>
        )}
        {!executions && !error && <p class="empty">Loading…</p>}
        {nextCursor && (
          <p class="empty">
            <button type="button" class="button" data-testid="older-executions" onClick={loadOlder}>
              Older executions
            </button>
          </p>
        )}
      </div>
    </section>
  );
}

/** A running execution's clock starts at its ExecutionStarted, not when it was routed (it may have waited in line). */
function runStart(e: ExecutionSummary): string {
  return e.runStartedAt ?? e.resumedAt ?? e.startedAt;
}

function sortAndFilter(list: ExecutionSummary[], status: string | undefined): ExecutionSummary[] {
  return list.filter((e) => !status || e.status === status).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
