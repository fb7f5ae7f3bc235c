// Draws the run's graph with Mermaid. The source comes from the engine's renderMermaid, the same text
// the CLI writes with --mermaid. Updates are coalesced: however many events arrive, at most one render
// runs at a time and the next one starts after a short debounce and an animation frame.
import mermaid from 'mermaid';
import type { GraphSnapshot } from '../src/core/graph/types';
import { mermaidIds, renderMermaid } from '../src/core/render/mermaid';

const DEBOUNCE_MS = 60;
/** In "fit" mode a wide graph is scaled down to the panel's width, but never below this. */
const MIN_FIT_SCALE = 0.55;

/** Elements that never belong in a rendered diagram; removed even though Mermaid already sanitizes. */
const BLOCKED_TAGS = new Set([
  'script', 'iframe', 'frame', 'object', 'embed', 'img', 'image', 'audio', 'video', 'source', 'picture', 'link',
  'meta', 'base', 'form', 'input', 'button', 'textarea', 'select', 'a', 'animate', 'set', 'animatemotion',
  'animatetransform', 'discard', 'portal',
]);

type MermaidTheme = 'dark' | 'default';

function vscodeTheme(): MermaidTheme {
  const cls = document.body.classList;
  if (cls.contains('vscode-light') || cls.contains('vscode-high-contrast-light')) return 'default';
  return 'dark';
}

function configureMermaid(theme: MermaidTheme): void {
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

  constructor(
    private readonly host: HTMLElement,
    private readonly onSelect: (nodeId: string) => void,
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
    this.latest = undefined;
    this.drawnSource = '';
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

  private schedule(): void {
    this.host.dataset.pending = 'true';
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      requestAnimationFrame(() => void this.draw());
    }, DEBOUNCE_MS);
  }

  private async draw(): Promise<void> {
    if (this.rendering) {
      this.again = true;
      return;
    }
    const graph = this.latest;
    const theme = vscodeTheme();
    const source = graph ? renderMermaid(graph) : '';
    if (!graph || (source === this.drawnSource && theme === this.theme)) {
      this.host.dataset.pending = 'false';
      return;
    }
    if (theme !== this.theme) {
      configureMermaid(theme);
      this.theme = theme;
    }
    this.rendering = true;
    this.host.dataset.state = 'rendering';
    try {
      const { svg } = await mermaid.render(`thoughtscope-graph-${++this.renders}`, source);
      const element = safeSvg(svg);
      if (!element) throw new Error('Mermaid returned no SVG');
      this.host.replaceChildren(element);
      this.applyFit();
      this.drawnSource = source;
      this.bindNodes(element, graph);
    } catch (err) {
      const message = document.createElement('p');
      message.className = 'graph-error';
      message.textContent = `Could not draw the graph: ${err instanceof Error ? err.message : String(err)}`;
      this.host.replaceChildren(message);
      this.drawnSource = '';
    } finally {
      this.rendering = false;
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

  /** Size the drawing: natural size, or scaled down (within limits) to the panel's width. */
  private applyFit(): void {
    const svg = this.host.querySelector('svg');
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

  /** Tag each drawn node with its graph id and make it focusable. */
  private bindNodes(svg: SVGSVGElement, graph: GraphSnapshot): void {
    const byMermaidId = new Map<string, string>();
    for (const [nodeId, mermaidId] of mermaidIds(graph)) byMermaidId.set(mermaidId, nodeId);
    this.elements.clear();
    for (const el of Array.from(svg.querySelectorAll('g.node'))) {
      const mermaidId = el.getAttribute('data-id') ?? /-flowchart-(.+)-\d+$/.exec(el.id)?.[1];
      const nodeId = mermaidId ? byMermaidId.get(mermaidId) : undefined;
      if (!nodeId) continue;
      el.setAttribute('data-node-id', nodeId);
      el.setAttribute('tabindex', '0');
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', `Inspect node ${nodeId}`);
      el.classList.toggle('inspected', nodeId === this.inspected);
      this.elements.set(nodeId, el);
    }
    this.host.dataset.nodes = String(this.elements.size);
  }

  private pick(target: EventTarget | null): void {
    const el = target instanceof Element ? target.closest('[data-node-id]') : null;
    const id = el?.getAttribute('data-node-id');
    if (id) this.onSelect(id);
  }
}
