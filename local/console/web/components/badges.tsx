import type { StateStatus } from '../../shared/state-status';
import { STATUS_LABELS } from '../../shared/state-status';

const EXECUTION_CLASS: Record<string, string> = {
  QUEUED: 'queued',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
  ABORTED: 'aborted',
  PARTIAL: 'caught',
  PROCESSING: 'running',
  SKIPPED: 'not-run',
};

const EXECUTION_LABEL: Record<string, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
  ABORTED: 'Aborted',
  PARTIAL: 'Partial',
  PROCESSING: 'Processing',
  SKIPPED: 'Skipped',
};

/** An execution's (or an item's, or a branch's) status. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${EXECUTION_CLASS[status] ?? 'not-run'}`} data-status={status}>
      <span class="dot" />
      {EXECUTION_LABEL[status] ?? status}
    </span>
  );
}

export function StateBadge({ status, retries }: { status: StateStatus; retries: number }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      <span class="dot" />
      {STATUS_LABELS[status]}
      {status === 'retrying' ? ` · attempt ${retries + 1}` : retries > 0 ? ` · ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}
    </span>
  );
}
