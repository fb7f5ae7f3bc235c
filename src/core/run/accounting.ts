// A run's totals: requests answered, tokens (with their cached and reasoning parts) and cost as they
// settle, plus calls answered from the cache, and the run's notes (what changed how it sampled).
import type { ReplayedFrom, RunTotals, TokenUsage } from '../graph/types';

export class RunCounters {
  private readonly counts: Omit<RunTotals, 'wallMs'> = { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, estimated: false, cachedPromptTokens: 0, reasoningTokens: 0, costUsd: 0 };
  private readonly noted = new Set<string>();

  /** `cost` null: the price is unknown, and so is the run's total from then on. */
  add(requests: number, usage: TokenUsage, cost: number | null): void {
    const c = this.counts;
    c.calls += requests;
    c.promptTokens += usage.promptTokens;
    c.completionTokens += usage.completionTokens;
    c.cachedPromptTokens! += usage.cachedPromptTokens ?? 0;
    c.reasoningTokens! += usage.reasoningTokens ?? 0;
    c.estimated ||= usage.estimated;
    c.costUsd = c.costUsd === null || cost === null ? null : c.costUsd + cost;
  }

  addCached(): void {
    this.counts.cachedCalls++;
  }

  /** A call answered from the cache across runs: cached, and what it used and cost when first sent. */
  addReplayed(from: ReplayedFrom): void {
    const r = (this.counts.replayed ??= { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    r.calls++;
    r.promptTokens += from.usage.promptTokens;
    r.completionTokens += from.usage.completionTokens;
    r.costUsd = r.costUsd === null || from.costUsd === null ? null : r.costUsd + from.costUsd;
    this.counts.cachedCalls++;
  }

  /** A note for the run, kept once however many calls repeat it. */
  note(text: string): void {
    this.noted.add(text);
  }

  notes(): string[] {
    return [...this.noted];
  }

  totals(wallMs: number): RunTotals {
    return { ...this.counts, ...(this.counts.replayed ? { replayed: { ...this.counts.replayed } } : {}), wallMs };
  }
}
