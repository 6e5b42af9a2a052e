/** The execution page: one execution's live graph, the selected state's details and the event history. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ExecutionDetail, GraphResponse, HistoryEvent } from '../../shared/api-types';
import { stateRuns, statesByName, type StateRun } from '../../shared/state-status';
import { api, useStream, useTicker } from '../api';
import { StateBadge, StatusBadge } from '../components/badges';
import { activateOnKey, Graph, Legend } from '../components/graph';
import { StateList } from '../components/state-list';
import { fileName, formatDuration, formatTime, json, prettyCause } from '../format';
import { href, navigate } from '../router';

let graphRequest: Promise<GraphResponse> | undefined;
function loadGraph(): Promise<GraphResponse> {
  graphRequest ??= api.graph().catch((e: unknown) => {
    graphRequest = undefined;
    throw e;
  });
  return graphRequest;
}

/** One execution: its graph coloured by state status, the clicked state's details, the event history. */
export function ExecutionPage({ name, selected }: { name: string; selected?: string }) {
  const { graph, execution, error, connected } = useExecution(name);
  const running = execution?.status === 'RUNNING';
  const events = useMemo(() => (execution?.events ?? []).filter(Boolean), [execution]);
  const runs = useMemo(
    () => (graph ? stateRuns(events, graph.definition, !running) : new Map<string, StateRun>()),
    [events, graph, running],
  );
  const select = (state: string): void => navigate({ page: 'execution', name, state: state === selected ? undefined : state }, true);

  if (error && !execution)
    return (
      <section class="page">
        <div class="alert error">{error}</div>
      </section>
    );
  if (!execution || !graph)
    return (
      <section class="page">
        <p class="empty">Loading…</p>
      </section>
    );
  const start = events[0]?.timestamp ?? Date.parse(execution.startedAt);
  return (
    <section class="page execution-page">
      <div class="crumbs">
        <a href={href({ page: 'executions' })}>Executions</a> / <span class="mono">{execution.name}</span>
      </div>
      <div class="page-head">
        <h1 class="mono">{execution.name}</h1>
        <StatusBadge status={execution.status} />
        {!connected && running && <span class="muted">reconnecting…</span>}
      </div>
      <ExecutionFacts execution={execution} />
      {execution.error && (
        <div class="alert error" data-testid="execution-error">
          <strong>{execution.error}</strong> {execution.cause}
        </div>
      )}
      <div class="execution-grid">
        <div class="card graph-card">
          <div class="card-head">
            <h2>Graph view</h2>
            <Legend />
          </div>
          <div class="graph-scroll">
            <Graph layout={graph.layout} runs={runs} selected={selected} onSelect={select} />
          </div>
          {/* Phone widths: the states as a list instead of a graph too small to read (styles.css switches them). */}
          <StateList layout={graph.layout} runs={runs} selected={selected} onSelect={select} />
        </div>
        <div class="side">
          <StatePanel
            name={selected}
            run={selected ? runs.get(selected) : undefined}
            type={selected ? statesByName(graph.definition).get(selected)?.Type : undefined}
            start={start}
          />
          <History events={events} start={start} selected={selected} onSelect={select} />
        </div>
      </div>
    </section>
  );
}

/**
 * The definition's graph (read once per page load) and the execution, live: its record is read once
 * (and again when it ends, for the output and error), and the stream's events are merged in, those
 * arriving during the read included.
 */
function useExecution(name: string) {
  const [graph, setGraph] = useState<GraphResponse | undefined>(undefined);
  const [execution, setExecution] = useState<ExecutionDetail | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const pending = useRef<Map<number, HistoryEvent> | undefined>(undefined);

  useEffect(() => {
    loadGraph().then(setGraph, (e: Error) => setError(e.message));
  }, []);

  const load = (): void => {
    pending.current = new Map();
    api.execution(name).then(
      (detail) => {
        const events = [...detail.events];
        for (const [index, event] of pending.current ?? []) events[index] = event;
        pending.current = undefined;
        setExecution({ ...detail, events });
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  };
  const connected = useStream(
    `/api/events?execution=${encodeURIComponent(name)}`,
    (message) => {
      if (message.kind === 'event' && message.name === name) {
        pending.current?.set(message.index, message.event);
        setExecution((current) => {
          if (!current) return current;
          const events = [...current.events];
          events[message.index] = message.event;
          return { ...current, events };
        });
      } else if (message.kind === 'execution' && message.execution.name === name) {
        const summary = message.execution;
        setExecution((current) => (current ? { ...current, ...summary } : current));
        // The final record has the output and the error: take it whole once the execution ends.
        if (summary.status !== 'RUNNING') load();
      }
    },
    load,
  );
  return { graph, execution, error, connected };
}

function ExecutionFacts({ execution }: { execution: ExecutionDetail }) {
  const running = execution.status === 'RUNNING';
  const now = useTicker(running);
  return (
    <dl class="facts">
      <div>
        <dt>Image</dt>
        <dd>
          {execution.imageId ? (
            <a href={href({ page: 'image', imageId: execution.imageId })} data-testid="result-link">
              {fileName(execution.imageId)}
            </a>
          ) : (
            '—'
          )}
        </dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>{formatTime(execution.startedAt)}</dd>
      </div>
      <div>
        <dt>{execution.resumedAt ? 'Duration since resumed' : 'Duration'}</dt>
        <dd>
          {formatDuration(
            execution.durationMs ??
              (running ? now - Date.parse(execution.runStartedAt ?? execution.resumedAt ?? execution.startedAt) : undefined),
          )}
        </dd>
      </div>
      <div>
        <dt>Retries</dt>
        <dd>{execution.retries}</dd>
      </div>
      {execution.resumedAt && (
        <div>
          <dt>Resumed</dt>
          <dd>{formatTime(execution.resumedAt)}</dd>
        </div>
      )}
    </dl>
  );
}

function StatePanel({ name, run, type, start }: { name?: string; run?: StateRun; type?: string; start: number }) {
  if (!name) {
    return (
      <div class="card state-panel">
        <p class="empty small">Click a state in the graph to see its input, output, error and timing.</p>
      </div>
    );
  }
  return (
    <div class="card state-panel" data-testid="state-panel" data-state={name}>
      <div class="card-head">
        <h2>
          {name} <span class="muted">{type}</span>
        </h2>
        <StateBadge status={run?.status ?? 'not-run'} retries={run?.retries ?? 0} />
      </div>
      {!run ? (
        <p class="empty small">This state has not run in this execution.</p>
      ) : (
        <>
          <StateTimes run={run} start={start} />
          {run.error && <StateError run={run} />}
          <StateIO run={run} />
        </>
      )}
    </div>
  );
}

function StateTimes({ run, start }: { run: StateRun; start: number }) {
  const ended = run.exitedAt;
  return (
    <dl class="facts compact">
      <div>
        <dt>Entered</dt>
        <dd>{run.enteredAt !== undefined ? `+${formatDuration(run.enteredAt - start)}` : '—'}</dd>
      </div>
      <div>
        <dt>Ended</dt>
        <dd>{ended !== undefined ? `+${formatDuration(ended - start)}` : '—'}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd data-testid="state-duration">
          {run.enteredAt !== undefined && ended !== undefined ? formatDuration(ended - run.enteredAt) : '—'}
        </dd>
      </div>
      <div>
        <dt>Retries</dt>
        <dd>{run.retries}</dd>
      </div>
    </dl>
  );
}

function StateError({ run }: { run: StateRun }) {
  return (
    <div class="error-box" data-testid="state-error">
      <div class="label">Error</div>
      <div class="mono">{run.error}</div>
      {run.cause !== undefined && (
        <>
          <div class="label">Cause</div>
          <pre data-testid="state-cause">{prettyCause(run.cause)}</pre>
        </>
      )}
    </div>
  );
}

function StateIO({ run }: { run: StateRun }) {
  return (
    <div class="io">
      <div>
        <div class="label">Input</div>
        <pre data-testid="state-input">{json(run.input) || '—'}</pre>
      </div>
      <div>
        <div class="label">Output</div>
        <pre data-testid="state-output">
          {run.output !== undefined ? json(run.output) : run.status === 'running' || run.status === 'retrying' ? 'running…' : '—'}
        </pre>
      </div>
    </div>
  );
}

function History({
  events,
  start,
  selected,
  onSelect,
}: {
  events: HistoryEvent[];
  start: number;
  selected?: string;
  onSelect(name: string): void;
}) {
  return (
    <div class="card flush history">
      <div class="card-head padded">
        <h2>Event history</h2>
        <span class="muted">{events.length} events</span>
      </div>
      <div class="history-scroll">
        <table class="grid compact history-table" data-testid="history">
          <colgroup>
            <col style={{ width: '38px' }} />
            <col />
            <col style={{ width: '38%' }} />
            <col style={{ width: '86px' }} />
          </colgroup>
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Type</th>
              <th>State</th>
              <th class="num">Elapsed</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event, i) => {
              const state = event.state?.name ?? event.parentState?.name;
              return (
                <tr
                  key={i}
                  class={`${rowClass(event.type)}${state && state === selected ? ' selected' : ''}`}
                  onClick={() => state && onSelect(state)}
                  // Keyboard: a row with a state is a stop in the Tab order and Enter/Space selects it, as a click does.
                  tabIndex={state ? 0 : undefined}
                  aria-current={state && state === selected ? 'true' : undefined}
                  onKeyDown={state ? activateOnKey(() => onSelect(state)) : undefined}
                >
                  <td class="num muted">{i + 1}</td>
                  <td>
                    {event.type}
                    {detailOf(event) && <div class="detail">{detailOf(event)}</div>}
                  </td>
                  <td class="mono">{state ?? ''}</td>
                  <td class="num">{formatDuration(event.timestamp - start)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function rowClass(type: string): string {
  if (/Failed$/.test(type)) return 'row-failed';
  if (type === 'StateCaught') return 'row-caught';
  if (type === 'StateRetried') return 'row-retrying';
  if (/Succeeded$/.test(type)) return 'row-succeeded';
  return '';
}

function detailOf(event: HistoryEvent): string {
  if (event.type === 'StateRetried') return `attempt ${event.retry?.attempt ?? '?'}`;
  if (event.Error) return event.Error;
  return '';
}
