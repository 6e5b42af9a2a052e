/** The table view of an execution's states: type, status, duration and a timeline bar, all on one time base. */
import type { AslDefinitionLite } from '../../shared/api-types';
import type { StateRun } from '../../shared/state-status';
import { formatDuration } from '../format';
import { StateBadge } from './badges';

/** Every state of the definition, branches' states included, in definition order. */
function allStates(definition: AslDefinitionLite): { name: string; type: string; depth: number }[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    { name, type: state.Type, depth: 0 },
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch).map((s) => ({ ...s, depth: s.depth + 1 }))),
  ]);
}

export function StateTable({
  definition,
  runs,
  start,
  end,
  selected,
  onSelect,
}: {
  definition: AslDefinitionLite;
  runs: Map<string, StateRun>;
  /** ExecutionStarted, and the last event (or now): the timeline's ends. */
  start: number;
  end: number;
  selected?: string;
  onSelect(name: string): void;
}) {
  const span = Math.max(1, end - start);
  return (
    <table class="grid compact state-table" data-testid="state-table">
      <thead>
        <tr>
          <th>State</th>
          <th>Type</th>
          <th>Status</th>
          <th class="num">Duration</th>
          <th class="timeline-head">Timeline ({formatDuration(span)})</th>
        </tr>
      </thead>
      <tbody>
        {allStates(definition).map(({ name, type, depth }) => {
          const run = runs.get(name);
          const entered = run?.enteredAt;
          const exited = run?.exitedAt ?? (entered !== undefined ? end : undefined);
          return (
            <tr key={name} data-state={name} class={name === selected ? 'selected' : ''} onClick={() => onSelect(name)}>
              <td class="mono" style={{ paddingLeft: `${10 + depth * 16}px` }}>
                {name}
              </td>
              <td>{type}</td>
              <td>
                <StateBadge status={run?.status ?? 'not-run'} retries={run?.retries ?? 0} />
              </td>
              <td class="num nowrap">
                {entered !== undefined && run?.exitedAt !== undefined ? formatDuration(run.exitedAt - entered) : '—'}
              </td>
              <td class="timeline">
                {entered !== undefined && exited !== undefined && (
                  <span
                    class={`timeline-bar status-${run?.status ?? 'not-run'}`}
                    data-testid="timeline-bar"
                    style={{
                      left: `${((entered - start) / span) * 100}%`,
                      width: `${Math.max(0.5, ((exited - entered) / span) * 100)}%`,
                    }}
                  />
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
