// Browser side of slicedLayout.test.ts: draws one Mermaid source twice, with Mermaid's dagre layout and
// with the panel's sliced layout, configured as the panel configures Mermaid, and reports where each
// drawing put its nodes, edges and edge labels.
import mermaid from 'mermaid';
import { configureMermaid } from '../../../webview/mermaidSetup';
import { slicedSource } from '../../../webview/slicedLayout';

export interface Drawing {
  layout: string | null;
  viewBox: string | null;
  /** Mermaid node id -> the node's transform. */
  nodes: Record<string, string | null>;
  /** Edge id -> the path's d attribute. */
  edges: Record<string, string | null>;
  /** Edge label text -> its transform. */
  edgeLabels: Array<[string, string | null]>;
}

let renders = 0;

async function draw(source: string): Promise<Drawing> {
  const prefix = `layout-test-${++renders}`;
  const { svg } = await mermaid.render(prefix, source);
  // As HTML, like the panel: HTML labels hold <br>, which is not well-formed XML.
  const root = new DOMParser().parseFromString(svg, 'text/html').querySelector('svg');
  if (!root) throw new Error('Mermaid returned no SVG');
  const nodes: Drawing['nodes'] = {};
  for (const el of Array.from(root.querySelectorAll('g.node'))) {
    const id = el.getAttribute('data-id') ?? el.id.replace(`${prefix}-`, '');
    nodes[id] = el.getAttribute('transform');
  }
  const edges: Drawing['edges'] = {};
  for (const el of Array.from(root.querySelectorAll('path.flowchart-link'))) edges[el.getAttribute('data-id') ?? el.id] = el.getAttribute('d');
  const edgeLabels: Drawing['edgeLabels'] = Array.from(root.querySelectorAll('g.edgeLabel')).map((el) => [(el.textContent ?? '').trim(), el.getAttribute('transform')]);
  return { layout: root.getAttribute('data-layout'), viewBox: root.getAttribute('viewBox'), nodes, edges, edgeLabels };
}

(window as unknown as { compareLayouts: (source: string) => Promise<{ dagre: Drawing; sliced: Drawing }> }).compareLayouts = async (source) => {
  configureMermaid('dark');
  return { dagre: await draw(source), sliced: await draw(slicedSource(source)) };
};
