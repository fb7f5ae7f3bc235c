// A copy of the current run: run info, graph snapshot and (once finished) the summary, kept up to date
// by applying the host's GraphEvents in order. The panel draws from it; the extension host keeps one
// per view (src/view/thoughtGraphViewProvider.ts) to restore a panel that opens or reopens mid-run.
import type { GraphEvent, GraphSnapshot, RunSummary, RunTotals, ThoughtNode } from '../core/graph/types';
import type { RunInfo } from './messages';

export class GraphState {
  run: RunInfo | undefined;
  summary: RunSummary | undefined;
  private nodes: ThoughtNode[] = [];
  private index = new Map<string, number>();
  private edges: GraphSnapshot['edges'] = [];

  reset(run: RunInfo, graph: GraphSnapshot = { nodes: [], edges: [] }, summary?: RunSummary): void {
    this.run = run;
    this.summary = summary;
    this.nodes = [];
    this.index.clear();
    this.edges = [];
    for (const node of graph.nodes) this.putNode(node);
    this.edges = [...graph.edges];
  }

  get running(): boolean {
    return this.run !== undefined && this.summary === undefined;
  }

  /** Apply events; returns true when the graph itself (not only the summary) changed. */
  apply(events: GraphEvent[]): boolean {
    let graphChanged = false;
    for (const event of events) {
      switch (event.type) {
        case 'nodeAdded':
          this.putNode(event.node);
          this.edges.push(...event.parents);
          graphChanged = true;
          break;
        case 'nodeUpdated':
          this.putNode(event.node);
          graphChanged = true;
          break;
        case 'edgeAdded':
          this.edges.push(event.edge);
          graphChanged = true;
          break;
        case 'runFinished':
          this.summary = event.summary;
          break;
      }
    }
    return graphChanged;
  }

  private putNode(node: ThoughtNode): void {
    const at = this.index.get(node.id);
    if (at === undefined) {
      this.index.set(node.id, this.nodes.length);
      this.nodes.push(node);
    } else {
      this.nodes[at] = node;
    }
  }

  node(id: string): ThoughtNode | undefined {
    const at = this.index.get(id);
    return at === undefined ? undefined : this.nodes[at];
  }

  snapshot(): GraphSnapshot {
    return { nodes: this.nodes, edges: this.edges };
  }

  /** Totals summed over the nodes (what the header shows while the run is going). */
  nodeTotals(): Omit<RunTotals, 'wallMs'> {
    return sumNodes(this.nodes);
  }

  /** The header's totals: the run's own summary once finished, the sum over nodes before. */
  totals(now: number): RunTotals {
    if (this.summary) return this.summary.totals;
    const wallMs = this.run ? Math.max(0, now - this.run.startedAt) : 0;
    return { ...this.nodeTotals(), wallMs };
  }
}

export function sumNodes(nodes: readonly ThoughtNode[]): Omit<RunTotals, 'wallMs'> {
  const totals: Omit<RunTotals, 'wallMs'> = {
    calls: 0,
    cachedCalls: 0,
    promptTokens: 0,
    completionTokens: 0,
    estimated: false,
    costUsd: 0,
  };
  for (const node of nodes) {
    totals.calls += node.calls.length;
    totals.cachedCalls += node.calls.filter((c) => c.cached).length;
    for (const call of node.calls) {
      if (!call.replayed) continue;
      const r = (totals.replayed ??= { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
      r.calls++;
      r.promptTokens += call.replayed.usage.promptTokens;
      r.completionTokens += call.replayed.usage.completionTokens;
      r.costUsd = r.costUsd === null || call.replayed.costUsd === null ? null : r.costUsd + call.replayed.costUsd;
    }
    totals.promptTokens += node.usage.promptTokens;
    totals.completionTokens += node.usage.completionTokens;
    totals.estimated ||= node.usage.estimated;
    totals.costUsd = totals.costUsd === null || node.costUsd === null ? null : totals.costUsd + node.costUsd;
  }
  return totals;
}
