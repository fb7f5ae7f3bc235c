// Calibrating a FrugalGPT cascade on a labelled dataset, as the paper does: run every stage on every
// item once (answer, score, cost, correct?), then search the per-stage thresholds offline for the
// cascade that keeps accuracy within `tolerance` of the best single model at the least cost.
import type { ModelProfile } from '../../profiles';
import type { Run } from '../../run/run';
import { normalizeAnswer } from '../../tasks/normalize';
import type { Task } from '../../tasks/types';
import { runStage, type Scorer, type StageSpec } from './stage';

export interface LabelledItem {
  input: string;
  expected?: string;
}

/** One stage's result on one item. `score` is undefined for the last stage (never scored). */
export interface StageObservation {
  answer: string;
  score: number | undefined;
  /** USD of answering and scoring (0 when the price is unknown; see `priced`). */
  costUsd: number;
  /** USD of answering alone: what asking this model by itself costs. */
  answerCostUsd: number;
  correct: boolean;
  priced: boolean;
}

export interface CascadeChoice {
  thresholds: number[];
  accuracy: number;
  /** Total USD over the dataset. */
  costUsd: number;
  /** How many items each stage answered. */
  answeredBy: number[];
}

export interface CalibrationResult {
  best: CascadeChoice;
  /** Each stage asked alone: accuracy and total USD. */
  singles: Array<{ accuracy: number; costUsd: number }>;
  bestSingle: number;
  tolerance: number;
  /** False when some price was unknown: costs then count only the priced calls. */
  priced: boolean;
  items: number;
}

/** "Never accept here": above every score. */
export const NEVER = 1.01;
const MAX_CANDIDATES = 12;

function candidatesFor(scores: number[]): number[] {
  let distinct = [...new Set(scores)].sort((a, b) => a - b);
  if (distinct.length > MAX_CANDIDATES) {
    // Keep the search small: evenly spaced quantiles of the observed scores.
    distinct = Array.from({ length: MAX_CANDIDATES }, (_, i) => distinct[Math.round((i * (distinct.length - 1)) / (MAX_CANDIDATES - 1))]);
  }
  return [...distinct, NEVER];
}

/** Accuracy and cost of one threshold choice over the observations (items × stages). */
export function simulate(observations: StageObservation[][], thresholds: number[]): CascadeChoice {
  const stages = observations[0]?.length ?? 0;
  const answeredBy = new Array<number>(stages).fill(0);
  let correct = 0;
  let cost = 0;
  for (const item of observations) {
    for (let s = 0; s < stages; s++) {
      const o = item[s];
      const last = s === stages - 1;
      cost += last ? o.answerCostUsd : o.costUsd;
      if (last || (o.score !== undefined && o.score >= thresholds[s] && o.answer !== '')) {
        answeredBy[s]++;
        if (o.correct) correct++;
        break;
      }
    }
  }
  return { thresholds, accuracy: observations.length ? correct / observations.length : 0, costUsd: cost, answeredBy };
}

/** The cheapest thresholds whose accuracy is within `tolerance` of the best single stage. */
export function chooseThresholds(observations: StageObservation[][], tolerance: number): CalibrationResult {
  const stages = observations[0]?.length ?? 0;
  if (stages === 0) throw new Error('nothing to calibrate: the dataset is empty');
  const singles = Array.from({ length: stages }, (_, s) => ({
    accuracy: observations.filter((item) => item[s].correct).length / observations.length,
    costUsd: observations.reduce((sum, item) => sum + item[s].answerCostUsd, 0),
  }));
  let bestSingle = 0;
  singles.forEach((x, s) => {
    const b = singles[bestSingle];
    if (x.accuracy > b.accuracy || (x.accuracy === b.accuracy && x.costUsd < b.costUsd)) bestSingle = s;
  });
  const floor = singles[bestSingle].accuracy - tolerance - 1e-12;
  const grids = Array.from({ length: stages - 1 }, (_, s) => candidatesFor(observations.map((item) => item[s].score ?? 0)));
  let best: CascadeChoice | undefined;
  const visit = (s: number, chosen: number[]) => {
    if (s === stages - 1) {
      const choice = simulate(observations, chosen);
      if (choice.accuracy < floor) return;
      if (!best || choice.costUsd < best.costUsd - 1e-15 || (Math.abs(choice.costUsd - best.costUsd) <= 1e-15 && choice.accuracy > best.accuracy)) best = choice;
      return;
    }
    for (const t of grids[s]) visit(s + 1, [...chosen, t]);
  };
  visit(0, []);
  // Never accepting before the last stage always qualifies when the last stage is the best single one;
  // otherwise fall back to the most accurate choice found.
  best ??= simulate(observations, grids.map(() => NEVER));
  return { best, singles, bestSingle, tolerance, priced: observations.every((item) => item.every((o) => o.priced)), items: observations.length };
}

export function isCorrect(task: Task, item: LabelledItem, answer: string): boolean {
  if (item.expected !== undefined && item.expected.trim() !== '') return normalizeAnswer(answer) !== '' && normalizeAnswer(answer) === normalizeAnswer(item.expected);
  return task.judge?.(item.input, answer) ?? false;
}

/** Every stage on one item, in parallel, within `run` (which owns the budget and concurrency). */
export async function observeItem(run: Run, task: Task, item: LabelledItem, stages: StageSpec[], opts: { scorer: Scorer; samples: number; temperature: number; judge: StageSpec['model'] }): Promise<StageObservation[]> {
  const question = run.graph.addNode({ kind: 'question', text: item.input });
  const last = stages.length - 1;
  return Promise.all(
    stages.map(async (stage, i) => {
      const o = await runStage(run, task, item.input, stage, i, { id: question.id, kind: 'expand' }, { ...opts, unscored: i === last });
      return { answer: o.answer, score: o.score, costUsd: o.costUsd ?? 0, answerCostUsd: o.answerCostUsd ?? 0, correct: isCorrect(task, item, o.answer), priced: o.costUsd !== null };
    }),
  );
}

/** The chosen cascade as a profile, ready to save in thoughtscope.profiles or a --profiles file. */
export function cascadeProfile(name: string, stages: string[], result: CalibrationResult, scorer: Scorer, samples: number): ModelProfile {
  return { name, provider: 'cascade', stages, thresholds: result.best.thresholds, scorer, samples };
}

/** A few lines for people: each stage alone, the chosen thresholds, accuracy and cost. */
export function describeCalibration(stageNames: string[], r: CalibrationResult): string[] {
  const usd = (x: number) => `$${x.toFixed(6)}`;
  const lines = stageNames.map((name, s) => `  ${name} alone: accuracy ${(r.singles[s].accuracy * 100).toFixed(1)}%, cost ${usd(r.singles[s].costUsd)}${s === r.bestSingle ? '  (best single model)' : ''}`);
  const thresholds = r.best.thresholds.map((t) => (t >= NEVER ? 'never' : t.toFixed(2))).join(', ');
  lines.push(`  cascade thresholds [${thresholds}]: accuracy ${(r.best.accuracy * 100).toFixed(1)}%, cost ${usd(r.best.costUsd)}; answered per stage ${r.best.answeredBy.join(' / ')} of ${r.items}`);
  const baseline = r.singles[r.bestSingle].costUsd;
  if (baseline > 0) lines.push(`  ${Math.round((1 - r.best.costUsd / baseline) * 100)}% cheaper than the best single model, within ${(r.tolerance * 100).toFixed(1)} points of its accuracy`);
  if (!r.priced) lines.push('  some prices are unknown: costs count only priced calls (set "price" on the profiles)');
  return lines;
}

export interface CalibrationPlan {
  stages: StageSpec[];
  scorer: Scorer;
  samples: number;
  temperature: number;
  judge: StageSpec['model'];
  tolerance: number;
}

/**
 * Observe every stage on every item within one run (its budget and concurrency cover the whole
 * calibration), then choose thresholds. `taskFor` picks the task of an item (e.g. "auto").
 */
export async function calibrateCascade(run: Run, taskFor: (input: string) => Task, items: readonly LabelledItem[], plan: CalibrationPlan, onItem?: (done: number) => void): Promise<CalibrationResult> {
  let done = 0;
  const observations = await Promise.all(
    items.map(async (item) => {
      const obs = await observeItem(run, taskFor(item.input), item, plan.stages, plan);
      onItem?.(++done);
      return obs;
    }),
  );
  return chooseThresholds(observations, plan.tolerance);
}
