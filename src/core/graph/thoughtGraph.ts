import type {
  CallRecord,
  EdgeKind,
  GraphEvent,
  GraphSnapshot,
  NodeKind,
  NodeStatus,
  ThoughtEdge,
  ThoughtNode,
  TokenUsage,
} from './types';
import { CALL_BYTES, GrowthLimitError, NODE_BYTES, UNLIMITED_GROWTH, growthViolation, textBytes, type GrowthLimits } from './growth';

export type GraphListener = (event: GraphEvent) => void;

export interface NewNode {
  kind: NodeKind;
  text: string;
  status?: NodeStatus;
  score?: number;
  meta?: ThoughtNode['meta'];
}

export type NodePatch = Partial<Pick<ThoughtNode, 'text' | 'status' | 'score' | 'error' | 'meta' | 'live'>>;

/**
 * The thought graph of one run. Every change is emitted as an event so views can draw it live.
 * Growth is bounded by `limits`: a node past them is refused with a GrowthLimitError (and
 * `onLimit` told why); a call recorded past the text limit is kept, since it was paid for, and
 * `onLimit` stops the run.
 */
export class ThoughtGraph {
  private readonly nodeMap = new Map<string, ThoughtNode>();
  private readonly depths = new Map<string, number>();
  private readonly edgeList: ThoughtEdge[] = [];
  private readonly listeners = new Set<GraphListener>();
  private nextId = 0;
  private keptBytes = 0;

  constructor(
    private readonly limits: GrowthLimits = UNLIMITED_GROWTH,
    private readonly onLimit: (reason: string) => void = () => {},
  ) {}

  get size(): number {
    return this.nodeMap.size;
  }

  /** The memory the graph holds, estimated (see growth.ts). */
  get memoryBytes(): number {
    return this.keptBytes;
  }

  /** Why one more node (or call) may not be added, if it may not. */
  limitReached(): string | undefined {
    return growthViolation(this.limits, this.nodeMap.size, 0, this.keptBytes + NODE_BYTES);
  }

  on(listener: GraphListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: GraphEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  addNode(spec: NewNode, parents: Array<{ id: string; kind: EdgeKind; label?: string }> = []): ThoughtNode {
    const id = `n${this.nextId++}`;
    const node: ThoughtNode = {
      id,
      kind: spec.kind,
      text: spec.text,
      status: spec.status ?? 'done',
      score: spec.score,
      meta: spec.meta,
      calls: [],
      usage: { promptTokens: 0, completionTokens: 0, estimated: false },
      costUsd: 0,
      latencyMs: 0,
    };
    let depth = 0;
    for (const p of parents) {
      if (!this.nodeMap.has(p.id)) throw new Error(`unknown parent node ${p.id}`);
      depth = Math.max(depth, (this.depths.get(p.id) ?? 0) + 1);
    }
    const bytes = NODE_BYTES + textBytes(spec.text.length);
    const violation = growthViolation(this.limits, this.nodeMap.size, depth, this.keptBytes + bytes);
    if (violation) {
      this.onLimit(violation);
      throw new GrowthLimitError(violation);
    }
    this.keptBytes += bytes;
    this.depths.set(id, depth);
    this.nodeMap.set(id, node);
    const edges = parents.map((p) => ({ from: p.id, to: id, kind: p.kind, label: p.label }));
    this.edgeList.push(...edges);
    this.emit({ type: 'nodeAdded', node, parents: edges });
    return node;
  }

  addEdge(from: string, to: string, kind: EdgeKind, label?: string): void {
    if (!this.nodeMap.has(from) || !this.nodeMap.has(to)) throw new Error(`edge between unknown nodes ${from} -> ${to}`);
    const edge = { from, to, kind, label };
    this.edgeList.push(edge);
    this.emit({ type: 'edgeAdded', edge });
  }

  update(id: string, patch: NodePatch): ThoughtNode {
    const node = this.get(id);
    if (patch.text !== undefined) this.keep(textBytes(patch.text.length - node.text.length));
    Object.assign(node, patch);
    this.emit({ type: 'nodeUpdated', node });
    return node;
  }

  /** Attach a finished model call to a node and add it to the node's totals. */
  recordCall(id: string, call: CallRecord): ThoughtNode {
    const node = this.get(id);
    node.calls.push(call);
    this.keep(CALL_BYTES + textBytes(call.prompt.length + call.responses.reduce((sum, r) => sum + r.length, 0) + (call.reasoning ?? []).reduce((sum, r) => sum + r.length, 0)));
    node.usage = addUsage(node.usage, call.usage);
    node.costUsd = node.costUsd === null || call.costUsd === null ? null : node.costUsd + call.costUsd;
    node.latencyMs += call.latencyMs;
    node.model = call.model;
    node.prompt = call.prompt;
    node.response = call.responses[0];
    this.emit({ type: 'nodeUpdated', node });
    return node;
  }

  private keep(bytes: number): void {
    this.keptBytes += bytes;
    const violation = growthViolation(this.limits, 0, 0, this.keptBytes);
    if (violation) this.onLimit(violation);
  }

  get(id: string): ThoughtNode {
    const node = this.nodeMap.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    return node;
  }

  has(id: string): boolean {
    return this.nodeMap.has(id);
  }

  nodes(): ThoughtNode[] {
    return [...this.nodeMap.values()];
  }

  edges(): ThoughtEdge[] {
    return [...this.edgeList];
  }

  parentsOf(id: string): string[] {
    return this.edgeList.filter((e) => e.to === id).map((e) => e.from);
  }

  snapshot(): GraphSnapshot {
    return { nodes: this.nodes(), edges: this.edges() };
  }
}

/** Two token counts added; the cached and reasoning parts appear only once either side has them. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum: TokenUsage = { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, estimated: a.estimated || b.estimated };
  if (a.cachedPromptTokens || b.cachedPromptTokens) sum.cachedPromptTokens = (a.cachedPromptTokens ?? 0) + (b.cachedPromptTokens ?? 0);
  if (a.reasoningTokens || b.reasoningTokens) sum.reasoningTokens = (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0);
  return sum;
}
