// The drawn graph as a file: a standalone SVG (namespaces, Mermaid's own <style>, the panel's edge
// colours and a background rect in the theme's colour, a size taken from the viewBox) or a PNG drawn
// from that SVG onto a canvas at twice its size. Only the webview has the drawing, so the host asks for
// it with `exportImage` and saves what comes back.
import type { ImageExportResult, ImageFormat } from '../src/shared/messages';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** PNGs are drawn at this multiple of the SVG's size, so they stay sharp on high-density screens. */
export const PNG_SCALE = 2;
/** Chromium refuses larger canvases (toDataURL then yields "data:,"); a huge graph is drawn smaller. */
const MAX_CANVAS_SIDE = 16_384;
const MAX_CANVAS_AREA = 120_000_000;
/** How long a request waits for a pending draw (a large graph takes a few seconds). */
const DRAW_TIMEOUT_MS = 60_000;

/** Attributes the panel adds for clicking and keyboard focus; they mean nothing in a file. */
const PANEL_ATTRIBUTES = new Set(['tabindex', 'role', 'aria-label', 'data-node-id']);

export interface StandaloneSvg {
  /** The whole file, XML declaration included. */
  text: string;
  width: number;
  height: number;
}

function transparent(colour: string): boolean {
  return !colour || colour === 'transparent' || /^rgba\(.*,\s*0\)$/.test(colour.replace(/\s+/g, ' '));
}

/** The colour the graph is seen on: the first opaque background from `el` outwards, else the theme's. */
export function backgroundOf(el: Element): string {
  for (let at: Element | null = el; at; at = at.parentElement) {
    const colour = getComputedStyle(at).backgroundColor;
    if (!transparent(colour)) return colour;
  }
  const light = document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
  return light ? '#ffffff' : '#1f1f1f';
}

function number(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/**
 * The panel's stylesheet recolours edges, arrowheads and edge labels (media/webview.css); a file
 * does not get that stylesheet, so the computed colours go into a <style> of the copy.
 */
function panelOverrides(svg: SVGSVGElement): string {
  const scope = svg.id ? `#${CSS.escape(svg.id)} ` : '';
  const rules: string[] = [];
  const link = svg.querySelector('.flowchart-link');
  if (link) rules.push(`${scope}.flowchart-link{stroke:${getComputedStyle(link).stroke} !important}`);
  const marker = svg.querySelector('marker path');
  if (marker) {
    const style = getComputedStyle(marker);
    rules.push(`${scope}marker path{fill:${style.fill} !important;stroke:${style.stroke} !important}`);
  }
  const label = svg.querySelector('.edgeLabel p, .edgeLabel span, .edgeLabel');
  if (label) {
    const style = getComputedStyle(label);
    rules.push(`${scope}.edgeLabel,${scope}.edgeLabel p,${scope}.edgeLabel span{background-color:${style.backgroundColor} !important;color:${style.color} !important}`);
  }
  return rules.join('\n');
}

/** A copy of the drawn `svg` that stands on its own as an .svg file. */
export function standaloneSvg(svg: SVGSVGElement, background: string): StandaloneSvg {
  const box = svg.viewBox.baseVal;
  if (!box || !(box.width > 0) || !(box.height > 0)) throw new Error('the drawing has no size');
  const overrides = panelOverrides(svg);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  for (const el of [copy, ...Array.from(copy.querySelectorAll('*'))]) {
    // The drawing was cleaned when it was drawn (graphView's safeSvg); a file leaves the webview's
    // CSP behind, so nothing active may survive here either.
    if (el.localName.toLowerCase() === 'script') {
      el.remove();
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const isLink = name === 'href' || name.endsWith(':href') || name === 'src';
      // url(...) outside the file (in a style or a presentation attribute) would be fetched by whoever opens it.
      const fetches = /url\(\s*['"]?\s*[^#'"\s)]/i.test(attr.value);
      if (name.startsWith('on') || PANEL_ATTRIBUTES.has(name) || fetches || (isLink && !attr.value.trim().startsWith('#'))) el.removeAttribute(attr.name);
    }
    el.classList.remove('inspected');
  }
  // The panel sizes the drawing with inline styles (fit to width); the file gets its natural size.
  copy.removeAttribute('style');
  copy.setAttribute('width', number(box.width));
  copy.setAttribute('height', number(box.height));
  const rect = document.createElementNS(SVG_NS, 'rect');
  rect.setAttribute('x', number(box.x));
  rect.setAttribute('y', number(box.y));
  rect.setAttribute('width', number(box.width));
  rect.setAttribute('height', number(box.height));
  rect.setAttribute('fill', background);
  const firstDrawn = Array.from(copy.children).find((child) => child.localName !== 'style' && child.localName !== 'defs') ?? null;
  copy.insertBefore(rect, firstDrawn);
  if (overrides) {
    const style = document.createElementNS(SVG_NS, 'style');
    style.textContent = overrides;
    copy.insertBefore(style, rect);
  }
  const xml = new XMLSerializer().serializeToString(copy);
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}\n`, width: box.width, height: box.height };
}

export class TaintedCanvasError extends Error {
  constructor() {
    super('this webview does not let the drawing be read back from a canvas, so PNG export is not available here; export SVG instead');
  }
}

/** The PNG of `svg` at `scale` times its size (less for a graph too large for a canvas), as base64. */
export async function rasterise(svg: StandaloneSvg, scale = PNG_SCALE): Promise<{ base64: string; width: number; height: number }> {
  const fitted = Math.min(scale, MAX_CANVAS_SIDE / svg.width, MAX_CANVAS_SIDE / svg.height, Math.sqrt(MAX_CANVAS_AREA / (svg.width * svg.height)));
  const width = Math.ceil(svg.width * fitted);
  const height = Math.ceil(svg.height * fitted);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.text)}`;
  try {
    await image.decode();
  } catch {
    throw new Error('the browser could not load the exported SVG as an image');
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no canvas is available to draw the PNG');
  context.drawImage(image, 0, 0, width, height);
  let url: string;
  try {
    url = canvas.toDataURL('image/png');
  } catch (err) {
    if (err instanceof DOMException && err.name === 'SecurityError') throw new TaintedCanvasError();
    throw err;
  }
  const prefix = 'data:image/png;base64,';
  if (!url.startsWith(prefix)) throw new Error(`the browser could not encode a ${width}×${height} PNG`);
  return { base64: url.slice(prefix.length), width, height };
}

/** The graph's <svg> once no draw is pending (the host may ask right after sending the graph). */
export function drawnSvg(graphHost: HTMLElement, timeoutMs = DRAW_TIMEOUT_MS): Promise<SVGSVGElement> {
  const settled = () => graphHost.dataset.pending === 'false' && graphHost.dataset.state !== 'rendering';
  const result = () => {
    const svg = graphHost.querySelector('svg');
    if (svg) return svg;
    const problem = graphHost.querySelector('.graph-error')?.textContent;
    throw new Error(problem || 'there is no drawn graph to export');
  };
  if (settled()) return Promise.resolve().then(result);
  return new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (!settled()) return;
      finish();
      try {
        resolve(result());
      } catch (err) {
        reject(err);
      }
    });
    const timer = setTimeout(() => {
      finish();
      reject(new Error('the graph was still being drawn; try again in a moment'));
    }, timeoutMs);
    const finish = () => {
      observer.disconnect();
      clearTimeout(timer);
    };
    observer.observe(graphHost, { attributes: true, attributeFilter: ['data-pending', 'data-state'] });
  });
}

/** Answer one `exportImage` request; failures come back as `ok: false` with a reason, never a throw. */
export async function exportImage(graphHost: HTMLElement, requestId: string, format: ImageFormat): Promise<ImageExportResult> {
  try {
    const svg = standaloneSvg(await drawnSvg(graphHost), backgroundOf(graphHost));
    if (format === 'svg') return { type: 'exportImageResult', requestId, format, ok: true, data: svg.text, width: svg.width, height: svg.height };
    const png = await rasterise(svg);
    return { type: 'exportImageResult', requestId, format, ok: true, data: png.base64, width: png.width, height: png.height };
  } catch (err) {
    return { type: 'exportImageResult', requestId, format, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
