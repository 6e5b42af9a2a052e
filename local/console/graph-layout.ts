/**
 * Lays out THE definition as a graph, the way the Step Functions console's graph view draws it:
 * states top to bottom, a Parallel state as a box holding its branches side by side, dashed edges
 * for Catch. ELK (elkjs' bundled build, in-process, no worker) computes positions and edge routes;
 * the web app only draws them.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api';
import type { AslDefinitionLite, AslStateLite, EdgeKind, GraphEdge, GraphLayout, GraphNode } from './shared/api-types';

const NODE_HEIGHT = 46;
/** Widths per character, generous for 12.5 px bold names and 10.5 px subtitles in a system sans font. */
const CHAR_WIDTH = 7.6;
const SUBTITLE_CHAR_WIDTH = 6.1;
const LABEL_CHAR_WIDTH = 6.4;
/** The longest subtitle a node shows (graph.tsx's subtitle()): sized for it, so a live run never overflows. */
const LONGEST_SUBTITLE = ' · retrying, attempt 10';

interface EdgeSpec {
  source: string;
  target: string;
  kind: EdgeKind;
  label?: string;
  errors?: string[];
}

export async function layoutDefinition(definition: AslDefinitionLite): Promise<GraphLayout> {
  const nodes = new Map<string, Omit<GraphNode, 'x' | 'y' | 'width' | 'height'>>();
  const edges: EdgeSpec[] = [];
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '34',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '10',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
      'elk.edgeLabels.inline': 'true',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: [],
    edges: [],
  };
  root.children = addStates(definition, undefined, nodes, edges);
  root.edges = edges.map(
    (edge, i): ElkExtendedEdge => ({
      id: `e${i}`,
      sources: [edge.source],
      targets: [edge.target],
      labels: edge.label ? [label(edge.label)] : undefined,
    }),
  );

  const laidOut = await new ELK().layout(root);
  const placed: GraphNode[] = [];
  const collect = (node: ElkNode): void => {
    for (const child of node.children ?? []) {
      const info = nodes.get(child.id)!;
      placed.push({ ...info, x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 });
      collect(child);
    }
  };
  collect(laidOut);
  const laidEdges: GraphEdge[] = (laidOut.edges ?? []).map((edge, i) => {
    const spec = edges[i];
    const section = edge.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const box = edge.labels?.[0];
    return {
      id: edge.id,
      source: spec.source,
      target: spec.target,
      kind: spec.kind,
      label: spec.label,
      errors: spec.errors,
      points: points.map((p) => ({ x: round(p.x), y: round(p.y) })),
      labelBox:
        box && spec.label
          ? { x: round(box.x ?? 0), y: round(box.y ?? 0), width: round(box.width ?? 0), height: round(box.height ?? 0) }
          : undefined,
    };
  });
  orderBranches(placed, laidEdges);
  return {
    width: round(laidOut.width ?? 0),
    height: round(laidOut.height ?? 0),
    nodes: placed.map((n) => ({ ...n, x: round(n.x), y: round(n.y), width: round(n.width), height: round(n.height) })),
    edges: laidEdges,
  };
}

/**
 * ELK may put a Parallel's branches in any order (they have no edges between them); the console
 * shows them left to right in definition order. Branches share one row, and no edge leaves a
 * branch (edges attach to the Parallel box), so each branch moves sideways as a block.
 */
function orderBranches(nodes: GraphNode[], edges: GraphEdge[]): void {
  const parallels = nodes.filter((n) => n.kind === 'parallel');
  for (const parallel of parallels) {
    const branches = nodes.filter((n) => n.kind === 'branch' && n.parent === parallel.id);
    const slots = [...branches].sort((a, b) => a.x - b.x);
    const gap =
      slots.length > 1
        ? (slots[slots.length - 1].x - slots[0].x - slots.slice(0, -1).reduce((w, b) => w + b.width, 0)) / (slots.length - 1)
        : 0;
    let x = slots[0]?.x ?? 0;
    for (const branch of [...branches].sort((a, b) => (a.branchIndex ?? 0) - (b.branchIndex ?? 0))) {
      const dx = x - branch.x;
      x += branch.width + gap;
      if (dx === 0) continue;
      const inside = new Set([branch.id, ...descendants(nodes, branch.id)]);
      for (const node of nodes) if (inside.has(node.id)) node.x += dx;
      for (const edge of edges) {
        if (!inside.has(edge.source) || !inside.has(edge.target)) continue;
        for (const p of edge.points) p.x += dx;
        if (edge.labelBox) edge.labelBox.x += dx;
      }
    }
  }
}

function descendants(nodes: GraphNode[], id: string): string[] {
  const children = nodes.filter((n) => n.parent === id).map((n) => n.id);
  return [...children, ...children.flatMap((child) => descendants(nodes, child))];
}

function addStates(
  definition: AslDefinitionLite,
  parent: string | undefined,
  nodes: Map<string, Omit<GraphNode, 'x' | 'y' | 'width' | 'height'>>,
  edges: EdgeSpec[],
): ElkNode[] {
  const children: ElkNode[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (nodes.has(name)) throw new Error(`state name used twice in the definition: ${name}`);
    nodes.set(name, { id: name, kind: state.Type === 'Parallel' ? 'parallel' : 'state', name, type: state.Type, parent });
    if (state.Type === 'Parallel') {
      const branches = (state.Branches ?? []).map((branch, index): ElkNode => {
        const id = `${name}#${index}`;
        nodes.set(id, { id, kind: 'branch', name, parent: name, branchIndex: index });
        return {
          id,
          layoutOptions: { 'elk.padding': '[top=12,left=12,bottom=12,right=12]' },
          children: addStates(branch, id, nodes, edges),
        };
      });
      children.push({
        id: name,
        layoutOptions: { 'elk.padding': '[top=40,left=14,bottom=14,right=14]', 'elk.spacing.nodeNode': '16' },
        children: branches,
      });
    } else {
      children.push({ id: name, width: nodeWidth(name, state.Type), height: NODE_HEIGHT });
    }
    edges.push(...edgesOf(name, state));
  }
  return children;
}

function edgesOf(name: string, state: AslStateLite): EdgeSpec[] {
  const out: EdgeSpec[] = [];
  for (const choice of state.Choices ?? []) out.push({ source: name, target: choice.Next, kind: 'choice', label: choiceLabel(choice) });
  if (state.Default) out.push({ source: name, target: state.Default, kind: 'default', label: 'Default' });
  if (state.Next) out.push({ source: name, target: state.Next, kind: 'next' });
  // Catch edges are dashed and labelled with what they catch, as the Step Functions console does.
  for (const c of state.Catch ?? [])
    out.push({ source: name, target: c.Next, kind: 'catch', label: `Catch: ${c.ErrorEquals.join(', ')}`, errors: c.ErrorEquals });
  return out;
}

/** `$.claim.decision == "SKIP"` and the like: short enough to sit on the edge. */
function choiceLabel(choice: Record<string, unknown>): string {
  const variable = typeof choice.Variable === 'string' ? choice.Variable.replace(/^\$\./, '') : '';
  const comparison = Object.entries(choice).find(
    ([k]) => /^(String|Numeric|Boolean|Timestamp)/.test(k) || k === 'IsPresent' || k === 'IsNull',
  );
  if (variable && comparison) return `${variable} = ${JSON.stringify(comparison[1])}`;
  return 'Rule';
}

/** Wide enough for the name and for the longest subtitle the node can show, with 15 px on each side. */
export function nodeWidth(name: string, type: string): number {
  const text = Math.max(name.length * CHAR_WIDTH, (type.length + LONGEST_SUBTITLE.length) * SUBTITLE_CHAR_WIDTH);
  return Math.max(132, Math.ceil(text + 30));
}

function label(text: string): ElkLabel {
  return { text, width: Math.ceil(text.length * LABEL_CHAR_WIDTH + 10), height: 16 };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
