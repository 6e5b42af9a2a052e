/**
 * The execution page, on par with the Step Functions console's: the live graph (zoom, fit, opened on the failed
 * state) or a table of states with a timeline, the chosen state's and the execution's Input / Output / Error /
 * Definition, the filterable event history, export of the history, and the recovery of a failed image.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AslDefinitionLite, AslStateLite, ExecutionDetail, GraphResponse, HistoryEvent } from '../../shared/api-types';
import { stateRuns, statesByName, type StateRun } from '../../shared/state-status';
import { api, useStream, useTicker } from '../api';
import { StateBadge, StatusBadge } from '../components/badges';
import { EventView } from '../components/event-view';
import { Graph, Legend } from '../components/graph';
import { StateList } from '../components/state-list';
import { JsonTabs } from '../components/json-tree';
import { RecoveryCard } from '../components/recovery';
import { StateTable } from '../components/state-table';
import { fileName, formatDuration, formatTime } from '../format';
import { href, navigate } from '../router';

let graphRequest: Promise<GraphResponse> | undefined;
function loadGraph(): Promise<GraphResponse> {
  graphRequest ??= api.graph().catch((e: unknown) => {
    graphRequest = undefined;
    throw e;
  });
  return graphRequest;
}

/** One execution: graph or table view, the chosen state's details, the execution's own data, the event history. */
export function ExecutionPage({ name, selected }: { name: string; selected?: string }) {
  const { graph, execution, error, connected } = useExecution(name);
  const [view, setView] = useState<'graph' | 'table'>('graph');
  const running = execution?.status === 'RUNNING' || execution?.status === 'QUEUED';
  const events = useMemo(() => (execution?.events ?? []).filter(Boolean), [execution]);
  const runs = useMemo(
    () => (graph ? stateRuns(events, graph.definition, !running) : new Map<string, StateRun>()),
    [events, graph, running],
  );
  const focus = useMemo(() => failedState(runs, graph?.definition), [runs, graph]);
  const select = (state: string): void => navigate({ page: 'execution', name, state: state === selected ? undefined : state }, true);
  // An execution that failed opens on the state that failed, as the Step Functions console does.
  useEffect(() => {
    if (focus && !selected && !running) navigate({ page: 'execution', name, state: focus }, true);
  }, [focus, running]);
  const now = useTicker(running);

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
  const start = executionStart(execution, events);
  const end = running ? now : (events[events.length - 1]?.timestamp ?? start);
  const states = statesByName(graph.definition);
  return (
    <section class="page execution-page">
      <div class="crumbs">
        <a href={href({ page: 'executions' })}>Executions</a> / <span class="mono">{execution.name}</span>
      </div>
      <div class="page-head">
        <h1 class="mono">{execution.name}</h1>
        <StatusBadge status={execution.status} />
        {!connected && running && <span class="muted">reconnecting…</span>}
        <button type="button" class="button push" onClick={() => exportHistory(execution, events)} data-testid="export-history">
          Export history (JSON)
        </button>
      </div>
      <ExecutionFacts execution={execution} />
      {execution.error && (
        <div class="alert error" data-testid="execution-error">
          <strong>{execution.error}</strong> {execution.cause}
        </div>
      )}
      {!running && execution.status !== 'SUCCEEDED' && (
        <RecoveryCard match={(m) => m.executionName === name} matchKey={`${name}:${execution.status}`} />
      )}
      <div class="execution-grid">
        <div class="card graph-card">
          <div class="card-head">
            <div class="segmented" role="tablist" aria-label="View">
              <button
                type="button"
                role="tab"
                class={view === 'graph' ? 'selected' : ''}
                aria-selected={view === 'graph'}
                onClick={() => setView('graph')}
                data-testid="view-graph"
              >
                Graph view
              </button>
              <button
                type="button"
                role="tab"
                class={view === 'table' ? 'selected' : ''}
                aria-selected={view === 'table'}
                onClick={() => setView('table')}
                data-testid="view-table"
              >
                Table view
              </button>
            </div>
            <Legend />
          </div>
          {view === 'graph' ? (
            <Graph layout={graph.layout} runs={runs} selected={selected} focus={focus} onSelect={select} />
          ) : (
            <StateTable definition={graph.definition} runs={runs} start={start} end={end} selected={selected} onSelect={select} />
          )}
          {/* Phone widths: the states as a list instead of a graph too small to read (styles/phone.css switches them). */}
          <StateList layout={graph.layout} runs={runs} selected={selected} onSelect={select} />
        </div>
        <div class="side">
          <StatePanel
            name={selected}
            run={selected ? runs.get(selected) : undefined}
            state={selected ? states.get(selected) : undefined}
            start={start}
          />
          <div class="card execution-data">
            <h2>Execution</h2>
            <JsonTabs
              testid="execution-tabs"
              tabs={[
                { name: 'Input', value: execution.input },
                { name: 'Output', value: execution.output },
                {
                  name: 'Error',
                  value: execution.error ? { error: execution.error, cause: parseCause(execution.cause) } : undefined,
                },
                { name: 'Definition', value: graph.definition },
              ]}
            />
          </div>
        </div>
      </div>
      <EventView events={events} start={start} selected={selected} onSelect={select} />
    </section>
  );
}

/** When the last run began: its ExecutionStarted (the header's Duration counts from it too). */
function executionStart(execution: ExecutionDetail, events: HistoryEvent[]): number {
  const started = events.filter((e) => e.type === 'ExecutionStarted').pop();
  return started?.timestamp ?? Date.parse(execution.runStartedAt ?? execution.resumedAt ?? execution.startedAt);
}

/**
 * The state to look at first: the earliest one that failed (or failed and was caught), not the Fail state
 * the catch led to, which only repeats the error.
 */
function failedState(runs: Map<string, StateRun>, definition: AslDefinitionLite | undefined): string | undefined {
  if (!definition) return undefined;
  const types = statesByName(definition);
  const failed = [...runs.entries()]
    .filter(([, run]) => run.status === 'failed' || run.status === 'caught')
    .sort((a, b) => (a[1].enteredAt ?? 0) - (b[1].enteredAt ?? 0));
  const isTask = ([n]: [string, StateRun]): boolean => types.get(n)?.Type !== 'Fail' && types.get(n)?.Type !== 'Parallel';
  return (failed.find(isTask) ?? failed[0])?.[0];
}

/** Downloads the execution and its whole event history as one JSON file. */
function exportHistory(execution: ExecutionDetail, events: HistoryEvent[]): void {
  const { events: _events, ...summary } = execution;
  const body = JSON.stringify({ execution: summary, events }, null, 2);
  const url = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${execution.name}-history.json`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function parseCause(cause: unknown): unknown {
  if (typeof cause !== 'string') return cause;
  try {
    return JSON.parse(cause);
  } catch {
    return cause;
  }
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

function StatePanel({ name, run, state, start }: { name?: string; run?: StateRun; state?: AslStateLite; start: number }) {
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
          {name} <span class="muted">{state?.Type}</span>
        </h2>
        <StateBadge status={run?.status ?? 'not-run'} retries={run?.retries ?? 0} />
      </div>
      {!run ? <p class="empty small">This state has not run in this execution.</p> : <StateTimes run={run} start={start} />}
      <JsonTabs
        key={name}
        testid="state"
        initial={run?.error ? 'Error' : undefined}
        tabs={[
          { name: 'Input', value: run?.input },
          { name: 'Output', value: run?.output },
          { name: 'Error', value: run?.error ? { error: run.error, cause: parseCause(run.cause) } : undefined },
          { name: 'Definition', value: state },
        ]}
      />
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
