// A run's totals: requests answered, tokens and cost as they settle, plus calls answered from the cache.
import type { RunTotals, TokenUsage } from '../graph/types';

export class RunCounters {
  private readonly counts: Omit<RunTotals, 'wallMs'> = { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, estimated: false, costUsd: 0 };

  /** `cost` null: the price is unknown, and so is the run's total from then on. */
  add(requests: number, usage: TokenUsage, cost: number | null): void {
    const c = this.counts;
    c.calls += requests;
    c.promptTokens += usage.promptTokens;
    c.completionTokens += usage.completionTokens;
    c.estimated ||= usage.estimated;
    c.costUsd = c.costUsd === null || cost === null ? null : c.costUsd + cost;
  }

  addCached(): void {
    this.counts.cachedCalls++;
  }

  totals(wallMs: number): RunTotals {
    return { ...this.counts, wallMs };
  }
}
