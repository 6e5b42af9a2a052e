/**
 * The state machine as the Step Functions console draws it: laid out by the server (ELK), drawn here as SVG,
 * with zoom (buttons, wheel, pinch), panning by drag, fit, and a view that opens on the failed state.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { GraphEdge, GraphLayout, GraphNode } from '../../shared/api-types';
import type { StateRun, StateStatus } from '../../shared/state-status';
import { STATUS_LABELS } from '../../shared/state-status';

interface GraphProps {
  layout: GraphLayout;
  runs: Map<string, StateRun>;
  selected?: string;
  /** A state to bring into view (the failed one): the view zooms onto it once, when it is first known. */
  focus?: string;
  onSelect(name: string): void;
}

interface View {
  x: number;
  y: number;
  w: number;
  h: number;
}

const ZOOM_STEP = 1.25;
/** The closest zoom: a sixth of the graph's width, but never narrower than a node or two. */
const MIN_VIEW_WIDTH = 220;

export function Graph({ layout, runs, selected, focus, onSelect }: GraphProps) {
  const status = (name: string): StateStatus => runs.get(name)?.status ?? 'not-run';
  const containers = layout.nodes.filter((n) => n.kind !== 'state');
  const states = layout.nodes.filter((n) => n.kind === 'state');
  const { svg, view, zoom, fit } = useGraphView(layout, focus);
  return (
    <div class="graph-frame">
      <div class="graph-tools" role="toolbar" aria-label="Zoom">
        <button type="button" class="button" onClick={() => zoom(ZOOM_STEP)} data-testid="zoom-in" aria-label="Zoom in" title="Zoom in">
          +
        </button>
        <button
          type="button"
          class="button"
          onClick={() => zoom(1 / ZOOM_STEP)}
          data-testid="zoom-out"
          aria-label="Zoom out"
          title="Zoom out"
        >
          −
        </button>
        <button type="button" class="button" onClick={fit} data-testid="zoom-fit" title="Show the whole graph">
          Fit
        </button>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: an <svg> cannot be a <fieldset>; a group, as its states are buttons. */}
      <svg
        ref={svg}
        class="graph"
        viewBox={`${view.x} ${view.y} ${view.w} ${view.h}`}
        style={{ aspectRatio: `${layout.width} / ${layout.height}` }}
        role="group"
        aria-label="State machine graph"
        data-testid="graph"
        data-focus={focus}
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
            focused={focus === node.name}
            onSelect={onSelect}
          />
        ))}
      </svg>
    </div>
  );
}

/** The whole graph, as `fit` shows it. */
function wholeGraph(layout: GraphLayout): View {
  return { x: 0, y: 0, w: layout.width, h: layout.height };
}

/**
 * The SVG's view box: zoomed by the buttons and the wheel (a trackpad's pinch arrives as a ctrl+wheel),
 * panned by dragging, fitted to the whole graph, and moved onto `focus` the first time it is set.
 * The box keeps the graph's proportions, so the drawing is never stretched.
 */
function useGraphView(layout: GraphLayout, focus: string | undefined) {
  const svg = useRef<SVGSVGElement>(null);
  const [view, setView] = useState<View>(() => wholeGraph(layout));
  const focused = useRef<string | undefined>(undefined);
  const ratio = layout.height / layout.width;

  const zoomAt = (factor: number, cx?: number, cy?: number): void =>
    setView((v) => {
      const w = Math.min(layout.width * 1.5, Math.max(Math.min(MIN_VIEW_WIDTH, layout.width), v.w / factor));
      const h = w * ratio;
      const [px, py] = [cx ?? v.x + v.w / 2, cy ?? v.y + v.h / 2];
      // The point under the pointer (or the centre) stays where it is.
      return { x: px - ((px - v.x) * w) / v.w, y: py - ((py - v.y) * h) / v.h, w, h };
    });

  useEffect(() => {
    if (!focus || focused.current === focus) return;
    const node = layout.nodes.find((n) => n.kind === 'state' && n.name === focus);
    if (!node) return;
    focused.current = focus;
    const w = Math.min(layout.width, Math.max(node.width * 3, 480));
    const h = w * ratio;
    setView({ x: node.x + node.width / 2 - w / 2, y: node.y + node.height / 2 - h / 2, w, h });
  }, [focus, layout]);

  useEffect(() => {
    const element = svg.current;
    if (!element) return undefined;
    const toGraph = (clientX: number, clientY: number): { x: number; y: number } | undefined => {
      const matrix = element.getScreenCTM();
      if (!matrix) return undefined;
      const point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
      return { x: point.x, y: point.y };
    };
    const onWheel = (event: WheelEvent): void => {
      event.preventDefault();
      const at = toGraph(event.clientX, event.clientY);
      zoomAt(Math.exp(-event.deltaY * (event.ctrlKey ? 0.01 : 0.002)), at?.x, at?.y);
    };
    let drag: { x: number; y: number; moved: boolean } | undefined;
    const onDown = (event: PointerEvent): void => {
      if (event.button === 0) drag = { x: event.clientX, y: event.clientY, moved: false };
    };
    const onMove = (event: PointerEvent): void => {
      if (!drag) return;
      const [dx, dy] = [event.clientX - drag.x, event.clientY - drag.y];
      // A click on a state moves the pointer a pixel or two: only a real drag pans.
      if (!drag.moved && Math.hypot(dx, dy) < 5) return;
      drag.moved = true;
      const scale = element.getScreenCTM()?.a || 1;
      drag.x = event.clientX;
      drag.y = event.clientY;
      setView((v) => ({ ...v, x: v.x - dx / scale, y: v.y - dy / scale }));
    };
    const onUp = (): void => {
      drag = undefined;
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    element.addEventListener('pointerdown', onDown);
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    return () => {
      element.removeEventListener('wheel', onWheel);
      element.removeEventListener('pointerdown', onDown);
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    };
  }, [layout]);

  return { svg, view, zoom: (factor: number) => zoomAt(factor), fit: () => setView(wholeGraph(layout)) };
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
  focused,
  onSelect,
}: {
  node: GraphNode;
  status: StateStatus;
  run?: StateRun;
  selected: boolean;
  focused: boolean;
  onSelect(name: string): void;
}) {
  const cx = node.x + node.width / 2;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; role, tabindex and Enter/Space make it one.
    <g
      class={`node status-${status}${selected ? ' selected' : ''}${focused ? ' focused' : ''}`}
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
      <text x={cx} y={node.y + 35} class="type" data-testid="node-subtitle">
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
          <text x={edge.labelBox.x + edge.labelBox.width / 2} y={edge.labelBox.y + 12} data-testid="edge-label">
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
