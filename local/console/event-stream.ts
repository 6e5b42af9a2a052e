/**
 * The console's live view of the engine: records of executions in progress, and the server-sent event
 * streams that hear executions start, retry and end (and, for a stream opened on one execution, its events).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordSummary } from '../engine/execution-index';
import type { ExecutionRecord } from '../engine/execution-store';
import type { EventLog } from '../engine/local-state-machine';
import { runDurationMs } from '../engine/run-duration';
import type { ExecutionRunner } from '../engine/execution-runner';
import type { ExecutionSummary, HistoryEvent, StreamMessage } from './shared/api-types';

/** Seconds between comments on an idle stream, so proxies and browsers keep it open. */
const HEARTBEAT_MS = 15_000;

export class EventStream {
  /** Records of executions in progress: the store has them as they were at start (no events yet). */
  readonly live = new Map<string, ExecutionRecord>();
  private readonly streams = new Set<{ res: ServerResponse; execution?: string }>();

  private readonly onQueued = (record: ExecutionRecord, position: number): void => {
    this.live.set(record.name, record);
    this.broadcast({ kind: 'execution', execution: summarize(record, position) });
  };
  private readonly onStarted = (record: ExecutionRecord): void => {
    this.live.set(record.name, record);
    this.broadcast({ kind: 'execution', execution: summarize(record) });
  };
  private readonly onEvent = (record: ExecutionRecord, event: EventLog): void => {
    this.live.set(record.name, record);
    if (event.type === 'StateRetried') this.broadcast({ kind: 'execution', execution: summarize(record) });
    this.broadcast({ kind: 'event', name: record.name, index: record.events.length - 1, event: event as HistoryEvent }, record.name);
  };
  private readonly onFinished = (record: ExecutionRecord): void => {
    this.live.delete(record.name);
    this.broadcast({ kind: 'execution', execution: summarize(record) });
  };

  constructor(private readonly runner: ExecutionRunner) {
    runner.on('queued', this.onQueued);
    runner.on('started', this.onStarted);
    runner.on('event', this.onEvent);
    runner.on('finished', this.onFinished);
  }

  /** The summary the console shows now: the live record when in progress, QUEUED with its place in line while it waits. */
  summary(record: RecordSummary): ExecutionSummary {
    const live = this.live.get(record.name) ?? record;
    return summarize(live, this.runner.queuePosition(record.name));
  }

  /** Answers `req` with a stream; `execution` adds that execution's events. */
  open(req: IncomingMessage, res: ServerResponse, execution: string | undefined): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write('retry: 1500\n\n');
    const stream = { res, execution };
    this.streams.add(stream);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      this.streams.delete(stream);
    });
  }

  /** Stops listening to the engine and ends every stream. */
  close(): void {
    this.runner.off('queued', this.onQueued);
    this.runner.off('started', this.onStarted);
    this.runner.off('event', this.onEvent);
    this.runner.off('finished', this.onFinished);
    for (const stream of this.streams) stream.res.end();
    this.streams.clear();
  }

  private broadcast(message: StreamMessage, execution?: string): void {
    const text = `data: ${JSON.stringify(message)}\n\n`;
    for (const stream of this.streams) {
      if (message.kind === 'event' && stream.execution !== execution) continue;
      stream.res.write(text);
    }
  }
}

/** `queuePosition`: the record waits for a slot, so it shows as QUEUED. */
export function summarize(record: RecordSummary, queuePosition?: number): ExecutionSummary {
  const queued = record.status === 'RUNNING' && queuePosition !== undefined;
  return {
    name: record.name,
    executionArn: record.executionArn,
    status: queued ? 'QUEUED' : record.status,
    ...(queued ? { queuePosition } : {}),
    runStartedAt: record.runStartedAt,
    imageId: record.imageId,
    startedAt: record.startedAt,
    stoppedAt: record.stoppedAt,
    durationMs: runDurationMs(record),
    retries: record.retries,
    error: record.error,
    cause: record.cause,
    resumedAt: record.resumedAt,
  };
}
