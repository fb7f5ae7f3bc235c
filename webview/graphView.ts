// Draws the run's graph with Mermaid, inside a pan-and-zoom viewport (panZoom.ts). What is drawn comes
// from the engine's pure functions, the same ones the CLI's --mermaid uses: in Focus, focusGraph (the
// path from the question to the answer or the current best state, its frontier, "+N more" summaries);
// otherwise collapsePruned, which draws the pruned children of each parent as one summary node (click
// one to expand it; "Show pruned" draws everything). renderMermaid writes the source, top-down or
// left-to-right as chooseDirection finds fits the viewport (or as the orientation setting says).
// Graphs without lanes are laid out by the sliced layout (slicedLayout.ts), which hands the browser
// frames and messages between slices of work, so the panel stays responsive while a large graph is
// redrawn; graphs with lanes use Mermaid's dagre layout, which does it all in one task.
// Updates are coalesced: at most one render runs at a time; the next one starts DEBOUNCE_MS after the
// update, and after a render slower than FAST_RENDER_MS it waits the excess too, so a graph that takes
// long to draw is redrawn less often while a new node of a graph that draws fast appears at once.
// Updates that arrive during a render are drawn by the next one: the latest state is always drawn. A
// render whose Mermaid source would not change is skipped.
import mermaid from 'mermaid';
import type { GraphSnapshot } from '../src/core/graph/types';
import { collapsePruned, type DisplayGraph } from '../src/core/render/collapse';
import { focusGraph, type FocusInfo } from '../src/core/render/focus';
import { renderMermaid, type GraphDirection } from '../src/core/render/mermaid';
import { chooseDirection, LABEL_FONT_PX, type OrientationSetting } from '../src/core/render/orientation';
import { bindNodes, keyOf, markMatches } from './drawnNodes';
import { GraphKeyboard } from './graphKeyboard';
import { configureMermaid, safeSvg, vscodeTheme, type MermaidTheme } from './mermaidSetup';
import { isActive, NO_FILTER, type FilterCriteria } from './nodeFilter';
import { GraphViewport, labelPx } from './panZoom';
import { slicedSource, usesSlicedLayout, yieldToBrowser } from './slicedLayout';

const DEBOUNCE_MS = 25;
/** A render slower than this makes the next one wait the difference (drawing takes at most about half the panel's time). */
const FAST_RENDER_MS = 250;
/** Labels at least this large (px on screen) count as readable: Focus places its view so. */
export const READABLE_LABEL_PX = 11;
/** Below this, Fit says that the whole graph cannot be read at the size that fits it. */
export const LEGIBLE_LABEL_PX = 9;
/** Focus draws its ranks closer together: a path is tall, and a narrow panel is not. */
const FOCUS_RANK_SPACING = 30;

/** What the last draw showed, for the toolbar. */
export interface DrawnInfo {
  /** Whether "Show pruned" has something to show or to collapse again. */
  collapsible: boolean;
  focus: FocusInfo | undefined;
  direction: GraphDirection;
  /** Nodes of the graph drawn as themselves (summaries not counted). */
  drawn: number;
  total: number;
}

/** How the view is placed after a redraw: automatically (readable), fitted whole, or where the person left it. */
type Placement = 'auto' | 'fit' | 'user';

export interface GraphViewCallbacks {
  onSelect: (nodeId: string) => void;
  onDrawn?: (info: DrawnInfo) => void;
  /** After every change of the view: the scale, and why Fit cannot make the labels legible (if so). */
  onView?: (scale: number, note: string | undefined) => void;
}

export class GraphView {
  private latest: GraphSnapshot | undefined;
  private target: string | undefined;
  private drawnSource = '';
  private theme: MermaidTheme | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rendering = false;
  private again = false;
  private renders = 0;
  private inspected: string | undefined;
  readonly viewport: GraphViewport;
  private placement: Placement = 'auto';
  private fitNote: string | undefined;
  /** node id -> rendered element, rebuilt after each render. */
  private elements = new Map<string, Element>();
  private showPruned = false;
  private focus = false;
  private orientation: OrientationSetting = 'auto';
  private direction: GraphDirection = 'TD';
  /** Parents whose pruned children the user expanded (by clicking their summary). */
  private expanded = new Set<string>();
  /** Nodes whose hidden children Focus draws (summaries the user clicked). */
  private focusExpanded = new Set<string>();
  private filter: FilterCriteria = NO_FILTER;
  /** The drawn graph (summaries included) and what each summary stands for. */
  private drawnGraph: DisplayGraph | undefined;
  private focusInfo: FocusInfo | undefined;
  private readonly keyboard: GraphKeyboard;
  private lastRenderMs = 0;
  private lastRenderEnd = -Infinity;
  /** Whether to draw with the sliced layout; turned off if it ever fails where dagre does not. */
  private slicing = true;
  /**
   * Counts clear()s. A render gives way to messages while it runs, so the run it draws may be gone
   * (a new run started, another restored) by the time it ends; then its drawing is dropped.
   */
  private generation = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly callbacks: GraphViewCallbacks,
  ) {
    host.classList.add('graph');
    this.viewport = new GraphViewport(host);
    const element = this.viewport.element;
    element.tabIndex = 0;
    element.setAttribute('role', 'group');
    element.setAttribute('aria-label', 'Thought graph. Arrow keys move between nodes, Enter opens a node, + and − zoom, 0 fits the graph.');
    element.addEventListener('click', (event) => this.pick(event.target));
    this.keyboard = new GraphKeyboard(host, this.viewport, {
      drawn: () => this.drawnGraph,
      direction: () => this.direction,
      zoomIn: () => this.zoomIn(),
      zoomOut: () => this.zoomOut(),
      fit: () => this.fit(),
      pick: (el) => this.pick(el),
      moved: () => {
        this.placement = 'user';
        this.reportView();
      },
    });
    element.addEventListener('keydown', (event) => this.keyboard.onKey(event));
    element.addEventListener('focusin', (event) => {
      const key = event.target instanceof Element ? keyOf(event.target) : undefined;
      if (key) this.keyboard.focusedKey = key;
    });
    this.viewport.onChange(() => this.reportView());
    new ResizeObserver(() => {
      if (this.placement !== 'user') this.place();
    }).observe(element);
    new MutationObserver(() => {
      if (vscodeTheme() !== this.theme) {
        this.drawnSource = '';
        this.schedule();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** Show this graph (drawn on the next frame, together with any further updates). `target`: the answer node. */
  show(graph: GraphSnapshot, target?: string): void {
    this.latest = graph;
    this.target = target;
    this.schedule();
  }

  clear(): void {
    this.generation++;
    this.latest = undefined;
    this.target = undefined;
    this.drawnSource = '';
    this.expanded.clear();
    this.focusExpanded.clear();
    this.keyboard.focusedKey = undefined;
    this.drawnGraph = undefined;
    this.placement = 'auto';
    this.viewport.resetUserMoved();
    this.callbacks.onDrawn?.({ collapsible: false, focus: undefined, direction: this.direction, drawn: 0, total: 0 });
    this.elements.clear();
    this.viewport.clear();
    this.host.dataset.nodes = '0';
  }

  /** Highlight the node shown in the inspector. */
  markInspected(nodeId: string | undefined): void {
    this.inspected = nodeId;
    for (const [id, el] of this.elements) el.classList.toggle('inspected', id === nodeId);
  }

  /** Draw every pruned node (true) or collapse them (false, the default). */
  setShowPruned(show: boolean): void {
    this.showPruned = show;
    this.expanded.clear();
    this.schedule();
  }

  get isShowingPruned(): boolean {
    return this.showPruned;
  }

  /** Focus (the path and its frontier) or the whole graph. The view is placed afresh. */
  setFocus(focus: boolean): void {
    if (focus === this.focus) return;
    this.focus = focus;
    this.focusExpanded.clear();
    this.replaceView();
  }

  get isFocus(): boolean {
    return this.focus;
  }

  setOrientation(setting: OrientationSetting): void {
    if (setting === this.orientation) return;
    this.orientation = setting;
    this.replaceView();
  }

  /** Highlight nodes matching the filter and dim the rest; returns how many nodes of the graph match. */
  setFilter(criteria: FilterCriteria): number {
    this.filter = criteria;
    this.applyFilter();
    return Number(this.host.dataset.matches ?? 0);
  }

  zoomIn(): void {
    this.placement = 'user';
    this.viewport.zoomIn();
  }

  zoomOut(): void {
    this.placement = 'user';
    this.viewport.zoomOut();
  }

  /** Fit the whole drawing; it stays fitted through redraws until the person pans or zooms. */
  fit(): void {
    this.placement = 'fit';
    this.viewport.resetUserMoved();
    this.place();
  }

  private replaceView(): void {
    this.placement = 'auto';
    this.viewport.resetUserMoved();
    this.schedule();
  }

  private schedule(): void {
    this.host.dataset.pending = 'true';
    if (this.rendering) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    const pause = Math.max(0, this.lastRenderMs - FAST_RENDER_MS);
    const wait = Math.max(DEBOUNCE_MS, this.lastRenderEnd + pause - performance.now());
    this.timer = setTimeout(() => {
      requestAnimationFrame(() => {
        this.timer = undefined;
        void this.draw();
      });
    }, wait);
  }

  /** What to draw: the focused part or the whole graph (pruned subtrees collapsed unless shown). */
  private display(graph: GraphSnapshot): DisplayGraph & { focus?: FocusInfo } {
    if (this.focus) return focusGraph(graph, { target: this.target, expanded: this.focusExpanded });
    return collapsePruned(graph, { mode: this.showPruned ? 'never' : 'always', expanded: this.expanded });
  }

  private async draw(): Promise<void> {
    if (this.rendering) {
      this.again = true;
      return;
    }
    const graph = this.latest;
    const theme = vscodeTheme();
    const view = graph ? this.display(graph) : undefined;
    const direction = view ? chooseDirection(view, this.viewport.size(), this.orientation) : this.direction;
    const source = view ? renderMermaid(view, { direction }) : '';
    if (!graph || !view || (source === this.drawnSource && theme === this.theme)) {
      // The drawing already shows this graph (what changed is not drawn, e.g. a hidden node's prompt).
      if (graph && view) this.host.dataset.graphNodes = String(graph.nodes.length);
      this.host.dataset.pending = 'false';
      return;
    }
    if (theme !== this.theme) {
      configureMermaid(theme);
      this.theme = theme;
    }
    this.rendering = true;
    this.host.dataset.state = 'rendering';
    const started = performance.now();
    const generation = this.generation;
    try {
      // Focus keeps its path straight (each node under its parent) and its ranks close.
      const sliced = this.focus ? slicedSource(source, { align: 'UL', rankSpacing: FOCUS_RANK_SPACING }) : slicedSource(source);
      const svg = await this.renderSvg(source, sliced, usesSlicedLayout(view));
      // Sanitizing and adopting the SVG is a task of its own, not the tail of the render's last one.
      await yieldToBrowser();
      if (generation !== this.generation) return;
      const element = safeSvg(svg);
      if (!element) throw new Error('Mermaid returned no SVG');
      this.bindNodes(element, view, graph);
      const anchor = this.viewport.replace(element, keyOf);
      if (anchor) this.host.dataset.anchor = anchor;
      else delete this.host.dataset.anchor;
      if (this.viewport.userMoved) this.placement = 'user';
      this.drawnSource = source;
      this.drawnGraph = view;
      this.focusInfo = view.focus;
      this.direction = direction;
      this.host.dataset.direction = direction;
      this.host.dataset.mode = this.focus ? 'focus' : 'whole';
      this.host.dataset.graphNodes = String(graph.nodes.length);
      this.host.dataset.collapsed = String(view.focus ? 0 : (view.pruned?.length ?? 0));
      this.applyFilter();
      this.place();
      this.keyboard.restoreFocus();
      this.callbacks.onDrawn?.({
        collapsible: !view.focus && (this.showPruned || (view.pruned?.length ?? 0) > 0 || this.expanded.size > 0),
        focus: view.focus,
        direction,
        drawn: view.nodes.length - (view.pruned?.length ?? 0),
        total: graph.nodes.length,
      });
    } catch (err) {
      if (generation !== this.generation) return;
      const message = document.createElement('p');
      message.className = 'graph-error';
      message.textContent = `Could not draw the graph: ${err instanceof Error ? err.message : String(err)}`;
      this.viewport.canvas.replaceChildren(message);
      this.drawnSource = '';
    } finally {
      this.rendering = false;
      this.lastRenderEnd = performance.now();
      this.lastRenderMs = this.lastRenderEnd - started;
      this.host.dataset.lastRender = `${started.toFixed(1)},${this.lastRenderEnd.toFixed(1)}`;
      this.host.dataset.state = 'idle';
      this.host.dataset.renders = String(this.renders);
      if (this.again) {
        this.again = false;
        this.schedule();
      } else if (this.timer === undefined) {
        this.host.dataset.pending = 'false';
      }
    }
  }

  /**
   * Mermaid's SVG for the source: with the sliced layout when the graph allows it, else Mermaid's
   * dagre. Should the sliced layout fail where dagre succeeds (a Mermaid upgrade changed what it relies
   * on), the panel stays on dagre from then on rather than failing every draw.
   */
  private async renderSvg(source: string, sliced: string, sliceable: boolean): Promise<string> {
    const id = `thoughtscope-graph-${++this.renders}`;
    if (!sliceable || !this.slicing) return (await mermaid.render(id, source)).svg;
    try {
      return (await mermaid.render(id, sliced)).svg;
    } catch (slicedError) {
      const { svg } = await mermaid.render(`${id}-dagre`, source);
      this.slicing = false;
      console.warn(`Thoughtscope: sliced layout failed, using Mermaid's dagre layout: ${slicedError instanceof Error ? slicedError.message : String(slicedError)}`);
      return svg;
    }
  }

  /**
   * Place the view unless the person has: fitted whole (Fit), or automatically. In Focus the
   * automatic view is the whole drawing if it fits with readable labels, else the path if that does,
   * else the path's end (where a live run works) at a readable size. The whole graph is fitted.
   */
  private place(): void {
    if (!this.viewport.svg()) return;
    if (this.placement === 'user') return this.reportView();
    let note: string | undefined;
    if (this.placement === 'auto' && this.focus && this.focusInfo) {
      this.placeFocus(this.focusInfo);
    } else {
      const scale = this.viewport.fitAll();
      if (labelPx(scale) < LEGIBLE_LABEL_PX) {
        note = `The whole graph fits only with ${labelPx(scale).toFixed(1)} px labels (too small to read): zoom in, or use Focus.`;
      }
    }
    this.fitNote = note;
    this.reportView();
  }

  /**
   * Focus's automatic view: the whole focused drawing if it fits with readable labels; else the path
   * with its frontier (the drawn nodes off the path that are not summaries: what a live run works on)
   * if that fits; else, at a readable size, the path's end and its frontier from their top-left corner.
   */
  private placeFocus(focus: FocusInfo): void {
    const readable = READABLE_LABEL_PX / LABEL_FONT_PX;
    const svg = this.viewport.svg() as SVGSVGElement;
    const area = this.viewport.size();
    const fits = (r: { width: number; height: number }) => Math.min(1, area.width / r.width, area.height / r.height);
    const whole = this.viewport.regionOf([svg]);
    if (whole && fits(whole) >= readable) return this.viewport.show(whole, fits(whole));
    const onPath = new Set(focus.path);
    const frontier = Array.from(this.elements).filter(([id]) => !onPath.has(id)).map(([, el]) => el);
    const pathElements = focus.path.map((id) => this.elements.get(id)).filter((el): el is Element => !!el);
    const withFrontier = this.viewport.regionOf([...pathElements, ...frontier]);
    if (withFrontier && fits(withFrontier) >= readable) return this.viewport.show(withFrontier, fits(withFrontier));
    const end = focus.target ? this.elements.get(focus.target) : undefined;
    const region = this.viewport.regionOf(end ? [end, ...frontier] : pathElements) ?? whole;
    if (region) this.viewport.show(region, readable);
  }

  private reportView(): void {
    const scale = this.viewport.scale;
    this.host.dataset.scale = scale.toFixed(3);
    this.host.dataset.labelPx = labelPx(scale).toFixed(1);
    this.host.dataset.placement = this.placement;
    this.callbacks.onView?.(scale, this.placement === 'fit' || !this.focus ? this.fitNote : undefined);
  }

  private bindNodes(svg: SVGSVGElement, graph: DisplayGraph, full: GraphSnapshot): void {
    this.elements = bindNodes(svg, graph, full, this.inspected);
    this.host.dataset.nodes = String(svg.querySelectorAll('g.node[data-key]').length);
  }

  /** Matches highlighted, the rest dimmed (a summary hiding a match counts as one). */
  private applyFilter(): void {
    const count = markMatches(this.host, this.latest, this.drawnGraph, this.filter);
    this.host.classList.toggle('filtering', isActive(this.filter));
    this.host.dataset.matches = String(count);
  }

  private pick(target: EventTarget | null): void {
    const el = target instanceof Element ? target.closest('[data-node-id], [data-pruned-parent], [data-more-parent]') : null;
    const pruned = el?.getAttribute('data-pruned-parent');
    const more = el?.getAttribute('data-more-parent');
    if (pruned || more) {
      if (pruned) this.expanded.add(pruned);
      else this.focusExpanded.add(more as string);
      // Keyboard focus goes to the parent, whose children are now drawn.
      this.keyboard.focusedKey = pruned ?? (more as string);
      this.schedule();
      return;
    }
    const id = el?.getAttribute('data-node-id');
    if (id) {
      this.keyboard.focusedKey = id;
      this.callbacks.onSelect(id);
    }
  }
}
