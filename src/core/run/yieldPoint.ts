// Calls answered from the cache resolve as microtasks, so a technique that multiplies cached calls can
// keep the event loop busy for minutes: no timer, no I/O and no Ctrl+C handler runs. Every call passes
// here, and at most every `everyMs` it waits for one turn of the event loop.
export class YieldPoint {
  private last = performance.now();

  constructor(private readonly everyMs = 50) {}

  async pass(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
