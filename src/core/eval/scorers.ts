// How an answer is judged in an evaluation. `game24` uses the task's exact judge on the puzzle itself;
// exact / numeric / rounded / contains compare the technique's final answer with the item's expected
// answer: `rounded` as the PoT paper's evaluation does (rounding, percentages), `numeric` within a
// relative tolerance; the GoT tasks (gotScorers.ts) count errors as the GoT paper does.
import { judgeGame24 } from '../tasks/game24';
import type { TemplateLibrary } from '../templates/library';
import { GOT_SCORERS } from './gotScorers';
import type { MetricInfo } from './summary';
import type { RenderedPrompt } from '../templates/types';
import type { EvalItem } from './types';

/** Asks the evaluated model `n` replies to a prompt (text, or a rendered template), on the item's run (the calls count in its cost). */
export type AskModel = (prompt: string | RenderedPrompt, n: number) => Promise<string[]>;

export interface Scorer {
  readonly id: string;
  readonly description: string;
  /** The task whose prompts the techniques send (see tasks/registry.ts). */
  readonly taskId: string;
  /** Whether items need an `expected` answer. */
  readonly needsExpected: boolean;
  score(item: EvalItem, answer: string): boolean;
  /** A number measured on each answer besides right or wrong (the GoT paper's error count). */
  readonly metric?: MetricInfo;
  measure?(item: EvalItem, answer: string): number;
  /** A measure the model gives (document merging's 0-10 score), asked on the item's run; `templates` is the run's library. */
  judge?(item: EvalItem, answer: string, ask: AskModel, templates: TemplateLibrary): Promise<number>;
  /** When set, the judge's value decides correctness (a task file's judge with `pass`, its JavaScript scorer). */
  passes?(value: number): boolean;
  /** Further named measures of an answer, averaged in the summary (crosswords: letters, words, game). */
  measures?(item: EvalItem, answer: string): Record<string, number>;
  /** False when right or wrong means nothing and only the metric counts (document merging). */
  readonly judgesCorrectness?: boolean;
  /** Checks an item before anything is sent; throws a RangeError naming the item. */
  checkItem?(item: EvalItem): void;
  /** The one technique the task's items are written for, if any (the GoT tasks: got), and the parameters it must run with. */
  readonly technique?: { id: string; params: Record<string, string> };
}

/** Lower case, no surrounding quotes, markdown emphasis, trailing full stop or extra spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .replace(/\*\*|__|`/g, '')
    .trim()
    .replace(/^["'“‘]+|["'”’]+$/g, '')
    .replace(/[.。!]+$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const NUMBER = /-?\d+(?:\.\d+)?(?:\/\d+(?:\.\d+)?)?|-?\.\d+/g;

/**
 * The last number in a text ("$1,250.50" → 1250.5, "3/4" → 0.75, "about 10 apples" → 10),
 * or undefined. Thousands separators, currency signs and percent signs are ignored.
 */
export function parseNumber(text: string): number | undefined {
  const cleaned = text.replace(/(\d),(?=\d{3}\b)/g, '$1').replace(/[−–]/g, '-');
  const matches = cleaned.match(NUMBER);
  if (!matches) return undefined;
  const last = matches[matches.length - 1];
  const [num, den] = last.split('/');
  const value = den === undefined ? Number(num) : Number(num) / Number(den);
  return Number.isFinite(value) ? value : undefined;
}

/** Equal within a relative tolerance of 1e-6 (absolute near zero), so 0.1 + 0.2 matches 0.3. */
export function numbersMatch(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * How many digits PoT's evaluation (`finqa_equal`) rounds a float to: the digits after the point in
 * Python's repr of it (an integral float prints as "18.0", so 1), or 5 when the repr has no point.
 */
export function floatPrecision(x: number): number {
  if (!Number.isFinite(x)) return 5;
  const magnitude = Math.abs(x);
  if (Number.isInteger(x) && magnitude < 1e16) return 1;
  if (x !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    // Python writes these as "1.5e-05": what follows the point is the mantissa's digits and the exponent.
    const [mantissa, exponent] = x.toExponential().split('e');
    const digits = mantissa.split('.')[1];
    return digits === undefined ? 5 : digits.length + 2 + Math.max(2, exponent.replace(/^[+-]/, '').length);
  }
  return String(x).split('.')[1]?.length ?? 5;
}

/** A gold answer as PoT's data holds it: written without a point it is an int (precision 5), else a float. */
function goldPrecision(text: string, value: number): number {
  return /[.eE]/.test(text.replace(/,/g, '')) ? floatPrecision(value) : 5;
}

function roundTo(x: number, digits: number): number {
  return Number(x.toFixed(Math.min(100, digits)));
}

/**
 * PoT's `finqa_equal`: the prediction equals the gold answer — or, with `percent`, the gold ÷100 or ×100
 * — once both are rounded to the fewer digits of the two (see floatPrecision).
 */
export function roundedMatch(prediction: number, goldText: string, percent = true): boolean {
  const gold = parseNumber(goldText);
  if (gold === undefined) return false;
  const integralGold = goldPrecision(goldText, gold) === 5;
  const candidates = [{ value: gold, precision: goldPrecision(goldText, gold) }];
  if (percent) {
    candidates.unshift({ value: gold / 100, precision: floatPrecision(gold / 100) });
    candidates.push({ value: gold * 100, precision: integralGold ? 5 : floatPrecision(gold * 100) });
  }
  return candidates.some(({ value, precision }) => {
    const digits = Math.min(floatPrecision(prediction), precision);
    return roundTo(prediction, digits) === roundTo(value, digits);
  });
}

function expected(item: EvalItem): string {
  return item.expected ?? '';
}

export const SCORERS: readonly Scorer[] = [
  {
    id: 'game24',
    description: 'Game of 24: the answer must use the puzzle numbers once each and equal 24 exactly.',
    taskId: 'game24',
    needsExpected: false,
    score: (item, answer) => judgeGame24(item.input, answer),
  },
  {
    id: 'exact',
    description: 'The final answer equals the expected answer (ignoring case, quotes, spacing and a final full stop).',
    taskId: 'generic',
    needsExpected: true,
    score: (item, answer) => normalizeAnswer(answer) === normalizeAnswer(expected(item)),
  },
  {
    id: 'numeric',
    description: 'The last number in the final answer equals the expected number (relative tolerance 1e-6).',
    taskId: 'generic',
    needsExpected: true,
    score: (item, answer) => {
      const got = parseNumber(answer);
      const want = parseNumber(expected(item));
      return got !== undefined && want !== undefined && numbersMatch(got, want);
    },
  },
  {
    id: 'rounded',
    description:
      "PoT's evaluation (finqa_equal): the last number in the final answer equals the expected number once both are rounded to the fewer decimals of the two; the expected number ÷100 or ×100 (percentages) also counts. Without numbers, the texts must be equal.",
    taskId: 'generic',
    needsExpected: true,
    score: (item, answer) => {
      const got = parseNumber(answer);
      if (got === undefined || parseNumber(expected(item)) === undefined) return normalizeAnswer(answer) !== '' && normalizeAnswer(answer) === normalizeAnswer(expected(item));
      return roundedMatch(got, expected(item));
    },
  },
  {
    id: 'contains',
    description: 'The final answer contains the expected answer (ignoring case and spacing).',
    taskId: 'generic',
    needsExpected: true,
    score: (item, answer) => {
      const want = normalizeAnswer(expected(item));
      return want !== '' && normalizeAnswer(answer).includes(want);
    },
  },
  ...GOT_SCORERS,
];

export function findScorer(id: string): Scorer | undefined {
  return SCORERS.find((s) => s.id === id);
}

export function scorerIds(): string[] {
  return SCORERS.map((s) => s.id);
}
