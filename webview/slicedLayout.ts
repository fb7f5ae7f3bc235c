// A Mermaid layout, "thoughtscope-sliced", that draws a flowchart as Mermaid's own dagre layout does
// but in slices: every SLICE_MS it lets the browser draw a frame and run what is queued (host
// messages, input) while it inserts and measures nodes, around the dagre layout itself, and while it
// draws edges. Mermaid's built-in layout does all of that in one task, so each redraw during a live run
// froze the panel for as long as the whole render took. It plugs into Mermaid's layout-loader API and
// draws with Mermaid's own helpers (insertNode, insertEdgeLabel) and paintLayoutData, so the picture
// is Mermaid's (test/webview/slicedLayout.test.ts compares the two).
//
// It takes what the panel usually draws: flowcharts without subgraphs or self-loops. Graphs with
// subgraphs (EoT lanes) keep Mermaid's dagre layout (see usesSlicedLayout). Mermaid falls back to
// dagre, with only a logged warning, for a layout it does not know: registerSlicedLayout must run first.
import mermaid, { clearLayoutRenderState, paintLayoutData, type InternalHelpers, type LayoutData, type LayoutLoaderDefinition, type SVG } from 'mermaid';
import { layout as dagreLayout } from 'dagre-d3-es/src/dagre/index.js';
import { Graph } from 'dagre-d3-es/src/graphlib/index.js';
import type { GraphSnapshot } from '../src/core/graph/types';

export const SLICED_LAYOUT = 'thoughtscope-sliced';

/** Nodes (and edge labels) inserted together, their sizes measured in one layout. */
const INSERT_CHUNK = 16;

/** The longest stretch of drawing work before the event loop gets a turn. */
const SLICE_MS = 25;

type Group = ReturnType<SVG['select']>;
type PaintContext = Parameters<typeof paintLayoutData>[1];

/**
 * Resolves once the browser has had the chance to draw a frame, on a task of its own. Chromium runs
 * queued tasks ahead of a due frame for up to about 100 ms, so merely yielding (setTimeout,
 * scheduler.yield) lets several slices run back to back in one long frame; waiting for the animation
 * frame first puts a drawn frame between slices. A hidden page draws no frames, so there it is only the
 * next task (a message: timers are clamped and throttled in hidden pages, messages are not).
 */
export function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    const nextTask = () => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    };
    if (document.visibilityState === 'hidden') nextTask();
    else requestAnimationFrame(nextTask);
  });
}

/** Times the work since the last yield, and yields once a slice is used up. */
class Slicer {
  private started = performance.now();

  async maybeYield(force = false): Promise<void> {
    if (!force && performance.now() - this.started < SLICE_MS) return;
    await yieldToBrowser();
    this.started = performance.now();
  }
}

/**
 * Whether a graph is drawn with the sliced layout: Mermaid is set to its dagre layout (the sliced one
 * stands in for dagre only; the benchmark's ELK build keeps ELK) and the graph has no lanes
 * (subgraphs) and no self-loops.
 */
export function usesSlicedLayout(graph: GraphSnapshot): boolean {
  const configured = mermaid.mermaidAPI.getSiteConfig().layout ?? 'dagre';
  const lanes = graph.nodes.some((node) => typeof node.meta?.lane === 'string' && node.meta.lane !== '');
  return configured === 'dagre' && !lanes && !graph.edges.some((edge) => edge.from === edge.to);
}

function addGroup(parent: Group, className: string): Group {
  return parent.insert('g').attr('class', className) as unknown as Group;
}

/** Inserts every node and edge label (hidden until painted), measuring each for the layout. */
async function measure(data: LayoutData, element: Group, helpers: InternalHelpers, slicer: Slicer) {
  const rootGroups = addGroup(element, 'root');
  const groups = {
    rootGroups,
    clusters: addGroup(rootGroups, 'clusters'),
    edgePaths: addGroup(rootGroups, 'edgePaths'),
    edgeLabels: addGroup(rootGroups, 'edgeLabels'),
    nodes: addGroup(rootGroups, 'nodes'),
  };
  const config = helpers.getConfig();
  // Spacing as Mermaid's dagre layout reads it: a top-level override, the diagram's, the flowchart's.
  const spacing = data.config as { nodeSpacing?: number; rankSpacing?: number } | undefined;
  const graph = new Graph({ multigraph: true, compound: true })
    .setGraph({
      rankdir: data.direction,
      nodesep: spacing?.nodeSpacing || data.nodeSpacing || data.config?.flowchart?.nodeSpacing,
      ranksep: spacing?.rankSpacing || data.rankSpacing || data.config?.flowchart?.rankSpacing,
      marginx: 8,
      marginy: 8,
      ...(pendingAlign ? { align: pendingAlign } : {}),
    })
    .setDefaultEdgeLabel(() => ({}));
  const nodeElements = new Map<string, unknown>();
  // Nodes are inserted a chunk at a time, concurrently as Mermaid's own layout inserts them all: each
  // HTML label measures itself through Mermaid's fastdom, which batches the measures of a chunk into
  // one layout on the next frame (one at a time, every node waited for a frame and a layout of its own).
  for (let from = 0; from < data.nodes.length; from += INSERT_CHUNK) {
    const chunk = data.nodes.slice(from, from + INSERT_CHUNK);
    const elements = await Promise.all(chunk.map((node) => helpers.insertNode(groups.nodes as never, node as never, { config, dir: node.dir })));
    chunk.forEach((node, i) => {
      const box = elements[i].node()?.getBBox() ?? { width: 0, height: 0 };
      node.width = box.width;
      node.height = box.height;
      nodeElements.set(node.id, elements[i]);
      graph.setNode(node.id, { ...node });
    });
    await slicer.maybeYield();
  }
  for (let from = 0; from < data.edges.length; from += INSERT_CHUNK) {
    const chunk = data.edges.slice(from, from + INSERT_CHUNK);
    // Sets each label's size on its edge, which the layout makes room for.
    await Promise.all(chunk.map((edge) => helpers.insertEdgeLabel(groups.edgeLabels, edge)));
    for (const edge of chunk) graph.setEdge(edge.start as string, edge.end as string, { ...edge }, edge.id);
    await slicer.maybeYield();
  }
  return { graph, groups, nodeElements } as unknown as PaintContext['measure'];
}

/** Copies the layout's positions onto Mermaid's nodes and edges, as its dagre layout does. */
function applyLayout(data: LayoutData, graph: Graph): void {
  for (const node of data.nodes) {
    const placed = graph.node(node.id) as { x: number; y: number; width: number; height: number };
    node.x = placed.x;
    node.y = placed.y;
  }
  for (const edge of data.edges) {
    const placed = graph.edge(edge.start as string, edge.end as string, edge.id) as { points: Array<{ x: number; y: number }>; x?: number; y?: number };
    edge.points = placed.points;
    if (placed.x !== undefined) edge.x = placed.x;
    if (placed.y !== undefined) edge.y = placed.y;
  }
}

/** Edges drawn between checks of the slice clock (each is a path, arrowheads and label placement). */
const EDGES_PER_CHECK = 8;

/** Places every node, then draws the edges a few at a time (paintLayoutData limited to them). */
async function paint(data: LayoutData, context: PaintContext, slicer: Slicer): Promise<void> {
  await paintLayoutData(data, context, { skipEdge: () => true });
  for (let from = 0; from < data.edges.length; from += EDGES_PER_CHECK) {
    const batch = new Set(data.edges.slice(from, from + EDGES_PER_CHECK));
    await paintLayoutData(data, context, { getNodes: () => [], skipEdge: (edge) => !batch.has(edge) });
    await slicer.maybeYield();
  }
}

async function render(data: LayoutData, svg: SVG, helpers: InternalHelpers): Promise<void> {
  if (data.nodes.some((node) => node.isGroup) || data.edges.some((edge) => edge.start === edge.end)) {
    throw new Error('the sliced layout does not draw subgraphs or self-loops');
  }
  const slicer = new Slicer();
  // Mermaid parsed the source and prepared its data in the task that called render: end that task here.
  await slicer.maybeYield(true);
  svg.attr('data-layout', SLICED_LAYOUT);
  const element = svg.select('g') as unknown as Group;
  helpers.insertMarkers(element, data.markers, data.type, data.diagramId);
  clearLayoutRenderState();
  const measured = await measure(data, element, helpers, slicer);
  await slicer.maybeYield(true);
  dagreLayout(measured.graph, {});
  applyLayout(data, measured.graph as Graph);
  await slicer.maybeYield(true);
  await paint(data, { element, helpers, measure: measured } as unknown as PaintContext, slicer);
}

const loader: LayoutLoaderDefinition = { name: SLICED_LAYOUT, loader: async () => ({ render }) };
let registered = false;

/** Makes the layout known to Mermaid (once); diagrams choose it with slicedSource. */
export function registerSlicedLayout(): void {
  if (registered) return;
  mermaid.registerLayoutLoaders([loader]);
  registered = true;
}

/**
 * How dagre lines nodes up, for the next diagram drawn with the sliced layout: `UL` puts each node
 * straight below (or beside) its first parent where it can, so a chain (a focused path) stays
 * straight; undefined: dagre's balanced placement, as Mermaid's own layout does.
 */
export type Align = 'UL' | 'UR' | 'DL' | 'DR';

export interface SlicedOptions {
  align?: Align;
  /** Mermaid's flowchart rankSpacing for this diagram (default: as configured). */
  rankSpacing?: number;
}

/** Mermaid's layout-loader API passes no options of ours, so slicedSource leaves the alignment here. */
let pendingAlign: Align | undefined;

/** The Mermaid source with front matter choosing the sliced layout (and these options) for this one diagram. */
export function slicedSource(source: string, options: SlicedOptions = {}): string {
  const spacing = options.rankSpacing === undefined ? '' : `\n  flowchart:\n    rankSpacing: ${Math.round(options.rankSpacing)}`;
  pendingAlign = options.align;
  return `---\nconfig:\n  layout: ${SLICED_LAYOUT}${spacing}\n---\n${source}`;
}
