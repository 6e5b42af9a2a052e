/** The state machine as the Step Functions console draws it: laid out by the server (ELK), drawn here as SVG. */
import type { GraphEdge, GraphLayout, GraphNode } from '../../shared/api-types';
import type { StateRun, StateStatus } from '../../shared/state-status';
import { STATUS_LABELS } from '../../shared/state-status';

interface GraphProps {
  layout: GraphLayout;
  runs: Map<string, StateRun>;
  selected?: string;
  onSelect(name: string): void;
}

export function Graph({ layout, runs, selected, onSelect }: GraphProps) {
  const status = (name: string): StateStatus => runs.get(name)?.status ?? 'not-run';
  const containers = layout.nodes.filter((n) => n.kind !== 'state');
  const states = layout.nodes.filter((n) => n.kind === 'state');
  return (
    // biome-ignore lint/a11y/useSemanticElements: an <svg> cannot be a <fieldset>; a group, not an image, because its states are buttons.
    <svg
      class="graph"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      style={{ maxWidth: `${layout.width}px` }}
      role="group"
      aria-label="State machine graph"
      data-testid="graph"
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
        </marker>
        <marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead taken" />
        </marker>
      </defs>
      {containers.map((node) =>
        node.kind === 'parallel' ? (
          <ParallelBox
            key={node.id}
            node={node}
            status={status(node.name)}
            run={runs.get(node.name)}
            selected={selected === node.name}
            onSelect={onSelect}
          />
        ) : (
          <BranchBox key={node.id} node={node} />
        ),
      )}
      {layout.edges.map((edge) => (
        <Edge key={edge.id} edge={edge} taken={edgeTaken(edge, runs)} />
      ))}
      {states.map((node) => (
        <StateBox
          key={node.id}
          node={node}
          status={status(node.name)}
          run={runs.get(node.name)}
          selected={selected === node.name}
          onSelect={onSelect}
        />
      ))}
    </svg>
  );
}

function edgeTaken(edge: GraphEdge, runs: Map<string, StateRun>): boolean {
  const source = runs.get(edge.source);
  const target = runs.get(edge.target);
  if (!source || !target || target.enteredAt === undefined || source.enteredAt === undefined) return false;
  if (target.enteredAt < source.enteredAt) return false;
  return edge.kind === 'catch' ? source.status === 'caught' : source.status !== 'caught' && source.status !== 'failed';
}

function subtitle(type: string | undefined, run: StateRun | undefined): string {
  if (!run || run.status === 'not-run') return type ?? '';
  if (run.status === 'retrying') return `${type} · retrying, attempt ${run.retries + 1}`;
  if (run.retries > 0) return `${type} · ${run.retries} ${run.retries === 1 ? 'retry' : 'retries'}`;
  return `${type} · ${STATUS_LABELS[run.status]}`;
}

function StateBox({
  node,
  status,
  run,
  selected,
  onSelect,
}: {
  node: GraphNode;
  status: StateStatus;
  run?: StateRun;
  selected: boolean;
  onSelect(name: string): void;
}) {
  const cx = node.x + node.width / 2;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; role, tabindex and Enter/Space make it one.
    <g
      class={`node status-${status}${selected ? ' selected' : ''}`}
      data-state={node.name}
      data-status={status}
      data-retries={run?.retries ?? 0}
      // Lower case on purpose: preact sets SVG attributes by name, and Chromium ignores a camel-case `tabIndex` on SVG.
      tabindex={0}
      role="button"
      aria-pressed={selected}
      onClick={() => onSelect(node.name)}
      onKeyDown={activateOnKey(() => onSelect(node.name))}
    >
      <title>{`${node.name} (${node.type}) — ${STATUS_LABELS[status]}`}</title>
      <rect x={node.x} y={node.y} width={node.width} height={node.height} rx={node.type === 'Choice' ? 16 : 7} />
      <text x={cx} y={node.y + 20} class="name">
        {node.name}
      </text>
      <text x={cx} y={node.y + 35} class="type">
        {subtitle(node.type, run)}
      </text>
      {status === 'retrying' && (
        <g class="retry-pill">
          <rect x={node.x + node.width - 24} y={node.y - 9} width={30} height={18} rx={9} />
          <text x={node.x + node.width - 9} y={node.y + 4}>
            ↻{run?.retries ?? 0}
          </text>
        </g>
      )}
    </g>
  );
}

function ParallelBox({
  node,
  status,
  run,
  selected,
  onSelect,
}: {
  node: GraphNode;
  status: StateStatus;
  run?: StateRun;
  selected: boolean;
  onSelect(name: string): void;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; role, tabindex and Enter/Space make it one.
    <g
      class={`parallel status-${status}${selected ? ' selected' : ''}`}
      data-state={node.name}
      data-status={status}
      tabindex={0}
      role="button"
      aria-pressed={selected}
      onClick={() => onSelect(node.name)}
      onKeyDown={activateOnKey(() => onSelect(node.name))}
    >
      <rect x={node.x} y={node.y} width={node.width} height={node.height} rx={10} />
      <text x={node.x + 14} y={node.y + 25}>
        <tspan class="name">{node.name}</tspan>
        <tspan class="type" dx={10}>
          {subtitle('Parallel', run)}
        </tspan>
      </text>
    </g>
  );
}

/** Enter or Space does what a click does (as on a <button>); Space does not scroll the page. */
export function activateOnKey(action: () => void): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    action();
  };
}

function BranchBox({ node }: { node: GraphNode }) {
  return <rect class="branch" data-branch={node.branchIndex} x={node.x} y={node.y} width={node.width} height={node.height} rx={8} />;
}

function Edge({ edge, taken }: { edge: GraphEdge; taken: boolean }) {
  if (edge.points.length < 2) return null;
  const d = roundedPath(edge.points, 6);
  return (
    <g class={`edge edge-${edge.kind}${taken ? ' taken' : ''}`} data-edge={`${edge.source}->${edge.target}`}>
      <title>
        {edge.kind === 'catch'
          ? `${edge.source} → ${edge.target}: Catch ${edge.errors?.join(', ') ?? ''}`
          : `${edge.source} → ${edge.target}`}
      </title>
      <path d={d} marker-end={taken ? 'url(#arrow-taken)' : 'url(#arrow)'} />
      <path d={d} class="hit" />
      {edge.label && edge.labelBox && (
        <g class="edge-label">
          <rect x={edge.labelBox.x - 2} y={edge.labelBox.y} width={edge.labelBox.width + 4} height={edge.labelBox.height} rx={4} />
          <text x={edge.labelBox.x + edge.labelBox.width / 2} y={edge.labelBox.y + 12}>
            {edge.label}
          </text>
        </g>
      )}
    </g>
  );
}

/** An orthogonal polyline with its corners rounded. */
function roundedPath(points: { x: number; y: number }[], radius: number): string {
  let d = `M ${points[0].x} ${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [prev, point, next] = [points[i - 1], points[i], points[i + 1]];
    const r = Math.min(radius, distance(prev, point) / 2, distance(point, next) / 2);
    const a = towards(point, prev, r);
    const b = towards(point, next, r);
    d += ` L ${a.x} ${a.y} Q ${point.x} ${point.y} ${b.x} ${b.y}`;
  }
  const last = points[points.length - 1];
  return `${d} L ${last.x} ${last.y}`;
}

function distance(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function towards(from: { x: number; y: number }, to: { x: number; y: number }, length: number): { x: number; y: number } {
  const d = distance(from, to) || 1;
  return { x: from.x + ((to.x - from.x) * length) / d, y: from.y + ((to.y - from.y) * length) / d };
}

export function Legend() {
  const statuses: StateStatus[] = ['not-run', 'running', 'succeeded', 'failed', 'caught', 'retrying'];
  return (
    <div class="legend">
      {statuses.map((s) => (
        <span key={s} class={`legend-item status-${s}`}>
          <span class="swatch" />
          {STATUS_LABELS[s]}
        </span>
      ))}
      <span class="legend-item">
        <span class="line dashed" /> Catch
      </span>
    </div>
  );
}
