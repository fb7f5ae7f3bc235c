// Answers from the run's cache resolve as microtasks, and everything a technique does with them runs in
// the same microtask queue: a technique that multiplies cached calls (a Graph of Thoughts file feeding
// each operation's identical thoughts to the next) could keep the event loop busy for minutes, with no
// timer, no I/O and no Ctrl+C handler running. So each cached answer is handed out on a turn of the
// event loop of its own: between two of them, signals, timers and I/O run, and a cancel is seen.
export class EventLoopTurns {
  private readonly waiting: Array<() => void> = [];
  private pumping = false;

  /** Resolves on a later turn of the event loop, one waiter per turn, in order. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.pumping) {
        this.pumping = true;
        setImmediate(this.pump);
      }
    });
  }

  // An immediate queued from an immediate runs on the next turn, after the poll phase (signals, I/O).
  private readonly pump = (): void => {
    this.waiting.shift()?.();
    if (this.waiting.length > 0) setImmediate(this.pump);
    else this.pumping = false;
  };
}
