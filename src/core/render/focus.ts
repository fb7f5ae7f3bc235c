// Focus: the part of a run's graph a person follows. The path from the question to the answer (a
// finished run) or to the current best state (a running one), that path's frontier, and for every
// drawn node whose other children are not drawn, one summary node "+N more" that stands for them and
// everything below them (clicking it draws them: `expanded`). Pure, like collapse.ts: the panel calls
// it, and tests call it without a browser.
import type { GraphSnapshot, NodeKind, NodeStatus, ThoughtEdge, ThoughtNode } from '../graph/types';
import { summarize, summaryNode, type DisplayGraph, type PrunedGroup } from './collapse';

export interface FocusOptions {
  /** The node to lead to: the run's answer node when it has one. Default: see focusTarget. */
  target?: string;
  /** Nodes whose children are all drawn (summaries the user clicked). */
  expanded?: ReadonlySet<string>;
}

/** What the focus drew, for the toolbar ("6 of 69 nodes") and the initial view. */
export interface FocusInfo {
  target: string | undefined;
  /** The target and its ancestors, in graph order. */
  path: string[];
  /** Nodes of the graph stood for by summaries. */
  hidden: number;
}

export interface FocusGraph extends DisplayGraph {
  focus: FocusInfo;
}

/** States that are finished and still in the running: the best of the deepest of them leads the path. */
const DEAD: ReadonlySet<NodeStatus> = new Set<NodeStatus>(['pruned', 'failed', 'cancelled', 'pending', 'running']);
/** Nodes that judge others rather than being a state of the search. */
const JUDGES: ReadonlySet<NodeKind> = new Set<NodeKind>(['evaluation', 'vote', 'critique']);

interface Links {
  children: Map<string, ThoughtEdge[]>;
  parents: Map<string, string[]>;
}

function links(graph: GraphSnapshot): Links {
  const children = new Map<string, ThoughtEdge[]>();
  const parents = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (edge.from === edge.to) continue;
    children.set(edge.from, [...(children.get(edge.from) ?? []), edge]);
    parents.set(edge.to, [...(parents.get(edge.to) ?? []), edge.from]);
  }
  return { children, parents };
}

/** Depth of every node: edges from its nearest root (a node without parents). */
function depths(graph: GraphSnapshot, { children, parents }: Links): Map<string, number> {
  const depth = new Map<string, number>();
  let level = graph.nodes.filter((n) => !parents.has(n.id)).map((n) => n.id);
  for (let d = 0; level.length > 0; d++) {
    const next: string[] = [];
    for (const id of level) {
      if (depth.has(id)) continue;
      depth.set(id, d);
      for (const edge of children.get(id) ?? []) if (!depth.has(edge.to)) next.push(edge.to);
    }
    level = next;
  }
  return depth;
}

/**
 * The node Focus leads to: the given target if the graph has it; else the last answer node that is not
 * dead; else the current best state: among finished, unpruned states, the deepest, then the best
 * scored, then the latest; else the first node (the question).
 */
export function focusTarget(graph: GraphSnapshot, target?: string): string | undefined {
  if (target && graph.nodes.some((n) => n.id === target)) return target;
  const answers = graph.nodes.filter((n) => n.kind === 'answer' && !DEAD.has(n.status));
  if (answers.length > 0) return answers[answers.length - 1].id;
  const depth = depths(graph, links(graph));
  let best: ThoughtNode | undefined;
  for (const node of graph.nodes) {
    if (DEAD.has(node.status) || JUDGES.has(node.kind)) continue;
    if (!best) {
      best = node;
      continue;
    }
    const [d, bd] = [depth.get(node.id) ?? 0, depth.get(best.id) ?? 0];
    const [s, bs] = [node.score ?? -Infinity, best.score ?? -Infinity];
    if (d > bd || (d === bd && s >= bs)) best = node;
  }
  return best?.id ?? graph.nodes[0]?.id;
}

/** The target and all its ancestors. */
function ancestry(target: string, parents: Map<string, string[]>): Set<string> {
  const path = new Set<string>();
  const stack = [target];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (path.has(id)) continue;
    path.add(id);
    stack.push(...(parents.get(id) ?? []));
  }
  return path;
}

/** The graph Focus draws. An empty graph comes back as it is. */
export function focusGraph(graph: GraphSnapshot, options: FocusOptions = {}): FocusGraph {
  const target = focusTarget(graph, options.target);
  if (!target) return { ...graph, focus: { target: undefined, path: [], hidden: 0 } };
  const link = links(graph);
  const path = ancestry(target, link.parents);
  // Drawn: the path; its frontier: the target's children and the unfinished children of the path's
  // nodes (what a live run works on next to it); children of expanded nodes.
  const visible = new Set(path);
  const status = new Map(graph.nodes.map((n) => [n.id, n.status]));
  for (const edge of link.children.get(target) ?? []) visible.add(edge.to);
  for (const id of path) {
    for (const edge of link.children.get(id) ?? []) {
      const s = status.get(edge.to);
      if (s === 'running' || s === 'pending') visible.add(edge.to);
    }
  }
  for (const id of options.expanded ?? []) {
    if (!visible.has(id)) continue;
    for (const edge of link.children.get(id) ?? []) visible.add(edge.to);
  }

  // Each drawn node with undrawn children gets one group: those children and whatever lies below them.
  const groupOf = new Map<string, Draft>();
  const drafts: Draft[] = [];
  for (const node of graph.nodes) {
    if (!visible.has(node.id)) continue;
    const hiddenChildren = (link.children.get(node.id) ?? []).filter((e) => !visible.has(e.to) && !groupOf.has(e.to));
    if (hiddenChildren.length === 0) continue;
    const draft: Draft = { parentId: node.id, edge: hiddenChildren[0], members: [], direct: 0 };
    const stack = hiddenChildren.map((e) => e.to);
    draft.direct = new Set(stack).size;
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (visible.has(id) || groupOf.has(id)) continue;
      groupOf.set(id, draft);
      for (const edge of link.children.get(id) ?? []) stack.push(edge.to);
    }
    drafts.push(draft);
  }
  for (const node of graph.nodes) groupOf.get(node.id)?.members.push(node);

  const taken = new Set(graph.nodes.map((n) => n.id));
  const summaries = new Map<Draft, ThoughtNode>();
  const groups: PrunedGroup[] = [];
  for (const draft of drafts) {
    let id = `${draft.parentId}_more`;
    while (taken.has(id)) id += '_';
    taken.add(id);
    const group: PrunedGroup = { ...summarize(id, draft.parentId, draft.members, draft.direct), reason: 'focus' };
    groups.push(group);
    summaries.set(draft, summaryNode(group, draft.members));
  }

  // Drawn nodes in graph order, then the summaries: a layout keeps that order where it can, so each
  // summary is drawn after (right of, or below) the drawn children of its parent.
  const nodes: ThoughtNode[] = [...graph.nodes.filter((n) => visible.has(n.id)), ...drafts.map((d) => summaries.get(d) as ThoughtNode)];

  const edges: ThoughtEdge[] = [];
  const seen = new Set<string>();
  for (const edge of graph.edges) {
    const fromGroup = groupOf.get(edge.from);
    const toGroup = groupOf.get(edge.to);
    let drawn: ThoughtEdge | undefined;
    if (!fromGroup && !toGroup) drawn = visible.has(edge.from) && visible.has(edge.to) ? edge : undefined;
    else if (!fromGroup && toGroup) drawn = visible.has(edge.from) ? { from: edge.from, to: (summaries.get(toGroup) as ThoughtNode).id, kind: toGroup.edge.kind } : undefined;
    else if (fromGroup && !toGroup) drawn = visible.has(edge.to) ? { ...edge, from: (summaries.get(fromGroup) as ThoughtNode).id } : undefined;
    if (!drawn) continue;
    const key = `${drawn.from}\u0000${drawn.to}\u0000${drawn.kind}\u0000${drawn.label ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push(drawn);
  }
  const order = graph.nodes.filter((n) => path.has(n.id)).map((n) => n.id);
  return { nodes, edges, pruned: groups, focus: { target, path: order, hidden: groupOf.size } };
}

interface Draft {
  parentId: string;
  /** The first edge into the group: the summary's edge takes its kind. */
  edge: ThoughtEdge;
  members: ThoughtNode[];
  /** Hidden children of the parent (what "+N more" counts). */
  direct: number;
}
