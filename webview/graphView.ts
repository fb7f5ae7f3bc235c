// Draws the run's graph with Mermaid. The source comes from the engine's collapsePruned and
// renderMermaid, the same text the CLI writes with --mermaid. Above 150 nodes pruned siblings are drawn
// as one summary node per parent; clicking a summary expands it, "Show pruned" draws them all.
// Graphs without lanes are laid out by the sliced layout (slicedLayout.ts), which hands the browser
// frames and messages between slices of work, so the panel stays responsive while a large graph is
// redrawn; graphs with lanes use Mermaid's dagre layout, which does it all in one task.
// Updates are coalesced: at most one render runs at a time, and the next one starts no sooner than the
// last render's duration after it ended (at least DEBOUNCE_MS after the update), on an animation frame,
// so during a live run a graph that takes long to draw is redrawn less often and drawing takes at most
// about half the panel's time. Updates that arrive during a render are drawn by the next one: the
// latest state is always drawn. A render whose Mermaid source would not change is skipped.
import mermaid from 'mermaid';
import type { GraphSnapshot } from '../src/core/graph/types';
import { collapsePruned, shouldCollapse, type PrunedGroup } from '../src/core/render/collapse';
import { mermaidIds, renderMermaid } from '../src/core/render/mermaid';
import { registerSlicedLayout, slicedSource, usesSlicedLayout, yieldToBrowser } from './slicedLayout';

const DEBOUNCE_MS = 60;
/** The pause after a render, as a multiple of how long that render took. */
const PAUSE_PER_RENDER = 1;
/** In "fit" mode a wide graph is scaled down to the panel's width, but never below this. */
const MIN_FIT_SCALE = 0.55;

/** Elements that never belong in a rendered diagram; removed even though Mermaid already sanitizes. */
const BLOCKED_TAGS = new Set([
  'script', 'iframe', 'frame', 'object', 'embed', 'img', 'image', 'audio', 'video', 'source', 'picture', 'link',
  'meta', 'base', 'form', 'input', 'button', 'textarea', 'select', 'a', 'animate', 'set', 'animatemotion',
  'animatetransform', 'discard', 'portal',
]);

export type MermaidTheme = 'dark' | 'default';

function vscodeTheme(): MermaidTheme {
  const cls = document.body.classList;
  if (cls.contains('vscode-light') || cls.contains('vscode-high-contrast-light')) return 'default';
  return 'dark';
}

/** Mermaid as the panel draws with it; exported for the layout tests. */
export function configureMermaid(theme: MermaidTheme): void {
  registerSlicedLayout();
  const fontFamily = getComputedStyle(document.body).fontFamily || 'sans-serif';
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme,
    // Labels are entity-encoded, which makes the source several times longer than the text it shows;
    // Mermaid's 50 000-character default would refuse a medium-sized tree search, so allow far more.
    maxTextSize: 1_000_000,
    maxEdges: 10_000,
    suppressErrorRendering: true,
    // HTML labels: Mermaid turns our `#NNN;` codes into character references that the HTML parser
    // reads as plain text (SVG-text labels would show the codes literally).
    htmlLabels: true,
    flowchart: { htmlLabels: true, useMaxWidth: false, curve: 'basis', nodeSpacing: 24, rankSpacing: 44, padding: 10, wrappingWidth: 300 },
    themeVariables: { fontFamily, fontSize: '13px' },
  });
}

/** Parse Mermaid's SVG in an inert document, drop anything active, and adopt it into the page. */
function safeSvg(svgText: string): SVGSVGElement | undefined {
  const doc = new DOMParser().parseFromString(svgText, 'text/html');
  const svg = doc.querySelector('svg');
  if (!svg) return undefined;
  for (const el of Array.from(svg.querySelectorAll('*'))) {
    if (BLOCKED_TAGS.has(el.localName.toLowerCase())) {
      el.remove();
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const isLink = name === 'href' || name.endsWith(':href') || name === 'src' || name === 'action' || name === 'formaction';
      if (name.startsWith('on') || (isLink && !attr.value.trim().startsWith('#'))) el.removeAttribute(attr.name);
    }
  }
  return document.adoptNode(svg);
}

export class GraphView {
  private latest: GraphSnapshot | undefined;
  private drawnSource = '';
  private theme: MermaidTheme | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rendering = false;
  private again = false;
  private renders = 0;
  private inspected: string | undefined;
  private fit = true;
  /** node id -> rendered element, rebuilt after each render. */
  private elements = new Map<string, Element>();
  private showPruned = false;
  /** Parents whose pruned children the user expanded (by clicking their summary). */
  private expanded = new Set<string>();
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
    private readonly onSelect: (nodeId: string) => void,
    /** After each draw: whether the graph is large enough for pruned nodes to be collapsed. */
    private readonly onDrawn: (collapsible: boolean) => void = () => {},
  ) {
    host.classList.add('graph');
    host.addEventListener('click', (event) => this.pick(event.target));
    host.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.pick(event.target);
      }
    });
    new ResizeObserver(() => this.applyFit()).observe(host);
    new MutationObserver(() => {
      if (vscodeTheme() !== this.theme) {
        this.drawnSource = '';
        this.schedule();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** Show this graph (drawn on the next frame, together with any further updates). */
  show(graph: GraphSnapshot): void {
    this.latest = graph;
    this.schedule();
  }

  clear(): void {
    this.generation++;
    this.latest = undefined;
    this.drawnSource = '';
    this.expanded.clear();
    this.onDrawn(false);
    this.elements.clear();
    this.host.replaceChildren();
    this.host.dataset.nodes = '0';
  }

  /** Highlight the node shown in the inspector. */
  markInspected(nodeId: string | undefined): void {
    this.inspected = nodeId;
    for (const [id, el] of this.elements) el.classList.toggle('inspected', id === nodeId);
  }

  setFit(fit: boolean): void {
    this.fit = fit;
    this.applyFit();
  }

  get isFit(): boolean {
    return this.fit;
  }

  /** Draw every pruned node (true) or collapse them above the threshold (false, the default). */
  setShowPruned(show: boolean): void {
    this.showPruned = show;
    this.expanded.clear();
    this.schedule();
  }

  get isShowingPruned(): boolean {
    return this.showPruned;
  }

  private schedule(): void {
    this.host.dataset.pending = 'true';
    if (this.rendering) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    const wait = Math.max(DEBOUNCE_MS, this.lastRenderEnd + PAUSE_PER_RENDER * this.lastRenderMs - performance.now());
    this.timer = setTimeout(() => {
      requestAnimationFrame(() => {
        this.timer = undefined;
        void this.draw();
      });
    }, wait);
  }

  private async draw(): Promise<void> {
    if (this.rendering) {
      this.again = true;
      return;
    }
    const graph = this.latest;
    const theme = vscodeTheme();
    const view = graph ? collapsePruned(graph, { mode: this.showPruned ? 'never' : 'auto', expanded: this.expanded }) : undefined;
    const source = view ? renderMermaid(view) : '';
    if (!graph || !view || (source === this.drawnSource && theme === this.theme)) {
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
      const svg = await this.renderSvg(source, usesSlicedLayout(view));
      // Sanitizing and adopting the SVG is a task of its own, not the tail of the render's last one.
      await yieldToBrowser();
      if (generation !== this.generation) return;
      const element = safeSvg(svg);
      if (!element) throw new Error('Mermaid returned no SVG');
      // Sized before it is attached, so attaching it does not force a synchronous layout.
      this.applyFit(element);
      this.host.replaceChildren(element);
      this.drawnSource = source;
      this.bindNodes(element, view);
      this.host.dataset.graphNodes = String(graph.nodes.length);
      this.host.dataset.collapsed = String(view.pruned?.length ?? 0);
      this.onDrawn(shouldCollapse(graph));
    } catch (err) {
      if (generation !== this.generation) return;
      const message = document.createElement('p');
      message.className = 'graph-error';
      message.textContent = `Could not draw the graph: ${err instanceof Error ? err.message : String(err)}`;
      this.host.replaceChildren(message);
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
  private async renderSvg(source: string, sliceable: boolean): Promise<string> {
    const id = `thoughtscope-graph-${++this.renders}`;
    if (!sliceable || !this.slicing) return (await mermaid.render(id, source)).svg;
    try {
      return (await mermaid.render(id, slicedSource(source))).svg;
    } catch (slicedError) {
      const { svg } = await mermaid.render(`${id}-dagre`, source);
      this.slicing = false;
      console.warn(`Thoughtscope: sliced layout failed, using Mermaid's dagre layout: ${slicedError instanceof Error ? slicedError.message : String(slicedError)}`);
      return svg;
    }
  }

  /** Size the drawing: natural size, or scaled down (within limits) to the panel's width. */
  private applyFit(drawing?: SVGSVGElement): void {
    const svg = drawing ?? this.host.querySelector('svg');
    if (!svg) return;
    const box = svg.viewBox.baseVal;
    if (!box || box.width <= 0 || box.height <= 0) return;
    const style = getComputedStyle(this.host);
    const available = this.host.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const scale = this.fit && available > 0 ? Math.min(1, Math.max(MIN_FIT_SCALE, available / box.width)) : 1;
    svg.style.maxWidth = 'none';
    svg.style.width = `${box.width * scale}px`;
    svg.style.height = `${box.height * scale}px`;
  }

  /** Tag each drawn node with its graph id (a summary with its parent's) and make it focusable. */
  private bindNodes(svg: SVGSVGElement, graph: GraphSnapshot & { pruned?: readonly PrunedGroup[] }): void {
    const byMermaidId = new Map<string, string>();
    for (const [nodeId, mermaidId] of mermaidIds(graph)) byMermaidId.set(mermaidId, nodeId);
    const summaries = new Map((graph.pruned ?? []).map((group) => [group.id, group]));
    this.elements.clear();
    let drawn = 0;
    for (const el of Array.from(svg.querySelectorAll('g.node'))) {
      const mermaidId = el.getAttribute('data-id') ?? /-flowchart-(.+)-\d+$/.exec(el.id)?.[1];
      const nodeId = mermaidId ? byMermaidId.get(mermaidId) : undefined;
      if (!nodeId) continue;
      drawn++;
      const summary = summaries.get(nodeId);
      if (summary) {
        el.setAttribute('data-pruned-parent', summary.parentId);
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'button');
        el.setAttribute('aria-label', `Show ${summary.pruned} pruned nodes`);
        el.classList.add('pruned-summary');
        continue;
      }
      el.setAttribute('data-node-id', nodeId);
      el.setAttribute('tabindex', '0');
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', `Inspect node ${nodeId}`);
      el.classList.toggle('inspected', nodeId === this.inspected);
      this.elements.set(nodeId, el);
    }
    this.host.dataset.nodes = String(drawn);
  }

  private pick(target: EventTarget | null): void {
    const el = target instanceof Element ? target.closest('[data-node-id], [data-pruned-parent]') : null;
    const parent = el?.getAttribute('data-pruned-parent');
    if (parent) {
      this.expanded.add(parent);
      this.schedule();
      return;
    }
    const id = el?.getAttribute('data-node-id');
    if (id) this.onSelect(id);
  }
}
