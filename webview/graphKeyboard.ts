// The keyboard in the graph: + and − zoom, 0 fits; from a node, the arrow keys move along the drawn
// edges (graphKeys.ts) and Enter or Space opens it (or unfolds a summary); from the viewport itself,
// the arrow keys pan and Home goes to the first node. One node is in the tab order at a time, and the
// focused node keeps focus across redraws.
import type { DisplayGraph } from '../src/core/render/collapse';
import type { GraphDirection } from '../src/core/render/mermaid';
import { cssEscape, keyFor } from './drawnNodes';
import { moveFor, neighbour } from './graphKeys';
import type { GraphViewport } from './panZoom';

/** What the keyboard acts on, from the graph view. */
export interface KeyboardTarget {
  drawn(): DisplayGraph | undefined;
  direction(): GraphDirection;
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  /** A node (or summary) chosen with Enter. */
  pick(el: Element): void;
  /** The person moved the view (a pan, or a focused node scrolled into view). */
  moved(): void;
}

/** Keys pan the view by this many pixels. */
const PAN_PX = 40;

export class GraphKeyboard {
  /** The key (node id or summary key) of the node with keyboard focus, kept across redraws. */
  focusedKey: string | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly viewport: GraphViewport,
    private readonly target: KeyboardTarget,
  ) {}

  onKey(event: KeyboardEvent): void {
    const node = event.target instanceof Element ? event.target.closest('g.node[data-key]') : null;
    if (event.key === '+' || event.key === '=') this.target.zoomIn();
    else if (event.key === '-' || event.key === '_') this.target.zoomOut();
    else if (event.key === '0') this.target.fit();
    else if ((event.key === 'Enter' || event.key === ' ') && node) this.target.pick(node);
    else if (!this.move(node, event.key)) return;
    event.preventDefault();
  }

  /**
   * After a redraw, give keyboard focus back to the node that had it, if the panel has focus (the
   * focused node was replaced, so focus fell to the body). Never takes focus from the workbench.
   */
  restoreFocus(): void {
    const el = this.element(this.focusedKey);
    if (!el) return;
    this.rove(el);
    const ours = this.host.contains(document.activeElement) || document.activeElement === document.body;
    if (ours && document.hasFocus()) el.focus({ preventScroll: true });
  }

  /** Arrow keys: from a node along the drawn edges; from the viewport itself, pan. */
  private move(node: Element | null, key: string): boolean {
    const graph = this.target.drawn();
    if (!node || !graph) {
      const pans: Record<string, [number, number]> = { ArrowLeft: [PAN_PX, 0], ArrowRight: [-PAN_PX, 0], ArrowUp: [0, PAN_PX], ArrowDown: [0, -PAN_PX] };
      const pan = pans[key];
      if (pan) {
        this.target.moved();
        this.viewport.panBy(...pan);
        return true;
      }
      return key === 'Home' && this.focus(this.host.querySelector('svg g.node[data-key]')?.getAttribute('data-key') ?? undefined);
    }
    const direction = this.target.direction();
    const move = moveFor(key, direction);
    if (!move) return false;
    const drawn = { nodes: graph.nodes.map((n) => keyFor(n.id, graph)), edges: graph.edges.map((e) => ({ from: keyFor(e.from, graph), to: keyFor(e.to, graph) })) };
    const position = (k: string) => {
      const r = this.element(k)?.getBoundingClientRect();
      return r ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : undefined;
    };
    this.focus(neighbour(drawn, node.getAttribute('data-key') as string, move, direction, position));
    return true;
  }

  private focus(key: string | undefined): boolean {
    const el = this.element(key);
    if (!el) return false;
    this.rove(el);
    this.focusedKey = key;
    el.focus({ preventScroll: true });
    this.target.moved();
    this.viewport.reveal(el);
    return true;
  }

  private element(key: string | undefined): SVGGElement | null {
    return key ? this.host.querySelector<SVGGElement>(`svg g.node[data-key="${cssEscape(key)}"]`) : null;
  }

  /** This node, and no other, in the tab order. */
  private rove(el: Element): void {
    for (const other of Array.from(this.host.querySelectorAll('svg g.node[tabindex="0"]'))) other.setAttribute('tabindex', '-1');
    el.setAttribute('tabindex', '0');
  }
}
