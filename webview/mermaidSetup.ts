// Mermaid as the panel draws with it: its configuration (theme from VS Code's, strict security, HTML
// labels, the panel's spacing and font size) and the second sanitising pass every drawing goes through
// before it is put in the page.
import mermaid from 'mermaid';
import { LABEL_FONT_PX, NODE_SPACING, RANK_SPACING } from '../src/core/render/orientation';
import { registerSlicedLayout } from './slicedLayout';

/** Elements that never belong in a rendered diagram; removed even though Mermaid already sanitizes. */
const BLOCKED_TAGS = new Set([
  'script', 'iframe', 'frame', 'object', 'embed', 'img', 'image', 'audio', 'video', 'source', 'picture', 'link',
  'meta', 'base', 'form', 'input', 'button', 'textarea', 'select', 'a', 'animate', 'set', 'animatemotion',
  'animatetransform', 'discard', 'portal',
]);

export type MermaidTheme = 'dark' | 'default';

export function vscodeTheme(): MermaidTheme {
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
    flowchart: { htmlLabels: true, useMaxWidth: false, curve: 'basis', nodeSpacing: NODE_SPACING, rankSpacing: RANK_SPACING, padding: 10, wrappingWidth: 300 },
    themeVariables: { fontFamily, fontSize: `${LABEL_FONT_PX}px` },
  });
}

/** Parse Mermaid's SVG in an inert document, drop anything active, and adopt it into the page. */
export function safeSvg(svgText: string): SVGSVGElement | undefined {
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
