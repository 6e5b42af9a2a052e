/** Display helpers: times, durations, sizes, names. */

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTime(iso: string | number | undefined): string {
  if (iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return today ? time : `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `picflow-local/uploads/cat.png` → `cat.png` */
export function fileName(imageId: string | undefined): string {
  if (!imageId) return '—';
  return imageId.split('/').pop() || imageId;
}

export function percent(confidence: number): string {
  return `${confidence.toFixed(confidence >= 99.95 ? 0 : 1)}%`;
}

export function json(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2);
}

/** Cause strings are often JSON (Lambda's errorType/errorMessage): shown pretty when they are. */
export function prettyCause(cause: unknown): string {
  if (cause === undefined || cause === null) return '';
  if (typeof cause !== 'string') return json(cause);
  try {
    return json(JSON.parse(cause));
  } catch {
    return cause;
  }
}
