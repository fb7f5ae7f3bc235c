// Which way to draw a graph so that it fits the area it is shown in. A search tree is wide and shallow:
// top-down it needs a wide area, left-to-right (depth across, siblings stacked) a tall one. A focused
// path is the opposite: a chain, which fits a narrow panel top-down. So `auto` estimates the drawing's
// size both ways, from its ranks and its labels as renderMermaid writes them, and picks the way whose
// whole drawing would be shown larger. Pure: no DOM.
import type { DisplayGraph } from './collapse';
import { labelFor, prunedLabel, type GraphDirection } from './mermaid';

export type OrientationSetting = 'auto' | GraphDirection;

/** Mermaid's flowchart spacing as the panel configures it (webview/graphView.ts). */
export const NODE_SPACING = 24;
export const RANK_SPACING = 44;
/** Label font size in px, as the panel configures Mermaid. */
export const LABEL_FONT_PX = 13;
/** Average advance of a character of the label font, in em; labels wrap at WRAP_PX. */
const CHAR_EM = 0.55;
const WRAP_PX = 300;
const LINE_PX = 19;
const NODE_PADDING_PX = 30;

export interface Size {
  width: number;
  height: number;
}

/** The estimated size of a node's box: its label's longest line and its line count. */
export function estimateNodeSize(label: string): Size {
  const lines = label.split('\n');
  let count = 0;
  let widest = 0;
  for (const line of lines) {
    const px = Array.from(line).length * CHAR_EM * LABEL_FONT_PX;
    count += Math.max(1, Math.ceil(px / WRAP_PX));
    widest = Math.max(widest, Math.min(px, WRAP_PX));
  }
  return { width: widest + NODE_PADDING_PX, height: count * LINE_PX + NODE_PADDING_PX };
}

/** Ranks as a layered layout makes them: a node one below its deepest parent (cycles broken). */
export function ranks(graph: Pick<DisplayGraph, 'nodes' | 'edges'>): Map<string, number> {
  const parents = new Map<string, string[]>();
  for (const edge of graph.edges) if (edge.from !== edge.to) parents.set(edge.to, [...(parents.get(edge.to) ?? []), edge.from]);
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  const rankOf = (id: string): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let r = 0;
    for (const p of parents.get(id) ?? []) r = Math.max(r, rankOf(p) + 1);
    visiting.delete(id);
    rank.set(id, r);
    return r;
  };
  for (const node of graph.nodes) rankOf(node.id);
  return rank;
}

/** The estimated size of the whole drawing in each direction. */
export function estimateDrawing(graph: DisplayGraph): Record<GraphDirection, Size> {
  const summaries = new Map((graph.pruned ?? []).map((g) => [g.id, g]));
  const sizes = new Map(graph.nodes.map((node) => {
    const group = summaries.get(node.id);
    return [node.id, estimateNodeSize(group ? prunedLabel(group) : labelFor(node))] as const;
  }));
  const rank = ranks(graph);
  const layers = new Map<number, Size[]>();
  for (const node of graph.nodes) {
    const r = rank.get(node.id) ?? 0;
    layers.set(r, [...(layers.get(r) ?? []), sizes.get(node.id) as Size]);
  }
  const td: Size = { width: 0, height: 0 };
  const lr: Size = { width: 0, height: 0 };
  for (const layer of layers.values()) {
    const across = layer.reduce((s, n) => s + n.width, 0) + NODE_SPACING * (layer.length - 1);
    const down = layer.reduce((s, n) => s + n.height, 0) + NODE_SPACING * (layer.length - 1);
    td.width = Math.max(td.width, across);
    td.height += Math.max(...layer.map((n) => n.height)) + RANK_SPACING;
    lr.height = Math.max(lr.height, down);
    lr.width += Math.max(...layer.map((n) => n.width)) + RANK_SPACING;
  }
  return { TD: td, LR: lr };
}

/** The scale at which a drawing of this size fits the area (never above 1). */
export function fitScale(drawing: Size, area: Size): number {
  if (drawing.width <= 0 || drawing.height <= 0) return 1;
  return Math.min(1, area.width / drawing.width, area.height / drawing.height);
}

/**
 * The direction to draw in: the setting when it names one; for `auto`, the one whose drawing fits the
 * area at the larger scale. Top-down unless left-to-right is clearly (10%) better.
 */
export function chooseDirection(graph: DisplayGraph, area: Size, setting: OrientationSetting = 'auto'): GraphDirection {
  if (setting === 'TD' || setting === 'LR') return setting;
  if (graph.nodes.length === 0 || area.width <= 0 || area.height <= 0) return 'TD';
  const size = estimateDrawing(graph);
  return fitScale(size.LR, area) > 1.1 * fitScale(size.TD, area) ? 'LR' : 'TD';
}
