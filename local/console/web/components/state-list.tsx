/** The graph's states as a list, in layout order, for phone widths where the SVG graph's text would be unreadable. */
import type { GraphLayout } from '../../shared/api-types';
import type { StateRun } from '../../shared/state-status';
import { StateBadge } from './badges';

interface StateListProps {
  layout: GraphLayout;
  runs: Map<string, StateRun>;
  selected?: string;
  onSelect(name: string): void;
}

/** One button per state (Parallels included), top to bottom as the graph draws them; styles/phone.css shows it at <= 640 px only. */
export function StateList({ layout, runs, selected, onSelect }: StateListProps) {
  const states = listOrder(layout);
  return (
    <ol class="state-list" aria-label="States" data-testid="state-list">
      {states.map((node) => {
        const run = runs.get(node.name);
        return (
          <li key={node.id} class={node.parent ? 'in-branch' : undefined}>
            <button
              type="button"
              class={`state-item${selected === node.name ? ' selected' : ''}`}
              aria-pressed={selected === node.name}
              data-state={node.name}
              data-status={run?.status ?? 'not-run'}
              onClick={() => onSelect(node.name)}
            >
              <span class="state-item-name">{node.name}</span>
              <span class="muted small">{node.kind === 'parallel' ? 'Parallel' : node.type}</span>
              <StateBadge status={run?.status ?? 'not-run'} retries={run?.retries ?? 0} />
            </button>
          </li>
        );
      })}
    </ol>
  );
}

type Node = GraphLayout['nodes'][number];

/** Top level from top to bottom; a Parallel's states right after it, branch by branch, each branch top to bottom. */
function listOrder(layout: GraphLayout): Node[] {
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const key = (n: Node): [number, number, number] => {
    const branch = n.parent ? byId.get(n.parent) : undefined;
    const parallel = branch?.parent ? byId.get(branch.parent) : undefined;
    return parallel ? [parallel.y, branch?.branchIndex ?? 0, n.y] : [n.y, -1, 0];
  };
  return layout.nodes
    .filter((n) => n.kind === 'state' || n.kind === 'parallel')
    .map((n) => ({ n, k: key(n) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2])
    .map(({ n }) => n);
}
