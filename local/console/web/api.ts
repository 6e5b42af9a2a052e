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
};

/** The image types the pipeline reads (api/shared/image-types.ts): anything else is refused before sending. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff', 'image/avif', 'image/heif', 'image/heic'];
/** POST /images takes bodies up to this (api/uploads/store-upload.ts); larger files go the presigned way. */
const MAX_INLINE_BYTES = 4.5 * 1024 * 1024;

/** What the HTTP API answers on an error (api/shared/http.ts). */
interface ApiFailure {
  code?: string;
  message?: string;
}

/** A fetch to the console; a network failure becomes a sentence a user understands. */
async function reach(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(0, 'The console server is not answering: is picflow dev still running?');
  }
}

async function apiAnswer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => undefined)) as T | ApiFailure | undefined;
  if (!response.ok)
    throw new ApiError(response.status, (body as ApiFailure | undefined)?.message ?? `${response.status} ${response.statusText}`);
  return body as T;
}

/** A presigned URL of the local S3, as the page may fetch it: through the console (local/console/s3-passthrough.ts). */
export function viaConsole(url: string): string {
  const presigned = new URL(url);
  return `/api/s3${presigned.pathname}${presigned.search}`;
}

/**
 * Uploads one image through the HTTP API (mounted at /api/v1): small files in one POST /images, larger ones
 * with POST /uploads and the presigned form. Answers the image's id; throws the API's own error message.
 */
export async function uploadImage(file: File): Promise<{ imageId: string }> {
  if (file.size <= MAX_INLINE_BYTES) {
    const stored = await reach('/api/v1/images', { method: 'POST', headers: { 'Content-Type': file.type }, body: file });
    return apiAnswer<{ imageId: string }>(stored);
  }
  const created = await apiAnswer<{ url: string; fields: Record<string, string>; imageId: string }>(
    await reach('/api/v1/uploads', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ contentType: file.type }),
    }),
  );
  const form = new FormData();
  for (const [name, value] of Object.entries(created.fields)) form.append(name, value);
  form.append('file', file);
  const posted = await reach(viaConsole(created.url), { method: 'POST', body: form });
  if (!posted.ok) {
    const text = await posted.text();
    throw new ApiError(posted.status, /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `the upload was refused (${posted.status})`);
  }
  return { imageId: created.imageId };
}

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
