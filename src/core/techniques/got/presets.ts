// The graphs of operations Thoughtscope ships, after the GoT paper's use cases. Each is built for the
// input at hand (how many parts to split it into) in the same JSON form as a user's file and goes
// through the same validator. Response counts are the paper's unless `branches` overrides them.
// Prompt texts are Thoughtscope's own; only input-derived numbers are put into them, never raw text.
import { keywordInput, listsIn, numbersIn } from './functions';
import { GraphSpecError, validateGraphSpec, type GraphSpec } from './schema';

export const PRESETS = ['sorting', 'set-intersection', 'keyword-counting', 'document-merging'] as const;
export type PresetName = (typeof PRESETS)[number];

type RawOp = Record<string, unknown>;

const LIST_REPLY = 'Reply with the list only, in the form [a, b, c].';

function partsFor(count: number): number {
  return Math.min(8, Math.max(2, Math.ceil(count / 16)));
}

function jsonParts(label: string, parts: number): string {
  return `{${Array.from({ length: parts }, (_, i) => `"${label} ${i + 1}": ...`).join(', ')}}`;
}

/** The operation that splits a list into `parts` lists (a JSON object, one thought per list). */
function splitList(what: string, parts: number, listLine: string): RawOp {
  return {
    id: 'split',
    type: 'generate',
    split: 'json',
    prompt:
      `Split ${what} into ${parts} lists of about equal length, keeping the numbers in their order. ` +
      `Reply with only a JSON object ${jsonParts('List', parts)} whose values are lists of numbers.\n${listLine}`,
  };
}

/**
 * For each part of a split: select it, solve it with `responses` samples, score them with `scorer`,
 * keep the best. Returns the ops and the ids of the kept thoughts.
 */
function solveParts(parts: number, prompt: string, responses: number, scorer: string): { ops: RawOp[]; ends: string[] } {
  const ops: RawOp[] = [];
  const ends: string[] = [];
  for (let i = 1; i <= parts; i++) {
    ops.push(
      { id: `part ${i}`, type: 'select', from: 'split', part: i },
      { id: `solve ${i}`, type: 'generate', prompt, responses },
      { id: `score ${i}`, type: 'score', scorer },
      { id: `best ${i}`, type: 'keepBest', n: 1 },
    );
    ends.push(`best ${i}`);
  }
  return { ops, ends };
}

/** Merge the kept thoughts pairwise until one is left: aggregate, score, keep the best, then `after` ops. */
function mergePairwise(ends: string[], prompt: string, responses: number, scorer: string, after: (id: string) => RawOp[] = () => []): RawOp[] {
  const ops: RawOp[] = [];
  let level = ends;
  let m = 0;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 >= level.length) {
        next.push(level[i]);
        continue;
      }
      m++;
      ops.push(
        { id: `merge ${m}`, type: 'aggregate', from: [level[i], level[i + 1]], prompt, responses },
        { id: `score merge ${m}`, type: 'score', scorer },
        { id: `best merge ${m}`, type: 'keepBest', n: 1 },
      );
      const tail = after(`${m}`);
      ops.push(...tail);
      next.push(tail.length > 0 ? String(tail[tail.length - 1].id) : `best merge ${m}`);
    }
    level = next;
  }
  return ops;
}

function sorting(input: string, k: number | undefined): RawOp[] {
  const numbers = numbersIn(input);
  if (numbers.length < 2) throw new GraphSpecError('the sorting preset needs a list of at least 2 numbers in the input, e.g. [5, 1, 4, 2]');
  const parts = partsFor(numbers.length);
  const split = splitList(`the list of ${numbers.length} numbers below`, parts, 'Input: {input}');
  const sort = `Sort the list of numbers below in ascending order, keeping every number, repeats included. ${LIST_REPLY}\nInput: {thought}`;
  const merge = `Merge the sorted lists below into one list in ascending order that keeps every number of every list, repeats included. ${LIST_REPLY}\n{thoughts}`;
  const refine =
    'The second list below should be the first list sorted in ascending order, but it has mistakes: {feedback}. ' +
    `Write the correctly sorted list, keeping every number of the first list, repeats included. ${LIST_REPLY}\nList: {source}\nSorted with mistakes: {thought}`;
  const { ops, ends } = solveParts(parts, sort, k ?? 5, 'sort-errors');
  const merging = mergePairwise(ends, merge, k ?? 10, 'sort-errors', (m) => [{ id: `refine ${m}`, type: 'refine', prompt: refine, responses: k ?? 10, rounds: 1, scorer: 'sort-errors' }]);
  return [split, ...ops, ...merging, { id: 'ground truth', type: 'groundTruth', check: 'sort-errors' }];
}

function setIntersection(input: string, k: number | undefined): RawOp[] {
  const [first, second] = listsIn(input);
  if (!first || !second) throw new GraphSpecError('the set-intersection preset needs two lists of numbers in the input, e.g. [1, 2, 3] and [2, 3, 4] or one list per line');
  const parts = partsFor(second.length);
  const split = splitList('the list below', parts, `List: [${second.join(', ')}]`);
  const intersect = `Find the numbers that occur in both lists below. Reply with only those numbers, each once, in the form [a, b, c] ([] if there are none).\nList 1: [${first.join(', ')}]\nList 2: {thought}`;
  const union = `Combine the lists below into one list that holds every number occurring in any of them, each once. ${LIST_REPLY}\n{thoughts}`;
  const { ops, ends } = solveParts(parts, intersect, k ?? 5, 'set-intersection-errors');
  return [split, ...ops, ...mergePairwise(ends, union, k ?? 5, 'set-intersection-errors'), { id: 'ground truth', type: 'groundTruth', check: 'set-intersection-errors' }];
}

function keywordCounting(input: string, k: number | undefined): RawOp[] {
  const { keywords, text } = keywordInput(input);
  if (text.trim() === '') throw new GraphSpecError('the keyword-counting preset needs a text to count in');
  // Keywords the user gave go into the prompt without braces, so they cannot read as placeholders.
  const what = /^\s*keywords\s*:/im.test(input)
    ? `each of these keywords occurs (whole words, ignoring case): ${keywords.map((w) => w.replace(/[{}]/g, '')).join(', ')}`
    : 'each country is mentioned (by its usual English name)';
  const count = `Count how often ${what} in the text below. Reply with only a JSON object of those that occur and their counts, e.g. {"Name": 2}.\nText:\n{thought}`;
  const sentences = (text.match(/[.!?](?:\s|$)/g) ?? []).length;
  const parts = Math.min(4, sentences);
  if (parts < 2) {
    return [
      { id: 'count', type: 'generate', prompt: count, responses: k ?? 5 },
      { id: 'score', type: 'score', scorer: 'keyword-count-errors' },
      { id: 'best', type: 'keepBest', n: 1 },
      { id: 'ground truth', type: 'groundTruth', check: 'keyword-count-errors' },
    ];
  }
  const split = {
    id: 'split',
    type: 'generate',
    split: 'json',
    prompt:
      `Split the text below into ${parts} passages of whole sentences, in order, without changing any word; leave out a first line that starts with "Keywords:". ` +
      `Reply with only a JSON object ${jsonParts('Passage', parts)} whose values are the passages as strings.\nText:\n{input}`,
  };
  const merge = 'Add up the JSON objects of counts below into one JSON object, summing the counts of equal names. Reply with only the JSON object.\n{thoughts}';
  const { ops, ends } = solveParts(parts, count, k ?? 5, 'keyword-count-errors');
  return [split, ...ops, ...mergePairwise(ends, merge, k ?? 5, 'keyword-count-errors'), { id: 'ground truth', type: 'groundTruth', check: 'keyword-count-errors' }];
}

function documentMerging(input: string, k: number | undefined): RawOp[] {
  const documents = input.split(/^\s*-{3,}\s*$/m).filter((d) => d.trim() !== '');
  if (documents.length < 2) throw new GraphSpecError('the document-merging preset needs at least two documents in the input, separated by lines of ---');
  const rate =
    'Rate the merged document against the original documents.\n' +
    'Redundancy: 0 to 10, where 10 means nothing is said twice.\nRetained: 0 to 10, where 10 means all information of the originals is kept.\n' +
    'Reply with exactly two lines, "Redundancy: <number>" and "Retained: <number>".\n\nOriginal documents:\n{input}\n\nMerged document:\n{thought}';
  const score = (id: string) => ({ id, type: 'score', scorer: 'llm', prompt: rate, samples: 3, better: 'higher' });
  return [
    { id: 'merge', type: 'generate', prompt: `Merge the ${documents.length} documents below (separated by lines of ---) into one document that keeps all of their information and says nothing twice. Reply with the merged document only.\n\n{input}`, responses: k ?? 5 },
    score('score merges'),
    { id: 'best merges', type: 'keepBest', n: 3 },
    { id: 'combine', type: 'aggregate', prompt: 'Combine the merged documents below into a single document that keeps all information of every one of them and says nothing twice. Reply with the document only.\n\n{thoughts}', responses: k ?? 5 },
    score('score combined'),
    { id: 'best combined', type: 'keepBest', n: 1 },
    { id: 'improve', type: 'generate', prompt: 'Improve the merged document below: keep every piece of information of the original documents and remove anything said twice. Reply with the improved document only.\n\nOriginal documents:\n{input}\n\nMerged document:\n{thought}', responses: k ?? 10 },
    score('score improved'),
    { id: 'best improved', type: 'keepBest', n: 1 },
  ];
}

const BUILDERS: Record<PresetName, (input: string, k: number | undefined) => RawOp[]> = {
  sorting,
  'set-intersection': setIntersection,
  'keyword-counting': keywordCounting,
  'document-merging': documentMerging,
};

/** The preset's graph for this input; `branches` > 0 replaces every response count of the paper. */
export function presetGraph(name: PresetName, input: string, branches = 0): GraphSpec {
  const operations = BUILDERS[name](input, branches > 0 ? branches : undefined);
  return validateGraphSpec({ name: `${name} preset`, operations });
}
