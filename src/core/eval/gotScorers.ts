// The GoT paper's measures, for `thoughtscope eval --task got-…`: the error count of an answer (sorting,
// set intersection, keyword counting; 0 errors is a correct answer) and, for document merging, the
// model's 0-10 score (the harmonic mean of its mean redundancy and mean retention scores over 3 replies).
// The items are the GoT reference's datasets (data/got/) or a file in the same form (dataset.ts).
import { claimedCounts, setIntersectionErrors, sortErrors } from '../techniques/got/functions';
import { combineLlmScores } from '../techniques/got/operations';
import type { Scorer } from './scorers';
import type { EvalItem } from './types';

/** The true counts of a keyword-counting item: its expected JSON object {"Name": count}. */
function expectedCounts(item: EvalItem): Map<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(item.expected ?? '');
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RangeError(`item ${item.index}: the expected counts must be a JSON object such as {"France": 2}`);
  }
  return new Map(Object.entries(parsed).map(([k, v]) => [k, Number(v)]));
}

/** Keyword counting: the sum over names of |claimed − true| (the reference's num_errors against the label). */
export function keywordErrors(item: EvalItem, answer: string): number {
  const truth = expectedCounts(item);
  const claimed = claimedCounts(answer, [...truth.keys()]);
  let errors = 0;
  for (const key of new Set([...truth.keys(), ...claimed.keys()])) errors += Math.abs((truth.get(key) ?? 0) - (claimed.get(key) ?? 0));
  return errors;
}

const sortingErrors = (item: EvalItem, answer: string) => sortErrors.errors(answer, item.input, item.input);
const intersectionErrors = (item: EvalItem, answer: string) => setIntersectionErrors.errors(answer, item.input, item.input);
const ERRORS = { name: 'errors', better: 'lower' } as const;

/** A GoT task scored by an error count (the paper's measure): correct when there are none. */
function errorCountScorer(preset: string, description: string, measure: (item: EvalItem, answer: string) => number, extra: Pick<Scorer, 'checkItem'> & { needsExpected?: boolean } = {}): Scorer {
  return {
    id: `got-${preset}`,
    technique: { id: 'got', params: { preset } },
    description,
    taskId: 'generic',
    needsExpected: extra.needsExpected ?? false,
    metric: ERRORS,
    ...(extra.checkItem ? { checkItem: extra.checkItem } : {}),
    measure,
    score: (item, answer) => measure(item, answer) === 0,
  };
}

export const GOT_SCORERS: readonly Scorer[] = [
  errorCountScorer('sorting', 'GoT sorting: errors = numbers missing or added plus adjacent pairs out of order (300 for no readable list); correct at 0.', sortingErrors),
  errorCountScorer('set-intersection', 'GoT set intersection: errors = common numbers missing plus numbers wrongly given or repeated (1000 for no readable list); correct at 0.', intersectionErrors),
  errorCountScorer('keyword-counting', 'GoT keyword counting: errors = the sum over countries of |claimed count − true count|; correct at 0.', keywordErrors, {
    needsExpected: true,
    checkItem: (item) => void expectedCounts(item),
  }),
  {
    id: 'got-document-merging',
    technique: { id: 'got', params: { preset: 'document-merging' } },
    description: "GoT document merging: the model's 0-10 score of the merged document (harmonic mean of its mean redundancy and retention over 3 replies).",
    taskId: 'generic',
    needsExpected: false,
    metric: { name: 'score', better: 'higher' },
    judgesCorrectness: false,
    score: () => false,
    async judge(item, answer, ask, templates) {
      // The preset's own rating prompt (the run's library, so a workspace override applies here too).
      return combineLlmScores(await ask(templates.render('got/document-merging/rate', { input: item.input, thought: answer }), 3)) ?? 0;
    },
  },
];
