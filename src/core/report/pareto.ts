// Accuracy against cost per item for several evaluations of the same data, and the Pareto frontier:
// the evaluations no other one beats on both (as FrugalGPT plots its cascades against single models).
// Evaluations with a measure (the got-* tasks' error count) are also placed at that measure against
// cost, with its own frontier and a text box plot per evaluation: the GoT paper's figure of errors
// (box plots) against total cost for IO, CoT, ToT, ToT2 and GoT.
import { markdownTable } from '../compare/table';
import { fullCost } from '../eval/summary';
import type { EvalResults, MetricSummary } from '../eval/types';
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
  /** USD per item (replayed answers at what they first cost; see fullCostPerItem), null when the price is unknown. */
  costPerItem: number | null;
  tokensPerItem: number;
  onFrontier: boolean;
  /** The scorer's measure (errors or score) over the items, when it has one. */
  metric?: MetricSummary;
  /** On the frontier of the measure's median against cost (fewer errors, or a higher score, at lower cost). */
  onMetricFrontier?: boolean;
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

/**
 * USD per item, with answers replayed from the cache across runs at what they cost when first sent, so a
 * re-run that paid for little compares by what its technique costs; null when a price is unknown.
 */
export function fullCostPerItem(r: EvalResults): number | null {
  const cost = fullCost(r.summary);
  return cost === null || r.summary.total === 0 ? null : cost / r.summary.total;
}

export function buildReport(results: readonly EvalResults[]): Report {
  const points: ReportPoint[] = results.map((r) => {
    const n = r.summary.total;
    return {
      label: `${r.meta.technique}${typeof r.meta.params.approach === 'string' ? ` (${r.meta.params.approach})` : ''} · ${r.meta.model}`,
      technique: r.meta.technique,
      model: r.meta.model,
      params: r.meta.params,
      items: n,
      accuracy: r.summary.accuracy,
      accuracyCi95: r.summary.accuracyCi95,
      anyCorrect: r.summary.anyCorrect,
      costPerItem: fullCostPerItem(r),
      tokensPerItem: n === 0 ? 0 : (r.summary.promptTokens + r.summary.completionTokens + (r.summary.replayed?.promptTokens ?? 0) + (r.summary.replayed?.completionTokens ?? 0)) / n,
      onFrontier: false,
      ...(r.summary.metric && r.summary.metric.count > 0 ? { metric: r.summary.metric, onMetricFrontier: false } : {}),
    };
  });
  // Only points with a known cost can be placed on the frontier.
  const priced = points.map((p, i) => ({ i, cost: p.costPerItem, accuracy: p.accuracy })).filter((p): p is { i: number; cost: number; accuracy: number } => p.cost !== null);
  for (const k of paretoFrontier(priced)) points[priced[k].i].onFrontier = true;
  // The measure's frontier: accuracy's role is played by the median, negated when fewer is better.
  const measured = points
    .map((p, i) => ({ i, cost: p.costPerItem, metric: p.metric }))
    .filter((p): p is { i: number; cost: number; metric: MetricSummary } => p.cost !== null && p.metric !== undefined)
    .map((p) => ({ i: p.i, cost: p.cost, accuracy: p.metric.better === 'lower' ? -p.metric.median : p.metric.median }));
  for (const k of paretoFrontier(measured)) points[measured[k].i].onMetricFrontier = true;
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
    ...metricSection(report),
  ].join('\n');
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** The measure against cost: a table, then one text box plot per evaluation on a shared scale, cheapest first. */
function metricSection(report: Report): string[] {
  const measured = report.points.filter((p) => p.metric).sort((a, b) => (a.costPerItem ?? Infinity) - (b.costPerItem ?? Infinity));
  if (measured.length === 0) return [];
  const name = measured[0].metric!.name;
  const better = measured[0].metric!.better === 'lower' ? 'fewer is better' : 'higher is better';
  const rows = measured.map((p) => {
    const m = p.metric!;
    return [p.label, String(m.count), num(m.median), `${num(m.q1)}–${num(m.q3)}`, num(m.mean), `${num(m.min)}–${num(m.max)}`, formatUsd(p.costPerItem), p.onMetricFrontier ? 'yes' : ''];
  });
  const top = Math.max(...measured.map((p) => p.metric!.max), 1);
  const width = Math.max(...measured.map((p) => p.label.length));
  const plots = measured.map((p) => `${p.label.padEnd(width)}  ${boxPlot(p.metric!, top)}  ${num(p.metric!.median)} · ${formatUsd(p.costPerItem)}/item`);
  return [
    `## ${name === 'errors' ? 'Errors' : 'Score'} against cost (${better})`,
    '',
    `Per item: median, quartiles, mean and range of the ${name}; "frontier" marks the evaluations no other beats on both the median and the cost.`,
    '',
    markdownTable(['evaluation', 'items', `median ${name}`, 'quartiles', 'mean', 'range', 'cost / item', 'frontier'], rows),
    '',
    `Box plots, cheapest first (scale 0 to ${num(top)}; - whiskers from min to max, = quartiles, | median):`,
    '',
    '```',
    ...plots,
    '```',
    '',
  ];
}

/** A 40-column text box plot of one measure on the scale 0..top. */
export function boxPlot(m: MetricSummary, top: number, width = 40): string {
  const at = (v: number) => Math.min(width - 1, Math.max(0, Math.round((v / top) * (width - 1))));
  const cells = Array.from({ length: width }, () => ' ');
  for (let c = at(m.min); c <= at(m.max); c++) cells[c] = '-';
  for (let c = at(m.q1); c <= at(m.q3); c++) cells[c] = '=';
  cells[at(m.median)] = '|';
  return `[${cells.join('')}]`;
}
