/** The execution's event history: every event, filterable by type, state and text, each expandable to its JSON. */
import { useMemo, useState } from 'preact/hooks';
import type { HistoryEvent } from '../../shared/api-types';
import { formatDuration } from '../format';
import { JsonTree } from './json-tree';

export function EventView({
  events,
  start,
  selected,
  onSelect,
}: {
  events: HistoryEvent[];
  /** The execution's ExecutionStarted: the header's Duration counts from it too. */
  start: number;
  selected?: string;
  onSelect(name: string): void;
}) {
  const [type, setType] = useState('');
  const [state, setState] = useState('');
  const [text, setText] = useState('');
  const [open, setOpen] = useState<Set<number>>(new Set());
  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events]);
  const states = useMemo(() => [...new Set(events.map(stateOf).filter((s): s is string => !!s))].sort(), [events]);
  const needle = text.trim().toLowerCase();
  const shown = events
    .map((event, index) => ({ event, index }))
    .filter(
      ({ event }) =>
        (!type || event.type === type) &&
        (!state || stateOf(event) === state) &&
        (!needle || JSON.stringify(event).toLowerCase().includes(needle)),
    );
  const toggle = (index: number): void => {
    const next = new Set(open);
    if (!next.delete(index)) next.add(index);
    setOpen(next);
  };
  return (
    <div class="card flush event-view">
      <div class="card-head padded">
        <h2>Event history</h2>
        <span class="muted" data-testid="event-count">
          {shown.length === events.length ? `${events.length} events` : `${shown.length} of ${events.length} events`}
        </span>
        <div class="event-filters">
          <select value={type} onChange={(e) => setType(e.currentTarget.value)} aria-label="Event type" data-testid="event-type">
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <select value={state} onChange={(e) => setState(e.currentTarget.value)} aria-label="State" data-testid="event-state">
            <option value="">All states</option>
            {states.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <input
            type="search"
            placeholder="Search events"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-label="Search events"
            data-testid="event-search"
          />
        </div>
      </div>
      <table class="grid compact event-table" data-testid="history">
        <thead>
          <tr>
            <th class="num">#</th>
            <th>Type</th>
            <th>State</th>
            <th class="num">Elapsed</th>
          </tr>
        </thead>
        <tbody>
          {shown.map(({ event, index }) => {
            const name = stateOf(event);
            const expanded = open.has(index);
            return [
              <tr
                key={index}
                class={`event-row ${rowClass(event.type)}${name && name === selected ? ' selected' : ''}`}
                data-event={index}
                onClick={() => toggle(index)}
              >
                <td class="num muted">
                  {/* The keyboard's way to expand (a row cannot carry aria-expanded): the click on the row is the mouse's. */}
                  <button
                    type="button"
                    class="link-button twisty"
                    aria-expanded={expanded}
                    aria-label={`Event ${index + 1}: ${expanded ? 'collapse' : 'expand'}`}
                    onClick={(e) => {
                      e.stopPropagation();
                      toggle(index);
                    }}
                  >
                    {expanded ? '▾' : '▸'}
                  </button>{' '}
                  {index + 1}
                </td>
                <td>
                  {event.type}
                  {detailOf(event) && <div class="detail">{detailOf(event)}</div>}
                </td>
                <td class="mono">
                  {name && (
                    <button
                      type="button"
                      class="link-button mono"
                      data-state={name}
                      onClick={(e) => {
                        e.stopPropagation();
                        onSelect(name);
                      }}
                    >
                      {name}
                    </button>
                  )}
                </td>
                <td class="num nowrap" data-testid="event-elapsed">
                  {formatDuration(event.timestamp - start)}
                </td>
              </tr>,
              expanded && (
                <tr key={`${index}-detail`} class="event-detail" data-testid="event-detail">
                  <td colSpan={4}>
                    <JsonTree value={event} />
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
      {shown.length === 0 && <p class="empty">No event matches these filters.</p>}
    </div>
  );
}

function stateOf(event: HistoryEvent): string | undefined {
  return event.state?.name ?? event.parentState?.name;
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
