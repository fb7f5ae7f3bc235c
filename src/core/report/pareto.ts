// Accuracy against cost per item for several evaluations of the same data, and the Pareto frontier:
// the evaluations no other one beats on both (as FrugalGPT plots its cascades against single models).
import { markdownTable } from '../compare/table';
import type { EvalResults } from '../eval/types';
import { formatUsd } from '../formatUsd';

export interface ReportPoint {
  label: string;
  technique: string;
  model: string;
  params: Record<string, unknown>;
  items: number;
  accuracy: number;
  accuracyCi95: [number, number];
  anyCorrect: number;
  /** USD per item, null when the price is unknown. */
  costPerItem: number | null;
  tokensPerItem: number;
  onFrontier: boolean;
}

export interface Report {
  dataset: string;
  /** Set when the evaluations were not all on the same data. */
  warning?: string;
  points: ReportPoint[];
}

/** Indices of the points on the frontier: no other point is at most as costly and at least as accurate, and better in one. */
export function paretoFrontier(points: ReadonlyArray<{ cost: number; accuracy: number }>): number[] {
  return points
    .map((p, i) => ({ p, i }))
    .filter(({ p, i }) => !points.some((q, j) => j !== i && q.cost <= p.cost && q.accuracy >= p.accuracy && (q.cost < p.cost || q.accuracy > p.accuracy)))
    .map(({ i }) => i);
}

export function buildReport(results: readonly EvalResults[]): Report {
  const points: ReportPoint[] = results.map((r) => {
    const n = r.summary.total;
    return {
      label: `${r.meta.technique} · ${r.meta.model}`,
      technique: r.meta.technique,
      model: r.meta.model,
      params: r.meta.params,
      items: n,
      accuracy: r.summary.accuracy,
      accuracyCi95: r.summary.accuracyCi95,
      anyCorrect: r.summary.anyCorrect,
      costPerItem: r.summary.costUsd === null || n === 0 ? null : r.summary.costUsd / n,
      tokensPerItem: n === 0 ? 0 : (r.summary.promptTokens + r.summary.completionTokens) / n,
      onFrontier: false,
    };
  });
  // Only points with a known cost can be placed on the frontier.
  const priced = points.map((p, i) => ({ i, cost: p.costPerItem, accuracy: p.accuracy })).filter((p): p is { i: number; cost: number; accuracy: number } => p.cost !== null);
  for (const k of paretoFrontier(priced)) points[priced[k].i].onFrontier = true;
  const datasets = [...new Set(results.map((r) => `${r.meta.task} on ${r.meta.dataset}`))];
  return {
    dataset: datasets.join('; '),
    ...(datasets.length > 1 ? { warning: `these evaluations are not on the same data (${datasets.join(' / ')}); compare with care` } : {}),
    points,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function reportMarkdown(report: Report): string {
  const rows = [...report.points]
    .sort((a, b) => (a.costPerItem ?? Infinity) - (b.costPerItem ?? Infinity))
    .map((p) => [
      p.technique,
      p.model,
      Object.entries(p.params).map(([k, v]) => `${k}=${String(v)}`).join(' '),
      String(p.items),
      pct(p.accuracy),
      `${pct(p.accuracyCi95[0])}–${pct(p.accuracyCi95[1])}`,
      `${p.anyCorrect}/${p.items}`,
      formatUsd(p.costPerItem),
      p.tokensPerItem.toFixed(0),
      p.onFrontier ? 'yes' : '',
    ]);
  return [
    '# Thoughtscope evaluation report',
    '',
    `Data: ${report.dataset}`,
    ...(report.warning ? ['', `**Warning:** ${report.warning}`] : []),
    '',
    'Accuracy against cost per item; "frontier" marks the evaluations no other beats on both (the Pareto frontier).',
    '',
    markdownTable(['technique', 'model', 'parameters', 'items', 'accuracy', '95% CI (Wilson)', 'best of k', 'cost / item', 'tokens / item', 'frontier'], rows),
    '',
  ].join('\n');
}
