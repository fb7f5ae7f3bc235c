// Calibrating a FrugalGPT cascade on a labelled dataset, as the paper does: run every candidate
// profile on every item once (answer, score, cost, correct?), split the items into a training and a
// held-out test part (seeded), then search offline — on the training part — which profiles to chain
// in what order (every ordered choice of up to `maxLength` candidates, as the reference's
// `itertools.permutations`) and each chain's thresholds. With a budget (mean USD per item) the
// objective is the paper's: the most accurate cascade within the budget. Without one, it is the
// cheapest cascade whose accuracy is within `tolerance` of the best single profile. The chosen cascade
// and each profile alone are then measured on the test part, which the search never saw.
import type { ModelProfile } from '../../profiles';
import type { Run } from '../../run/run';
import { expectedScorer } from '../../eval/taskScorer';
import { normalizeAnswer } from '../../tasks/normalize';
import type { Task } from '../../tasks/types';
import { seededSample } from '../seededDraw';
import { renderStagePrompts, runStage, type Scorer, type StageSpec } from './stage';

export interface LabelledItem {
  input: string;
  expected?: string;
}

/** One candidate's result on one item. `score` is undefined when it was not scored. */
export interface StageObservation {
  answer: string;
  score: number | undefined;
  /** USD of answering and scoring (0 when the price is unknown; see `priced`). */
  costUsd: number;
  /** USD of answering once: what asking this model by itself (or last in a cascade) costs. */
  answerCostUsd: number;
  correct: boolean;
  priced: boolean;
}

export interface CascadeChoice {
  /** Candidate indices in the order the cascade asks them. */
  chain: number[];
  thresholds: number[];
  accuracy: number;
  /** Total USD over the items, answering and scoring. */
  costUsd: number;
  /** The part of `costUsd` spent on scoring (extra samples, judge calls). */
  scoringUsd: number;
  /** How many items each stage of the chain answered. */
  answeredBy: number[];
}

export interface SingleResult {
  accuracy: number;
  costUsd: number;
}

export interface CalibrationResult {
  /** The chosen cascade, fitted and measured on the training items. */
  best: CascadeChoice;
  /** Each candidate asked alone, on the training items. */
  singles: SingleResult[];
  /** The most accurate single candidate on the training items (cheapest among equals). */
  bestSingle: number;
  tolerance: number;
  /** Mean USD per item the cascade may spend (the paper's objective), when set. */
  budgetUsd?: number;
  /** False when some price was unknown: costs then count only the priced calls. */
  priced: boolean;
  /** Training items. */
  items: number;
  /** The chosen cascade and each candidate alone on the held-out items; absent without a split. */
  test?: { items: number; cascade: CascadeChoice; singles: SingleResult[] };
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

/** Accuracy and cost of one chain with thresholds over the observations (items × candidates). */
export function simulate(observations: StageObservation[][], thresholds: number[], chain: number[] = observations[0]?.map((_, i) => i) ?? []): CascadeChoice {
  const answeredBy = new Array<number>(chain.length).fill(0);
  let correct = 0;
  let cost = 0;
  let scoring = 0;
  for (const item of observations) {
    for (let s = 0; s < chain.length; s++) {
      const o = item[chain[s]];
      const last = s === chain.length - 1;
      cost += last ? o.answerCostUsd : o.costUsd;
      if (!last) scoring += o.costUsd - o.answerCostUsd;
      if (last || (o.score !== undefined && o.score >= thresholds[s] && o.answer !== '')) {
        answeredBy[s]++;
        if (o.correct) correct++;
        break;
      }
    }
  }
  return { chain, thresholds, accuracy: observations.length ? correct / observations.length : 0, costUsd: cost, scoringUsd: scoring, answeredBy };
}

export function singlesOf(observations: StageObservation[][]): SingleResult[] {
  const count = observations[0]?.length ?? 0;
  return Array.from({ length: count }, (_, s) => ({
    accuracy: observations.length ? observations.filter((item) => item[s].correct).length / observations.length : 0,
    costUsd: observations.reduce((sum, item) => sum + item[s].answerCostUsd, 0),
  }));
}

/** Every ordered choice of 1..maxLength distinct candidates (the reference enumerates permutations). */
export function chainsUpTo(candidates: number, maxLength: number): number[][] {
  const out: number[][] = [];
  const extend = (chain: number[]) => {
    if (chain.length > 0) out.push(chain);
    if (chain.length >= maxLength) return;
    for (let i = 0; i < candidates; i++) if (!chain.includes(i)) extend([...chain, i]);
  };
  extend([]);
  return out;
}

export interface SearchOptions {
  /** Accuracy may fall this far below the best single candidate (used without a budget). */
  tolerance: number;
  /** Mean USD per item: the most accurate cascade within it wins (the paper's objective). */
  budgetUsd?: number;
  /** Chains to consider; default: the candidates in the given order only. */
  chains?: number[][];
}

/** Whether `a` beats `b` under the objective. */
function better(a: CascadeChoice, b: CascadeChoice | undefined, budget: boolean): boolean {
  if (!b) return true;
  const eps = 1e-15;
  if (budget) return a.accuracy > b.accuracy + 1e-12 || (Math.abs(a.accuracy - b.accuracy) <= 1e-12 && a.costUsd < b.costUsd - eps);
  return a.costUsd < b.costUsd - eps || (Math.abs(a.costUsd - b.costUsd) <= eps && a.accuracy > b.accuracy);
}

/** The chain and thresholds that best meet the objective on these observations. */
export function chooseCascade(observations: StageObservation[][], options: SearchOptions): CalibrationResult {
  const count = observations[0]?.length ?? 0;
  if (count === 0) throw new Error('nothing to calibrate: the dataset is empty');
  const singles = singlesOf(observations);
  let bestSingle = 0;
  singles.forEach((x, s) => {
    const b = singles[bestSingle];
    if (x.accuracy > b.accuracy || (x.accuracy === b.accuracy && x.costUsd < b.costUsd)) bestSingle = s;
  });
  const budget = options.budgetUsd;
  const fits = (c: CascadeChoice) =>
    budget !== undefined ? c.costUsd <= budget * observations.length + 1e-12 : c.accuracy >= singles[bestSingle].accuracy - options.tolerance - 1e-12;
  const chains = options.chains ?? [Array.from({ length: count }, (_, i) => i)];
  let best: CascadeChoice | undefined;
  for (const chain of chains) {
    const grids = chain.slice(0, -1).map((c) => candidatesFor(observations.map((item) => item[c].score ?? 0)));
    const visit = (s: number, chosen: number[]) => {
      if (s === chain.length - 1) {
        const choice = simulate(observations, chosen, chain);
        if (fits(choice) && better(choice, best, budget !== undefined)) best = choice;
        return;
      }
      for (const t of grids[s]) visit(s + 1, [...chosen, t]);
    };
    visit(0, []);
  }
  // Nothing qualifies (e.g. a budget below every chain): the best single candidate alone.
  best ??= simulate(observations, [], [bestSingle]);
  return { best, singles, bestSingle, tolerance: options.tolerance, budgetUsd: budget, priced: observations.every((item) => item.every((o) => o.priced)), items: observations.length };
}

/** The given chain's cheapest thresholds within `tolerance` of the best single stage (no order search). */
export function chooseThresholds(observations: StageObservation[][], tolerance: number): CalibrationResult {
  return chooseCascade(observations, { tolerance });
}

/** Items split into training and test parts, the test part `testShare` of them, drawn with `seed`. */
export function splitItems<T>(items: readonly T[], testShare: number, seed: number): { train: T[]; test: T[] } {
  if (testShare <= 0) return { train: [...items], test: [] };
  const testCount = Math.min(items.length - 1, Math.max(1, Math.round(items.length * testShare)));
  const order = seededSample(items.map((_, i) => i), items.length, seed, 'frugal-split');
  const test = new Set(order.slice(0, testCount));
  return { train: items.filter((_, i) => !test.has(i)), test: items.filter((_, i) => test.has(i)) };
}

/** Against `expected` (the task file's own scorer when it judges on the spot, else equal normalised text); without one, the task's judge. */
export function isCorrect(task: Task, item: LabelledItem, answer: string): boolean {
  if (item.expected !== undefined && item.expected.trim() !== '') {
    const own = expectedScorer(task);
    if (own) return own.score({ index: 0, input: item.input, expected: item.expected }, answer);
    return normalizeAnswer(answer) !== '' && normalizeAnswer(answer) === normalizeAnswer(item.expected);
  }
  return task.judge?.(item.input, answer) ?? false;
}

/** Every candidate on one item, in parallel, within `run`; `scoreAll` scores the last candidate too. */
export async function observeItem(run: Run, task: Task, item: LabelledItem, stages: StageSpec[], opts: { scorer: Scorer; samples: number; temperature: number; judge?: StageSpec['model']; scoreAll?: boolean }): Promise<StageObservation[]> {
  const question = run.graph.addNode({ kind: 'question', text: item.input });
  const last = stages.length - 1;
  return Promise.all(
    stages.map(async (stage, i) => {
      const o = await runStage(run, task, item.input, stage, i, { id: question.id, kind: 'expand' }, { ...opts, unscored: i === last && !opts.scoreAll });
      return { answer: o.answer, score: o.score, costUsd: o.costUsd ?? 0, answerCostUsd: o.answerCostUsd ?? 0, correct: isCorrect(task, item, o.answer), priced: o.costUsd !== null && o.answerCostUsd !== null };
    }),
  );
}

/** The chosen cascade as a profile, ready to save in thoughtscope.profiles or a --profiles file. */
export function cascadeProfile(name: string, candidates: string[], result: CalibrationResult, scorer: Scorer, samples: number): ModelProfile {
  return { name, provider: 'cascade', stages: result.best.chain.map((i) => candidates[i]), thresholds: result.best.thresholds, scorer, samples };
}

/** A few lines for people: each profile alone, the chosen cascade, on the training and the test items. */
export function describeCalibration(names: string[], r: CalibrationResult): string[] {
  const usd = (x: number) => `$${x.toFixed(6)}`;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const chainText = (c: CascadeChoice) => c.chain.map((i) => names[i]).join(' → ');
  const cascadeLine = (c: CascadeChoice, items: number) =>
    `  cascade ${chainText(c)}: accuracy ${pct(c.accuracy)}, cost ${usd(c.costUsd)} (of it scoring ${usd(c.scoringUsd)}); answered per stage ${c.answeredBy.join(' / ')} of ${items}`;
  const thresholds = r.best.thresholds.map((t) => (t >= NEVER ? 'never' : t.toFixed(2))).join(', ');
  const lines = [
    `Fitted on ${r.items} training item${r.items === 1 ? '' : 's'} (${r.budgetUsd !== undefined ? `most accurate within ${usd(r.budgetUsd)} per item` : `cheapest within ${(r.tolerance * 100).toFixed(1)} points of the best single profile`}):`,
    ...names.map((name, s) => `  ${name} alone: accuracy ${pct(r.singles[s].accuracy)}, cost ${usd(r.singles[s].costUsd)}${s === r.bestSingle ? '  (best single profile)' : ''}`),
    `${cascadeLine(r.best, r.items)}; thresholds [${thresholds || 'none'}]`,
  ];
  const report = r.test ?? { items: r.items, cascade: r.best, singles: r.singles };
  lines.push(r.test ? `On ${r.test.items} held-out test item${r.test.items === 1 ? '' : 's'}:` : 'No held-out items (test share 0): the figures above are in-sample.');
  if (r.test) {
    lines.push(...names.map((name, s) => `  ${name} alone: accuracy ${pct(r.test!.singles[s].accuracy)}, cost ${usd(r.test!.singles[s].costUsd)}`));
    lines.push(cascadeLine(r.test.cascade, r.test.items));
  }
  const baseline = report.singles[r.bestSingle].costUsd;
  if (baseline > 0) {
    const saving = Math.round((1 - report.cascade.costUsd / baseline) * 100);
    const gap = (report.cascade.accuracy - report.singles[r.bestSingle].accuracy) * 100;
    lines.push(`  ${saving >= 0 ? `${saving}% cheaper` : `${-saving}% dearer`} than ${names[r.bestSingle]} alone, accuracy ${gap >= 0 ? '+' : ''}${gap.toFixed(1)} points${r.test ? ' (test items)' : ''}`);
  }
  if (!r.priced) lines.push('  some prices are unknown: costs count only priced calls (set "price" on the profiles)');
  return lines;
}

export interface CalibrationPlan {
  /** Candidate profiles; with `maxLength` 0 the cascade is all of them in this order. */
  stages: StageSpec[];
  scorer: Scorer;
  samples: number;
  temperature: number;
  /** scorer=judge: the judge's model (a named profile; the caller refuses to guess one). */
  judge?: StageSpec['model'];
  tolerance: number;
  budgetUsd?: number;
  /** Search chains of up to this many candidates in any order; 0: the given order only. */
  maxLength: number;
  /** Share of the items held out for the test report (0: none). */
  testShare: number;
  seed: number;
}

/**
 * Every prompt calibration sends, rendered once per task (the first item of each) and sent nowhere, so a
 * template that cannot render stops the calibration before anything is spent.
 */
export function checkCalibrationPrompts(taskFor: (input: string) => Task, items: readonly LabelledItem[], scorer: Scorer): void {
  const seen = new Set<string>();
  for (const item of items) {
    const task = taskFor(item.input);
    if (seen.has(task.id)) continue;
    seen.add(task.id);
    renderStagePrompts(task, item.input, scorer);
  }
}

/**
 * Observe every candidate on every item within one run (its budget and concurrency cover the whole
 * calibration), choose the cascade on the training items, and measure it on the test items. `taskFor`
 * picks the task of an item (e.g. "auto").
 */
export async function calibrateCascade(run: Run, taskFor: (input: string) => Task, items: readonly LabelledItem[], plan: CalibrationPlan, onItem?: (done: number) => void): Promise<CalibrationResult> {
  if (plan.scorer === 'judge' && !plan.judge) throw new Error('scorer "judge" needs a judge profile (a cheap one: it rates every answer)');
  checkCalibrationPrompts(taskFor, items, plan.scorer);
  const { train, test } = splitItems(items, plan.testShare, plan.seed);
  let done = 0;
  const observe = (part: readonly LabelledItem[]) =>
    Promise.all(
      part.map(async (item) => {
        const obs = await observeItem(run, taskFor(item.input), item, plan.stages, { ...plan, scoreAll: plan.maxLength > 0 });
        onItem?.(++done);
        return obs;
      }),
    );
  const [trainObs, testObs] = await Promise.all([observe(train), observe(test)]);
  const chains = plan.maxLength > 0 ? chainsUpTo(plan.stages.length, plan.maxLength) : undefined;
  const result = chooseCascade(trainObs, { tolerance: plan.tolerance, budgetUsd: plan.budgetUsd, chains });
  if (testObs.length > 0) result.test = { items: testObs.length, cascade: simulate(testObs, result.best.thresholds, result.best.chain), singles: singlesOf(testObs) };
  return result;
}
