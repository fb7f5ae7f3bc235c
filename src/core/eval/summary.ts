// The summary block of evaluation results, computed from the finished items alone (so results
// rebuilt from a checkpoint summarize the same way).
import type { EvalSummary, ItemResult } from './types';
import { wilsonInterval } from './wilson';

export function summarize(items: readonly ItemResult[]): EvalSummary {
  const total = items.length;
  const correct = items.filter((i) => i.correct).length;
  const samples = items.flatMap((i) => i.samples);
  return {
    total,
    correct,
    accuracy: total === 0 ? 0 : correct / total,
    accuracyCi95: wilsonInterval(correct, total),
    sampleAccuracy: samples.length === 0 ? 0 : samples.filter((s) => s.correct).length / samples.length,
    anyCorrect: items.filter((i) => i.samples.some((s) => s.correct)).length,
    promptTokens: items.reduce((s, i) => s + i.promptTokens, 0),
    completionTokens: items.reduce((s, i) => s + i.completionTokens, 0),
    costUsd: sumCost(items),
    wallMs: items.reduce((s, i) => s + i.wallMs, 0),
  };
}

/** Total cost, or null when any item's price is unknown. */
export function sumCost(items: ReadonlyArray<{ costUsd: number | null }>): number | null {
  let total: number | null = 0;
  for (const item of items) total = total === null || item.costUsd === null ? null : total + item.costUsd;
  return total;
}
