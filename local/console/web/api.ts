/** The console API (see local/console/server.ts) and its live stream. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  DeadLettersResponse,
  ExecutionDetail,
  ExecutionsResponse,
  GraphResponse,
  ReplayRequest,
  ReplayResponse,
  StreamMessage,
  UploadResponse,
} from '../shared/api-types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, (body as { error?: string })?.error ?? `${response.status} ${response.statusText}`);
  return body as T;
}

export const api = {
  graph: () => request<GraphResponse>('/api/graph'),
  executions: (params: { status?: string; imageId?: string; since?: string; cursor?: string } = {}) => {
    const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    return request<ExecutionsResponse>(`/api/executions${query.size ? `?${query}` : ''}`);
  },
  execution: (name: string) => request<ExecutionDetail>(`/api/executions/${encodeURIComponent(name)}`),
  image: <T>(imageId: string) => request<T>(`/api/images?id=${encodeURIComponent(imageId)}`),
  deadLetters: () => request<DeadLettersResponse>('/api/dead-letters'),
  replay: (messageIds?: string[]) =>
    request<ReplayResponse>('/api/dead-letters/replay', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify((messageIds ? { messageIds } : {}) satisfies ReplayRequest),
    }),
  upload: (file: File, name: string) =>
    request<UploadResponse>(`/api/uploads?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': file.type || 'application/octet-stream' },
      body: file,
    }),
};

export function objectUrl(key: string): string {
  return `/api/objects?key=${encodeURIComponent(key)}`;
}

/**
 * Subscribes to the server-sent events; `onOpen` runs on every (re)connection, which is when a page
 * loads its snapshot: anything after it comes through the stream, so nothing is missed.
 */
export function useStream(path: string, onMessage: (message: StreamMessage) => void, onOpen?: () => void): boolean {
  const [connected, setConnected] = useState(false);
  const handlers = useRef({ onMessage, onOpen });
  handlers.current = { onMessage, onOpen };
  useEffect(() => {
    const source = new EventSource(path);
    source.onopen = () => {
      setConnected(true);
      handlers.current.onOpen?.();
    };
    source.onerror = () => setConnected(false);
    source.onmessage = (event: MessageEvent<string>) => handlers.current.onMessage(JSON.parse(event.data) as StreamMessage);
    return () => source.close();
  }, [path]);
  return connected;
}

/** A value re-computed every `ms` while `active` (running durations). */
export function useTicker(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return now;
}
