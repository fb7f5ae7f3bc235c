// The drawn nodes: each tagged with its graph id (a summary with its parent's), given a key that names
// it the same way in every drawing (node id, or summary:<reason>:<parent>), a role and an accessible
// name (text, score, tokens, cost); and the find bar's marks on them. Model text only ever goes into
// attributes here, never markup.
import type { GraphSnapshot, ThoughtNode } from '../src/core/graph/types';
import { formatUsd } from '../src/core/pricing';
import type { DisplayGraph, PrunedGroup } from '../src/core/render/collapse';
import { formatTokens, mermaidIds } from '../src/core/render/mermaid';
import { isActive, matches, type FilterCriteria } from './nodeFilter';

/** Tags the drawing's nodes; returns node id -> element (summaries not included). One node is in the tab order. */
export function bindNodes(svg: SVGSVGElement, graph: DisplayGraph, full: GraphSnapshot, inspected: string | undefined): Map<string, Element> {
  const byMermaidId = new Map<string, string>();
  for (const [nodeId, mermaidId] of mermaidIds(graph)) byMermaidId.set(mermaidId, nodeId);
  const summaries = new Map((graph.pruned ?? []).map((group) => [group.id, group]));
  const nodes = new Map(full.nodes.map((n) => [n.id, n]));
  const elements = new Map<string, Element>();
  for (const el of Array.from(svg.querySelectorAll('g.node'))) {
    const mermaidId = el.getAttribute('data-id') ?? /-flowchart-(.+)-\d+$/.exec(el.id)?.[1];
    const nodeId = mermaidId ? byMermaidId.get(mermaidId) : undefined;
    if (!nodeId) continue;
    el.setAttribute('tabindex', '-1');
    el.setAttribute('role', 'button');
    const summary = summaries.get(nodeId);
    if (summary) {
      el.setAttribute(summary.reason === 'focus' ? 'data-more-parent' : 'data-pruned-parent', summary.parentId);
      el.setAttribute('data-key', summaryKey(summary));
      el.setAttribute('aria-label', summaryName(summary));
      el.classList.add(summary.reason === 'focus' ? 'more-summary' : 'pruned-summary');
      continue;
    }
    const node = nodes.get(nodeId);
    el.setAttribute('data-node-id', nodeId);
    el.setAttribute('data-key', nodeId);
    if (node) el.setAttribute('aria-label', accessibleName(node));
    el.classList.toggle('inspected', nodeId === inspected);
    elements.set(nodeId, el);
  }
  // Roving focus: one node is in the tab order, the arrow keys reach the others.
  svg.querySelector('g.node[data-key]')?.setAttribute('tabindex', '0');
  return elements;
}

/** Marks the drawn nodes that match (class match) and dims the rest; returns how many nodes of the graph match. */
export function markMatches(host: Element, graph: GraphSnapshot | undefined, drawn: DisplayGraph | undefined, criteria: FilterCriteria): number {
  const active = isActive(criteria);
  const matching = new Set<string>();
  if (active && graph) for (const node of graph.nodes) if (matches(node, criteria)) matching.add(node.id);
  const summaries = new Map((drawn?.pruned ?? []).map((g) => [summaryKey(g), g]));
  for (const el of Array.from(host.querySelectorAll('svg g.node[data-key]'))) {
    const key = el.getAttribute('data-key') as string;
    const group = summaries.get(key);
    const hit = active && (group ? group.nodeIds.some((id) => matching.has(id)) : matching.has(key));
    el.classList.toggle('match', hit);
    el.classList.toggle('dimmed', active && !hit);
  }
  return matching.size;
}

/** A drawn node's key: its node id, or `summary:<parent>` for a summary. */
export function keyOf(el: Element): string | undefined {
  return el.getAttribute('data-key') ?? undefined;
}

export function summaryKey(group: PrunedGroup): string {
  return `summary:${group.reason ?? 'pruned'}:${group.parentId}`;
}

export function keyFor(id: string, graph: DisplayGraph | undefined): string {
  const group = graph?.pruned?.find((g) => g.id === id);
  return group ? summaryKey(group) : id;
}

export function cssEscape(value: string): string {
  return CSS.escape(value);
}

function summaryName(group: PrunedGroup): string {
  const what = group.reason === 'focus' ? `${group.pruned} more node${group.pruned === 1 ? '' : 's'} off the path` : `${group.pruned} pruned nodes`;
  return `Show ${what} (${group.nodeIds.length} in all; ${formatTokens(group)}; ${formatUsd(group.costUsd)})`;
}

/** A node's accessible name: kind, id, status, its text (up to 300 characters), score, tokens, cost. */
export function accessibleName(node: ThoughtNode): string {
  const text = node.text.replace(/\s+/g, ' ').trim();
  const parts = [`${node.kind} ${node.id}, ${node.status}: ${text.length > 300 ? `${text.slice(0, 299)}…` : text || '(empty)'}`];
  if (typeof node.score === 'number') parts.push(`score ${Number(node.score.toFixed(3))}`);
  parts.push(`tokens ${formatTokens(node)}`, `cost ${formatUsd(node.costUsd)}`);
  return parts.join('; ');
}
