// How an answer is judged in an evaluation. `game24` uses the task's exact judge on the puzzle itself;
// exact / numeric / contains compare the technique's final answer with the item's expected answer;
// the GoT tasks (gotScorers.ts) count errors as the GoT paper does.
import { judgeGame24 } from '../tasks/game24';
import { GOT_SCORERS } from './gotScorers';
import type { MetricInfo } from './summary';
import type { EvalItem } from './types';

/** Asks the evaluated model `n` replies to a prompt, on the item's run (the calls count in its cost). */
export type AskModel = (prompt: string, n: number) => Promise<string[]>;

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
  /** A measure the model gives (document merging's 0-10 score), asked on the item's run. */
  judge?(item: EvalItem, answer: string, ask: AskModel): Promise<number>;
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
