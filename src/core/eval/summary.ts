// The summary block of evaluation results, computed from the finished items alone (so results
// rebuilt from a checkpoint summarize the same way).
import type { EvalSummary, ItemResult, MetricSummary } from './types';
import { wilsonInterval } from './wilson';

/** The metric's name and direction, from the scorer (see scorers.ts). */
export interface MetricInfo {
  name: string;
  better: 'lower' | 'higher';
}

export function summarize(items: readonly ItemResult[], metric?: MetricInfo): EvalSummary {
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
    ...summarizeReplayed(items),
    wallMs: items.reduce((s, i) => s + i.wallMs, 0),
    ...summarizePicks(items),
    ...(metric ? { metric: summarizeMetric(items, metric) } : {}),
    ...summarizeMeasures(items),
  };
}

function summarizeMeasures(items: readonly ItemResult[]): Pick<EvalSummary, 'measures'> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const item of items) {
    for (const [name, value] of Object.entries(item.measures ?? {})) {
      const s = sums.get(name) ?? { total: 0, count: 0 };
      s.total += value;
      s.count++;
      sums.set(name, s);
    }
  }
  if (sums.size === 0) return {};
  return { measures: Object.fromEntries([...sums].map(([name, s]) => [name, s.total / s.count])) };
}

function summarizePicks(items: readonly ItemResult[]): Pick<EvalSummary, 'picks'> {
  const names = [...new Set(items.flatMap((i) => Object.keys(i.picks ?? {})))];
  if (names.length === 0) return {};
  const picks: NonNullable<EvalSummary['picks']> = {};
  for (const name of names) {
    // An item without the pick (the technique named none) counts as not solved by it.
    const correct = items.filter((i) => i.picks?.[name]?.correct === true).length;
    picks[name] = { correct, accuracy: items.length === 0 ? 0 : correct / items.length };
  }
  return { picks };
}

function summarizeReplayed(items: readonly ItemResult[]): Pick<EvalSummary, 'replayed'> {
  const replayed = items.filter((i) => i.replayed);
  if (replayed.length === 0) return {};
  return {
    replayed: {
      calls: replayed.reduce((s, i) => s + i.replayed!.calls, 0),
      promptTokens: replayed.reduce((s, i) => s + i.replayed!.promptTokens, 0),
      completionTokens: replayed.reduce((s, i) => s + i.replayed!.completionTokens, 0),
      costUsd: sumCost(replayed.map((i) => i.replayed!)),
    },
  };
}

/** What the items cost in full: spent now plus what their replayed answers cost when first sent. */
export function fullCost(summary: Pick<EvalSummary, 'costUsd' | 'replayed'>): number | null {
  const then = summary.replayed?.costUsd ?? 0;
  return summary.costUsd === null || then === null ? null : summary.costUsd + then;
}

/** The value at quantile q of sorted values, interpolating linearly between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

function summarizeMetric(items: readonly ItemResult[], metric: MetricInfo): MetricSummary {
  const values = items.flatMap((i) => (i.metric === undefined ? [] : [i.metric])).sort((a, b) => a - b);
  const mean = values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
  return {
    ...metric,
    count: values.length,
    mean,
    median: quantile(values, 0.5),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    min: values[0] ?? 0,
    max: values[values.length - 1] ?? 0,
  };
}

/** Total cost, or null when any item's price is unknown. */
export function sumCost(items: ReadonlyArray<{ costUsd: number | null }>): number | null {
  let total: number | null = 0;
  for (const item of items) total = total === null || item.costUsd === null ? null : total + item.costUsd;
  return total;
}
