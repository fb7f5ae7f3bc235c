// Stage: text as it arrives. A streaming model calls onText with everything so far; the node the call
// works for shows it (`live`), at most every `everyMs` (the panel redraws on every node change, so
// each token must not be one), and the last text is always shown. Cleared when the call ends.
import type { ThoughtGraph } from '../graph/thoughtGraph';
import { splitThinking } from '../model/reasoningText';

/** Characters of streamed text a node shows: its tail, which is what is being written. */
const LIVE_CHARS = 400;

export class LiveText {
  private last = 0;
  private pending: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;

  constructor(
    private readonly graph: ThoughtGraph,
    private readonly nodeId: string,
    private readonly everyMs = 250,
  ) {}

  /** The model's onText: the answer so far and the reasoning so far. */
  readonly onText = (text: string, reasoning = ''): void => {
    const view = liveView(text, reasoning);
    if (this.done || view === '') return;
    this.pending = view;
    const wait = this.last + this.everyMs - performance.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  };

  /** The call ended: no more updates, and the node no longer shows streaming text. */
  end(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.last > 0 && this.graph.has(this.nodeId)) this.graph.update(this.nodeId, { live: undefined });
  }

  private flush(): void {
    this.timer = undefined;
    if (this.done || this.pending === undefined || !this.graph.has(this.nodeId)) return;
    this.last = performance.now();
    this.graph.update(this.nodeId, { live: this.pending });
  }
}

/** The answer's tail, or while only reasoning has come, the reasoning's tail marked as such. */
export function liveView(text: string, reasoning: string): string {
  const split = splitThinking(text);
  const thinking = [reasoning, split.reasoning].filter(Boolean).join('\n');
  const shown = split.answer.trim() ? split.answer : thinking ? `(thinking) ${thinking}` : '';
  return shown.length > LIVE_CHARS ? `…${shown.slice(-LIVE_CHARS)}` : shown;
}
