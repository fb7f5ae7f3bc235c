// What the graph views were last told about the current run, kept from the messages posted to them:
// a panel that opens (the side view shown again, an editor tab) mid-run is brought up to date from it
// with one `restore`, while the other panels go on with their events. No vscode import.
import { GraphState } from '../shared/graphState';
import type { HostToWebview } from '../shared/messages';

export class RunMirror {
  private readonly state = new GraphState();
  /** The error shown with the current run (a failed start, a failed run); cleared by a new run. */
  private error: HostToWebview | undefined;

  /** Take note of a message posted to the views. */
  see(message: HostToWebview): void {
    switch (message.type) {
      case 'runStarted':
        this.state.reset(message.run);
        this.error = undefined;
        break;
      case 'restore':
        this.state.reset(message.run, message.graph, message.summary);
        this.error = undefined;
        break;
      case 'graphEvents':
        if (message.runId === this.state.run?.runId) this.state.apply(message.events);
        break;
      case 'error':
        this.error = message;
        break;
    }
  }

  /** The messages that show a panel what the others show: the run as it is now, then its error. */
  catchUp(): HostToWebview[] {
    const out: HostToWebview[] = [];
    const run = this.state.run;
    if (run) out.push({ type: 'restore', run, graph: this.state.snapshot(), ...(this.state.summary ? { summary: this.state.summary } : {}) });
    if (this.error) out.push(this.error);
    return out;
  }

  /** The id of the run the views show, if any. */
  get runId(): string | undefined {
    return this.state.run?.runId;
  }
}
