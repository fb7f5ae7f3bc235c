// Pass thresholds of an experiment: "[label[@model]] metric op value", e.g. "tot accuracy >= 0.6",
// "cost per item <= $0.01", "got@gpt-4o median errors < 3". Each names the runs it applies to (a
// technique's label, optionally on one model; none: every run) and must hold for each of them.
// Cost per item counts answers replayed from the response cache at what they first cost, so a gate
// does not pass because a re-run was cheap.
import { fullCost } from '../eval/summary';
import type { EvalResults } from '../eval/types';
import { formatUsd } from '../pricing';

export const METRICS = ['accuracy', 'sample accuracy', 'best of k', 'cost per item', 'tokens per item', 'calls per item', 'median errors', 'mean errors', 'median score', 'mean score'] as const;
export type MetricName = (typeof METRICS)[number];

const OPS = { '>=': (a: number, b: number) => a >= b, '<=': (a: number, b: number) => a <= b, '>': (a: number, b: number) => a > b, '<': (a: number, b: number) => a < b, '=': (a: number, b: number) => Math.abs(a - b) < 1e-12 } as const;
type Op = keyof typeof OPS;

export interface Threshold {
  /** As written. */
  text: string;
  /** The technique label it applies to (undefined: every run), and the model if one is named. */
  label?: string;
  model?: string;
  metric: MetricName;
  op: Op;
  value: number;
}

export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdError';
  }
}

const SHAPE = /^\s*(?:([A-Za-z0-9][A-Za-z0-9._-]*)(?:@(\S+))?\s+)??([a-z][a-z -]*?)\s*(>=|<=|==|=|>|<|≥|≤)\s*(\$)?(-?(?:\d+(?:\.\d*)?|\.\d+))(%)?\s*$/;

/** One threshold, or a ThresholdError saying what is wrong with it (the caller adds where it is). */
export function parseThreshold(text: string): Threshold {
  const m = SHAPE.exec(text);
  if (!m) throw new ThresholdError(`"${text}" is not "[label] metric op value", e.g. "tot accuracy >= 0.6" or "cost per item <= $0.01"`);
  let [, label, model, metricText, opText, dollar, number, percent] = m;
  let metric = metricText.replace(/\s+/g, ' ').trim();
  // "tot accuracy": the regex takes a label of letters as part of the metric; a first word that no metric
  // starts with is the label.
  const space = metric.indexOf(' ');
  if (!label && space > 0 && !(METRICS as readonly string[]).includes(metric) && !METRICS.some((m) => m.startsWith(`${metric.slice(0, space)} `) || m === metric.slice(0, space))) {
    label = metric.slice(0, space);
    metric = metric.slice(space + 1);
  }
  if (!(METRICS as readonly string[]).includes(metric)) throw new ThresholdError(`"${text}": unknown metric "${metric}"; known: ${METRICS.join(', ')}`);
  const op = (opText === '≥' ? '>=' : opText === '≤' ? '<=' : opText === '==' ? '=' : opText) as Op;
  let value = Number(number);
  if (percent) value /= 100;
  if (dollar && metric !== 'cost per item') throw new ThresholdError(`"${text}": a $ amount is for cost per item`);
  if (percent && !['accuracy', 'sample accuracy'].includes(metric)) throw new ThresholdError(`"${text}": a percentage is for accuracy or sample accuracy`);
  return { text: text.trim(), ...(label ? { label } : {}), ...(model ? { model } : {}), metric: metric as MetricName, op, value };
}

/** One run of the experiment, as the thresholds see it. */
export interface RunOutcome {
  label: string;
  model: string;
  results: EvalResults;
}

export interface ThresholdCheck {
  threshold: string;
  label: string;
  model: string;
  /** The measured value (null: cannot be measured, e.g. an unknown price); `pass` is false then. */
  actual: number | null;
  pass: boolean;
  /** "tot on gpt-4o-mini: accuracy 0.5 < 0.6", for people. */
  detail: string;
}

/** The runs a threshold applies to. */
export function runsOf(threshold: Threshold, runs: readonly RunOutcome[]): RunOutcome[] {
  return runs.filter((r) => (threshold.label === undefined || r.label === threshold.label) && (threshold.model === undefined || r.model === threshold.model));
}

export function measure(metric: MetricName, results: EvalResults): number | null {
  const s = results.summary;
  const n = s.total;
  if (n === 0) return null;
  switch (metric) {
    case 'accuracy':
      return s.accuracy;
    case 'sample accuracy':
      return s.sampleAccuracy;
    case 'best of k':
      return s.anyCorrect / n;
    case 'cost per item': {
      const cost = fullCost(s);
      return cost === null ? null : cost / n;
    }
    case 'tokens per item':
      return (s.promptTokens + s.completionTokens + (s.replayed?.promptTokens ?? 0) + (s.replayed?.completionTokens ?? 0)) / n;
    case 'calls per item':
      return (results.items.reduce((sum, i) => sum + i.calls, 0) + (s.replayed?.calls ?? 0)) / n;
    default: {
      const [stat, name] = metric.split(' ') as ['median' | 'mean', string];
      if (!s.metric || s.metric.name !== name || s.metric.count === 0) return null;
      return stat === 'median' ? s.metric.median : s.metric.mean;
    }
  }
}

function show(metric: MetricName, value: number): string {
  if (metric === 'cost per item') return formatUsd(value);
  return String(Number(value.toFixed(4)));
}

/** Every threshold checked on every run it applies to. */
export function checkThresholds(thresholds: readonly Threshold[], runs: readonly RunOutcome[]): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  for (const t of thresholds) {
    for (const run of runsOf(t, runs)) {
      const actual = measure(t.metric, run.results);
      const pass = actual !== null && OPS[t.op](actual, t.value);
      const measured = actual === null ? `${t.metric} unknown (${t.metric === 'cost per item' ? 'a price is unknown' : 'nothing measured'})` : `${t.metric} ${show(t.metric, actual)}`;
      checks.push({ threshold: t.text, label: run.label, model: run.model, actual, pass, detail: `${run.label} on ${run.model}: ${measured}, needs ${t.op} ${show(t.metric, t.value)}` });
    }
  }
  return checks;
}
