/**
 * One server-sent event stream for the whole app (`/api/events`): executions starting, retrying and
 * ending. Pages subscribe with useFeed and load their snapshot when they mount; `onOpen` runs on every
 * (re)connection, when they load it again, so nothing that happened while disconnected is missed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ExecutionSummary, StreamMessage } from '../shared/api-types';

type Listener = { onExecution: (execution: ExecutionSummary) => void; onOpen?: () => void };

const listeners = new Set<Listener>();
const connectionListeners = new Set<(open: boolean) => void>();
let source: EventSource | undefined;
let open = false;

function connect(): void {
  if (source) return;
  source = new EventSource('/api/events');
  source.onopen = () => {
    open = true;
    for (const l of connectionListeners) l(true);
    for (const l of listeners) l.onOpen?.();
  };
  source.onerror = () => {
    open = false;
    for (const l of connectionListeners) l(false);
  };
  source.onmessage = (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as StreamMessage;
    if (message.kind === 'execution') for (const l of listeners) l.onExecution(message.execution);
  };
}

export function useFeed(onExecution: (execution: ExecutionSummary) => void, onOpen?: () => void): void {
  const handlers = useRef({ onExecution, onOpen });
  handlers.current = { onExecution, onOpen };
  useEffect(() => {
    connect();
    const listener: Listener = { onExecution: (e) => handlers.current.onExecution(e), onOpen: () => handlers.current.onOpen?.() };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
}

export function useFeedConnected(): boolean {
  const [connected, setConnected] = useState(open);
  useEffect(() => {
    connect();
    connectionListeners.add(setConnected);
    setConnected(open);
    return () => {
      connectionListeners.delete(setConnected);
    };
  }, []);
  return connected;
}
