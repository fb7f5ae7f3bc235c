// Collects graph events and hands them on in batches, at most one batch every `intervalMs`, so a
// run that changes hundreds of nodes a second does not flood the webview. A run's end is flushed
// at once. No vscode import.
import type { GraphEvent } from '../core/graph/types';

export class EventBatcher {
  private pending: GraphEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (events: GraphEvent[]) => void,
    private readonly intervalMs = 50,
  ) {}

  push(event: GraphEvent): void {
    this.pending.push(event);
    if (event.type === 'runFinished') this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Send what is pending now. */
  flush(): void {
    this.clearTimer();
    if (this.pending.length === 0) return;
    const events = compact(this.pending);
    this.pending = [];
    this.send(events);
  }

  /** Drop what is pending (a full snapshot is being sent instead). */
  discard(): void {
    this.clearTimer();
    this.pending = [];
  }

  dispose(): void {
    this.discard();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Events carry the graph's live node objects, which are serialized when the batch is posted, so
 * every copy of a node in a batch shows its latest state: one per node is enough. A nodeUpdated is
 * dropped when the batch already holds that node (added or updated earlier in the batch).
 */
export function compact(events: readonly GraphEvent[]): GraphEvent[] {
  const present = new Set<string>();
  const out: GraphEvent[] = [];
  for (const event of events) {
    if (event.type === 'nodeUpdated') {
      if (present.has(event.node.id)) continue;
      present.add(event.node.id);
    } else if (event.type === 'nodeAdded') {
      present.add(event.node.id);
    }
    out.push(event);
  }
  return out;
}
