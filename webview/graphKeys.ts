// Moving between drawn nodes with the arrow keys, along the drawn edges. Top-down: up to the parent,
// down to the first child, left and right to the previous and next sibling (as placed on screen).
// Left-to-right drawings turn that a quarter: left to the parent, right to a child, up and down among
// siblings. Pure: the panel passes the drawn graph and where each node is on screen.
import type { GraphDirection } from '../src/core/render/mermaid';

export interface DrawnGraph {
  /** Drawn node ids (summaries included), in source order. */
  nodes: readonly string[];
  edges: ReadonlyArray<{ from: string; to: string }>;
}

export type Move = 'parent' | 'child' | 'previous' | 'next' | 'first';

/** The move an arrow key (or Home) means in a drawing of this direction; undefined for other keys. */
export function moveFor(key: string, direction: GraphDirection): Move | undefined {
  if (key === 'Home') return 'first';
  const td: Record<string, Move> = { ArrowUp: 'parent', ArrowDown: 'child', ArrowLeft: 'previous', ArrowRight: 'next' };
  const lr: Record<string, Move> = { ArrowLeft: 'parent', ArrowRight: 'child', ArrowUp: 'previous', ArrowDown: 'next' };
  return (direction === 'LR' ? lr : td)[key];
}

/**
 * The node a move from `from` reaches, or undefined when there is none. `position` gives a node's
 * centre on screen; siblings and children are taken in the order they are drawn across (top-down) or
 * down (left-to-right).
 */
export function neighbour(
  graph: DrawnGraph,
  from: string,
  move: Move,
  direction: GraphDirection,
  position: (id: string) => { x: number; y: number } | undefined,
): string | undefined {
  if (move === 'first') return graph.nodes[0];
  const drawn = new Set(graph.nodes);
  const parents = graph.edges.filter((e) => e.to === from && e.from !== from && drawn.has(e.from)).map((e) => e.from);
  const across = (id: string) => {
    const p = position(id);
    return p ? (direction === 'LR' ? p.y : p.x) : 0;
  };
  const ordered = (ids: string[]) => [...new Set(ids)].sort((a, b) => across(a) - across(b));
  const childrenOf = (id: string) => ordered(graph.edges.filter((e) => e.from === id && e.to !== id && drawn.has(e.to)).map((e) => e.to));
  switch (move) {
    case 'parent':
      return parents[0];
    case 'child': {
      const children = childrenOf(from);
      // The child nearest the current node across, so down-then-up-then-down stays in one column.
      const here = across(from);
      return [...children].sort((a, b) => Math.abs(across(a) - here) - Math.abs(across(b) - here))[0];
    }
    case 'previous':
    case 'next': {
      const parent = parents[0];
      const siblings = parent === undefined ? ordered(graph.nodes.filter((id) => !graph.edges.some((e) => e.to === id && e.from !== id))) : childrenOf(parent);
      const at = siblings.indexOf(from);
      if (at < 0) return undefined;
      return siblings[at + (move === 'next' ? 1 : -1)];
    }
  }
}
