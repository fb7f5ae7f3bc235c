// What the graph view draws: the run's graph with pruned subtrees folded into one summary node per
// parent once the graph is large. Pure (no DOM, no Node APIs), so the panel and the CLI's `--mermaid`
// compute the very same picture from a snapshot.
//
// A pruned node whose edges all come from one visible parent starts a group for that parent; a node
// whose parents are all in one group (a pruned node's descendants) joins it. A parent with a single
// pruned child keeps it drawn. Tokens, cost and latency of every hidden node are summed into
// the summary node, so the totals of what is drawn equal the totals of the run.
import type { GraphSnapshot, NodeKind, ThoughtEdge, ThoughtNode, TokenUsage } from '../graph/types';

/** Above this many nodes the panel (and `--mermaid`) collapses pruned subtrees by default. */
export const COLLAPSE_ABOVE_NODES = 150;

/** `auto`: collapse when the graph has more than COLLAPSE_ABOVE_NODES nodes; `always`; `never`. */
export type PrunedMode = 'auto' | 'always' | 'never';

export interface CollapseOptions {
  mode?: PrunedMode;
  /** Parents (node ids) whose pruned children are drawn anyway: summaries the user expanded. */
  expanded?: ReadonlySet<string>;
}

/** One summary node: the pruned children of `parentId` and their descendants. */
export interface PrunedGroup {
  /** The summary node's id in the collapsed graph. */
  id: string;
  parentId: string;
  /** The hidden nodes, in graph order. */
  nodeIds: string[];
  /** How many of them are pruned children of the parent (what "+N pruned" counts). */
  pruned: number;
  /** Why they are hidden: pruned (this file), or off the focused path (focus.ts: "+N more"). Default pruned. */
  reason?: 'pruned' | 'focus';
  usage: TokenUsage;
  /** Summed; null when any hidden node's price is unknown. */
  costUsd: number | null;
  calls: number;
}

/** A snapshot as drawn: summary nodes stand in for the nodes listed in `pruned`. */
export interface DisplayGraph extends GraphSnapshot {
  pruned?: readonly PrunedGroup[];
}

/** Kinds that are never folded away, whatever their status. */
const KEEP_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['question', 'answer']);

export function shouldCollapse(graph: GraphSnapshot, mode: PrunedMode = 'auto'): boolean {
  return mode === 'always' || (mode === 'auto' && graph.nodes.length > COLLAPSE_ABOVE_NODES);
}

/** The graph to draw. Returns the snapshot itself (no `pruned`) when nothing is collapsed. */
export function collapsePruned(graph: GraphSnapshot, options: CollapseOptions = {}): DisplayGraph {
  if (!shouldCollapse(graph, options.mode)) return graph;
  const expanded = options.expanded ?? new Set<string>();
  const incoming = new Map<string, ThoughtEdge[]>();
  for (const edge of graph.edges) {
    const list = incoming.get(edge.to);
    if (list) list.push(edge);
    else incoming.set(edge.to, [edge]);
  }

  // Assign nodes to groups in graph order (parents are added before their children).
  const groupOf = new Map<string, Draft>();
  const byParent = new Map<string, Draft>();
  for (const node of graph.nodes) {
    const edges = incoming.get(node.id);
    if (!edges || KEEP_KINDS.has(node.kind)) continue;
    const parents = new Set(edges.map((e) => e.from));
    parents.delete(node.id);
    if (parents.size === 0) continue;
    const parentGroups = new Set([...parents].map((p) => groupOf.get(p)));
    if (parentGroups.size === 1) {
      const [group] = parentGroups;
      if (group) {
        // Every parent is hidden in the same group: a descendant of a pruned node.
        group.nodes.push(node);
        groupOf.set(node.id, group);
        continue;
      }
    }
    if (node.status !== 'pruned' || parents.size !== 1) continue;
    const [parentId] = parents;
    if (groupOf.has(parentId) || expanded.has(parentId)) continue;
    let group = byParent.get(parentId);
    if (!group) {
      group = { parentId, nodes: [], pruned: 0, edge: edges[0] };
      byParent.set(parentId, group);
    }
    group.nodes.push(node);
    group.pruned++;
    groupOf.set(node.id, group);
  }

  // A single pruned child (with whatever lies below it) is drawn as it is: a summary would not save room.
  for (const [parentId, group] of byParent) {
    if (group.pruned >= 2) continue;
    byParent.delete(parentId);
    for (const node of group.nodes) groupOf.delete(node.id);
  }
  if (byParent.size === 0) return graph;

  const taken = new Set(graph.nodes.map((n) => n.id));
  const groups: PrunedGroup[] = [];
  const summaryOf = new Map<Draft, ThoughtNode>();
  for (const draft of byParent.values()) {
    let id = `${draft.parentId}_pruned`;
    while (taken.has(id)) id += '_';
    taken.add(id);
    const group = summarize(id, draft.parentId, draft.nodes, draft.pruned);
    groups.push(group);
    summaryOf.set(draft, summaryNode(group, draft.nodes));
  }

  // Nodes: each summary takes the place of its group's first node.
  const nodes: ThoughtNode[] = [];
  for (const node of graph.nodes) {
    const group = groupOf.get(node.id);
    if (!group) nodes.push(node);
    else if (group.nodes[0] === node) nodes.push(summaryOf.get(group) as ThoughtNode);
  }

  // Edges: inside a group dropped; into a group one edge from its parent; out of a group from its summary.
  const edges: ThoughtEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: ThoughtEdge) => {
    const key = `${edge.from}\u0000${edge.to}\u0000${edge.kind}\u0000${edge.label ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push(edge);
  };
  for (const edge of graph.edges) {
    const from = groupOf.get(edge.from);
    const to = groupOf.get(edge.to);
    if (from && from === to) continue;
    if (to) {
      const summary = summaryOf.get(to) as ThoughtNode;
      add({ from: edge.from, to: summary.id, kind: to.edge.kind });
    } else if (from) {
      add({ ...edge, from: (summaryOf.get(from) as ThoughtNode).id });
    } else {
      edges.push(edge);
    }
  }
  return { nodes, edges, pruned: groups };
}

interface Draft {
  parentId: string;
  nodes: ThoughtNode[];
  pruned: number;
  /** The first edge into the group, whose kind the summary's edge takes. */
  edge: ThoughtEdge;
}

/** A group's summary: the hidden nodes' tokens, cost and calls summed. */
export function summarize(id: string, parentId: string, members: readonly ThoughtNode[], count: number): PrunedGroup {
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, estimated: false };
  let costUsd: number | null = 0;
  let calls = 0;
  for (const node of members) {
    usage.promptTokens += node.usage.promptTokens;
    usage.completionTokens += node.usage.completionTokens;
    usage.estimated ||= node.usage.estimated;
    costUsd = costUsd === null || node.costUsd === null ? null : costUsd + node.costUsd;
    calls += node.calls.length;
  }
  return { id, parentId, nodeIds: members.map((n) => n.id), pruned: count, usage, costUsd, calls };
}

/** The node drawn for a group. */
export function summaryNode(group: PrunedGroup, members: readonly ThoughtNode[]): ThoughtNode {
  const lanes = new Set(members.map((n) => n.meta?.lane));
  const [lane] = lanes;
  return {
    id: group.id,
    kind: 'thought',
    text: group.reason === 'focus' ? `+${group.pruned} more` : `+${group.pruned} pruned`,
    status: group.reason === 'focus' ? 'done' : 'pruned',
    calls: [],
    usage: group.usage,
    costUsd: group.costUsd,
    latencyMs: members.reduce((sum, n) => sum + n.latencyMs, 0),
    // A lane (EoT, FrugalGPT) is kept when every hidden node was in it.
    ...(lanes.size === 1 && typeof lane === 'string' ? { meta: { lane } } : {}),
  };
}
