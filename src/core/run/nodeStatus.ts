// A node's status while calls run for it: "running" while any is in flight, then back to what it was
// (a node already marked selected or pruned keeps that mark), or failed / cancelled.
import type { ThoughtGraph } from '../graph/thoughtGraph';

export type CallEnd = 'done' | 'failed' | 'cancelled';

export class NodeStatusTracker {
  private readonly running = new Map<string, number>();
  private readonly statusBefore = new Map<string, string>();

  constructor(private readonly graph: ThoughtGraph) {}

  begin(nodeId: string): void {
    this.change(nodeId, +1);
  }

  end(nodeId: string, how: CallEnd): void {
    this.change(nodeId, -1, how);
  }

  private change(nodeId: string, delta: number, after?: CallEnd): void {
    const count = (this.running.get(nodeId) ?? 0) + delta;
    this.running.set(nodeId, count);
    const node = this.graph.get(nodeId);
    if (delta > 0 && node.status !== 'running') {
      this.statusBefore.set(nodeId, node.status);
      this.graph.update(nodeId, { status: 'running' });
    } else if (delta < 0 && after && node.status === 'running') {
      if (after !== 'done') this.graph.update(nodeId, { status: after });
      else if (count === 0) {
        const before = this.statusBefore.get(nodeId);
        this.graph.update(nodeId, { status: before === 'selected' || before === 'pruned' ? before : 'done' });
      }
    }
    if (count === 0) {
      this.statusBefore.delete(nodeId);
      this.running.delete(nodeId);
    }
  }
}
