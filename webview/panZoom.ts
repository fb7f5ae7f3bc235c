// The graph's viewport: pan and zoom with @panzoom/panzoom (wheel and pinch zoom, drag to pan) on a
// canvas element that holds the drawing. Mermaid's SVG is replaced on every redraw, but the canvas and
// its CSS transform stay, so a redraw cannot reset the view; what can move is the drawing under it
// (a new node shifts the layout), so `replace` keeps one node, the one nearest the middle of the view,
// where it was on screen. Until the person pans or zooms, the view is placed automatically
// (`placeAuto`): fitted, or at a readable size around the nodes that matter. ARCHITECTURE.md says why
// this library (size, and behaviour while Mermaid redraws).
import Panzoom, { type PanzoomObject } from '@panzoom/panzoom';
import { LABEL_FONT_PX } from '../src/core/render/orientation';

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 4;
/** One +/− step (and one keyboard step) multiplies or divides the scale by this. */
export const ZOOM_STEP = 1.25;
/** A drag that moves less than this is a click. */
const CLICK_SLOP_PX = 4;

interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Where a drawn node was on screen, relative to the viewport, before a redraw. */
interface Anchor {
  key: string;
  x: number;
  y: number;
}

export class GraphViewport {
  readonly element: HTMLElement;
  readonly canvas: HTMLElement;
  private instance: PanzoomObject | undefined;
  /** True once the person has panned or zoomed: redraws then keep the view where it is. */
  private moved = false;
  private downAt: { x: number; y: number } | undefined;
  private dragged = false;
  private readonly changeListeners: Array<() => void> = [];

  constructor(host: HTMLElement) {
    this.element = host.appendChild(document.createElement('div'));
    this.element.className = 'graph-viewport';
    this.canvas = this.element.appendChild(document.createElement('div'));
    this.canvas.className = 'graph-canvas';
    this.element.addEventListener('wheel', (event) => {
      this.moved = true;
      this.panzoom.zoomWithWheel(event);
    }, { passive: false });
    this.element.addEventListener('pointerdown', (event) => {
      this.downAt = { x: event.clientX, y: event.clientY };
      this.dragged = false;
    });
    this.element.addEventListener('pointermove', (event) => {
      if (!this.downAt || (event.buttons & 1) === 0) return;
      if (Math.hypot(event.clientX - this.downAt.x, event.clientY - this.downAt.y) > CLICK_SLOP_PX) {
        this.dragged = true;
        this.moved = true;
      }
    });
    // A click that ends a drag is not a click on a node.
    this.element.addEventListener('click', (event) => {
      if (this.dragged) {
        event.stopPropagation();
        event.preventDefault();
      }
      this.dragged = false;
      this.downAt = undefined;
    }, true);
    this.canvas.addEventListener('panzoomchange', () => this.changed());
  }

  /**
   * Create the pan-zoom once the viewport is in the document (Panzoom requires it). Call it before the
   * first drawing: Panzoom resets the pan on a timer after it is created.
   */
  attach(): void {
    void this.panzoom;
  }

  /** Panzoom, created on first use (attach). */
  private get panzoom(): PanzoomObject {
    this.instance ??= Panzoom(this.canvas, {
      canvas: true,
      minScale: MIN_SCALE,
      maxScale: MAX_SCALE,
      step: 0.25,
      cursor: 'grab',
      // Prevent the browser's own drag, but let the panel see the pointer too (click versus drag).
      handleStartEvent: (event: Event) => event.preventDefault(),
    });
    return this.instance;
  }

  /** Called after every change of the transform (for the zoom readout). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  get scale(): number {
    return this.instance?.getScale() ?? 1;
  }

  /** Whether the person has moved the view since it was last placed automatically. */
  get userMoved(): boolean {
    return this.moved;
  }

  /** Forget the person's moves: the next redraw places the view automatically again. */
  resetUserMoved(): void {
    this.moved = false;
  }

  /** The viewport's size in CSS px. */
  size(): { width: number; height: number } {
    return { width: this.element.clientWidth, height: this.element.clientHeight };
  }

  zoomIn(): void {
    this.zoomBy(ZOOM_STEP);
  }

  zoomOut(): void {
    this.zoomBy(1 / ZOOM_STEP);
  }

  /** Zoom about the middle of the viewport. */
  zoomBy(factor: number): void {
    this.moved = true;
    const box = this.element.getBoundingClientRect();
    const to = clamp(this.scale * factor, MIN_SCALE, MAX_SCALE);
    this.panzoom.zoomToPoint(to, { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 }, { animate: false });
    this.sync();
  }

  /** Pan by screen pixels. */
  panBy(dx: number, dy: number): void {
    this.moved = true;
    this.shift(dx, dy);
  }

  /** Show the whole drawing as large as fits (never above natural size). Returns the scale. */
  fitAll(): number {
    const svg = this.svg();
    if (!svg) return this.scale;
    const natural = naturalSize(svg);
    const area = this.size();
    const scale = clamp(Math.min(1, area.width / natural.width, area.height / natural.height), MIN_SCALE, MAX_SCALE);
    this.show({ left: 0, top: 0, width: natural.width, height: natural.height }, scale);
    return scale;
  }

  /**
   * Place the view on a region of the drawing (in drawing px, as laid out at scale 1) at this scale:
   * the region is centred, or, when it is larger than the viewport, its top-left corner (plus a margin)
   * is in the top-left of the view.
   */
  show(region: Rect, scale: number): void {
    this.panzoom.zoom(clamp(scale, MIN_SCALE, MAX_SCALE), { animate: false, force: true });
    this.sync();
    const s = this.scale;
    const area = this.size();
    const margin = 8;
    const targetLeft = region.width * s <= area.width ? (area.width - region.width * s) / 2 : margin;
    const targetTop = region.height * s <= area.height ? (area.height - region.height * s) / 2 : margin;
    const canvas = this.canvas.getBoundingClientRect();
    const view = this.element.getBoundingClientRect();
    // Where the region's corner is on screen now, and where it should be.
    const nowLeft = canvas.left - view.left + region.left * s;
    const nowTop = canvas.top - view.top + region.top * s;
    this.shift(targetLeft - nowLeft, targetTop - nowTop);
  }

  /** The drawn region (drawing px) covering these elements of the drawing. */
  regionOf(elements: readonly Element[]): Rect | undefined {
    if (elements.length === 0) return undefined;
    const canvas = this.canvas.getBoundingClientRect();
    const s = this.scale;
    let left = Infinity;
    let top = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    for (const el of elements) {
      const r = el.getBoundingClientRect();
      left = Math.min(left, r.left);
      top = Math.min(top, r.top);
      right = Math.max(right, r.right);
      bottom = Math.max(bottom, r.bottom);
    }
    return { left: (left - canvas.left) / s, top: (top - canvas.top) / s, width: (right - left) / s, height: (bottom - top) / s };
  }

  /** Scroll the view (by panning) so that this element is inside it. */
  reveal(element: Element): void {
    const r = element.getBoundingClientRect();
    const view = this.element.getBoundingClientRect();
    const margin = 12;
    let dx = 0;
    let dy = 0;
    if (r.width + 2 * margin > view.width) dx = view.left + margin - r.left;
    else if (r.left < view.left + margin) dx = view.left + margin - r.left;
    else if (r.right > view.right - margin) dx = view.right - margin - r.right;
    if (r.height + 2 * margin > view.height) dy = view.top + margin - r.top;
    else if (r.top < view.top + margin) dy = view.top + margin - r.top;
    else if (r.bottom > view.bottom - margin) dy = view.bottom - margin - r.bottom;
    if (dx !== 0 || dy !== 0) this.shift(dx, dy);
  }

  /**
   * Put a new drawing in place of the old one. When the view is the person's (they panned or zoomed),
   * the node nearest the middle of the view that is in both drawings stays where it was on screen.
   * `keyOf` names a drawn node the same way in both drawings. Returns the key of the node kept in place.
   */
  replace(svg: SVGSVGElement, keyOf: (el: Element) => string | undefined): string | undefined {
    const anchor = this.moved ? this.anchor(keyOf) : undefined;
    const natural = naturalSize(svg);
    svg.style.maxWidth = 'none';
    svg.style.width = `${natural.width}px`;
    svg.style.height = `${natural.height}px`;
    this.canvas.replaceChildren(svg);
    if (!anchor) return undefined;
    const now = Array.from(svg.querySelectorAll('g.node')).find((el) => keyOf(el) === anchor.key);
    if (!now) return undefined;
    const r = now.getBoundingClientRect();
    const view = this.element.getBoundingClientRect();
    this.shift(anchor.x - (r.left + r.width / 2 - view.left), anchor.y - (r.top + r.height / 2 - view.top));
    return anchor.key;
  }

  clear(): void {
    this.canvas.replaceChildren();
  }

  svg(): SVGSVGElement | null {
    return this.canvas.querySelector('svg');
  }

  private anchor(keyOf: (el: Element) => string | undefined): Anchor | undefined {
    const view = this.element.getBoundingClientRect();
    const cx = view.width / 2;
    const cy = view.height / 2;
    let best: Anchor | undefined;
    let bestDistance = Infinity;
    for (const el of Array.from(this.canvas.querySelectorAll('svg g.node'))) {
      const key = keyOf(el);
      if (!key) continue;
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2 - view.left;
      const y = r.top + r.height / 2 - view.top;
      const distance = Math.hypot(x - cx, y - cy);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = { key, x, y };
      }
    }
    return best;
  }

  /** Move the drawing by screen pixels (panzoom's pan is in unscaled units). */
  private shift(dx: number, dy: number): void {
    const s = this.scale;
    this.panzoom.pan(dx / s, dy / s, { relative: true, animate: false, force: true });
    this.sync();
  }

  /**
   * Panzoom writes the transform on the next animation frame; write it now (the same value), so the
   * view can be measured right after it is moved (placing the view measures where nodes are).
   */
  private sync(): void {
    const { x, y } = this.panzoom.getPan();
    this.canvas.style.transition = 'none';
    this.canvas.style.transform = `scale(${this.panzoom.getScale()}) translate(${x}px, ${y}px)`;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

/** The drawing's size at scale 1: its viewBox. */
export function naturalSize(svg: SVGSVGElement): { width: number; height: number } {
  const box = svg.viewBox.baseVal;
  if (box && box.width > 0 && box.height > 0) return { width: box.width, height: box.height };
  return { width: svg.clientWidth || 1, height: svg.clientHeight || 1 };
}

/** The label font size on screen at this scale. */
export function labelPx(scale: number): number {
  return LABEL_FONT_PX * scale;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
