// The graphs of operations Thoughtscope ships, after the GoT paper's use cases and its reference code
// (spcl/graph-of-thoughts, examples/*/): for each problem the GoT graph and the baselines the paper
// compares it with (IO, CoT, ToT, ToT2, written as graphs of operations as the reference writes them).
// Each is built for the input at hand (how many parts to split it into) in the same JSON form as a
// user's file and goes through the same validator. Response counts are the reference's unless
// `branches` overrides them. Prompts are templates (templates/got/<preset>/<step>.liquid), given the
// numbers of the input they need (never its raw text) when the graph is built. The wording is
// Thoughtscope's own; what each asks for follows the reference's prompts: sorting merges "the way merge
// sort does", an improve prompt shows the list to sort and the wrong answer but never an error count, a
// CoT prompt ends with an "Output:" line, and the document-merging combine prompt shows the originals.
import type { TemplateLibrary } from '../../templates/library';
import { keywordInput, listsIn, numbersIn } from './functions';
import { GraphSpecError, validateGraphSpec, type GraphSpec, type TemplatePrompt, type TemplateValue } from './schema';

export const PRESETS = ['sorting', 'set-intersection', 'keyword-counting', 'document-merging'] as const;
export type PresetName = (typeof PRESETS)[number];

/** got: the GoT graph. io, cot: one answer. tot, tot2: the GoT paper's tree baselines (wide and shallow, narrow and deep). */
export const APPROACHES = ['got', 'io', 'cot', 'tot', 'tot2'] as const;
export type Approach = (typeof APPROACHES)[number];

type RawOp = Record<string, unknown>;
type Prompt = TemplatePrompt;

/** The preset's template `step` (got/<preset>/<step>) with the values it is built with. */
function promptOf(preset: PresetName, step: string, variables: Record<string, TemplateValue> = {}): Prompt {
  return { template: `got/${preset}/${step}`, variables };
}
/** A response count: the reference's, unless `branches` replaces it. */
type Count = (reference: number) => number;

/** Parts of about 16, as the reference splits 32, 64 and 128 elements into 2, 4 and 8. */
function partsFor(count: number): number {
  return Math.min(8, Math.max(2, Math.ceil(count / 16)));
}

/** The reference's size class of a list (its 32, 64 or 128 example), by how many parts it is split into. */
function sizeClass(count: number): 32 | 64 | 128 {
  const parts = partsFor(count);
  return parts <= 2 ? 32 : parts <= 4 ? 64 : 128;
}

/**
 * For each part of a split: select it, solve it with `responses` samples, score them with `scorer`,
 * keep the best. Returns the ops and the ids of the kept thoughts.
 */
function solveParts(parts: number, prompt: Prompt, responses: number, scorer: string, answer: string): { ops: RawOp[]; ends: string[] } {
  const ops: RawOp[] = [];
  const ends: string[] = [];
  for (let i = 1; i <= parts; i++) {
    ops.push(
      { id: `part ${i}`, type: 'select', from: 'split', part: i },
      { id: `solve ${i}`, type: 'generate', prompt, responses, answer },
      { id: `score ${i}`, type: 'score', scorer },
      { id: `best ${i}`, type: 'keepBest', n: 1 },
    );
    ends.push(`best ${i}`);
  }
  return { ops, ends };
}

interface MergeStep {
  /** The merge's own operations (aggregate, score, keep best, ...); the last one's id is what the next level merges. */
  ops: RawOp[];
}

/** Merge the kept thoughts pairwise until one is left; `merge(m, pair, final)` writes the operations of merge m. */
function mergePairwise(ends: string[], merge: (m: number, pair: [string, string], final: boolean) => MergeStep): RawOp[] {
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
      const step = merge(m, [level[i], level[i + 1]], level.length === 2);
      ops.push(...step.ops);
      next.push(String(step.ops[step.ops.length - 1].id));
    }
    level = next;
  }
  return ops;
}

/** aggregate → score → keep the best (the reference's merge, before any improve step). */
function mergeAndKeep(m: number, pair: [string, string], prompt: Prompt, responses: number, scorer: string, extra: RawOp = {}): RawOp[] {
  return [
    { id: `merge ${m}`, type: 'aggregate', from: pair, prompt, responses, answer: 'list', ...extra },
    { id: `score merge ${m}`, type: 'score', scorer },
    { id: `best merge ${m}`, type: 'keepBest', n: 1 },
  ];
}

/**
 * The reference's improve step: `responses` improvements of the best thought, scored together with it,
 * and the best of all kept, so it can never get worse.
 */
function improveAndKeep(id: string, from: string, prompt: Prompt, responses: number, score: RawOp, answer: string): RawOp[] {
  return [
    { id: `improve ${id}`, type: 'generate', from, prompt, responses, answer },
    { ...score, id: `score improve ${id}`, from: [`improve ${id}`, from] },
    { id: `kept ${id}`, type: 'keepBest', n: 1, from: [`score improve ${id}`, from] },
  ];
}

/**
 * The GoT paper's ToT baseline as its reference writes it: `width` answers, keep the best, then `rounds`
 * times `width` improvements of the best, each time keeping the best of the improvements and the last best.
 */
function treeBaseline(first: Prompt, improve: Prompt, width: number, rounds: number, score: RawOp, answer: string): RawOp[] {
  const ops: RawOp[] = [
    { id: 'level 1', type: 'generate', prompt: first, responses: width, answer },
    { ...score, id: 'score 1' },
    { id: 'best 1', type: 'keepBest', n: 1 },
  ];
  for (let r = 2; r <= rounds + 1; r++) {
    ops.push(
      { id: `level ${r}`, type: 'generate', from: `best ${r - 1}`, prompt: improve, responses: width, answer },
      { ...score, id: `score ${r}` },
      { id: `best ${r}`, type: 'keepBest', n: 1, from: [`score ${r}`, `best ${r - 1}`] },
    );
  }
  return ops;
}

/** io / cot: one answer, scored (and checked, for tasks with a ground truth). */
function single(prompt: Prompt, responses: number, score: RawOp, answer: string): RawOp[] {
  return [{ id: 'answer', type: 'generate', prompt, responses, answer }, { ...score, id: 'score' }];
}

/** The reference's (width, rounds) of ToT and ToT2 for a problem size. */
type TreeShapes = Record<32 | 64 | 128, { tot: [number, number]; tot2: [number, number] }>;

function tree(approach: 'tot' | 'tot2', shapes: TreeShapes, size: 32 | 64 | 128, k: Count): [number, number] {
  const [width, rounds] = shapes[size][approach];
  return [k(width), rounds];
}

const SORTING_TREES: TreeShapes = {
  32: { tot: [20, 1], tot2: [10, 2] },
  64: { tot: [20, 3], tot2: [10, 6] },
  128: { tot: [20, 3], tot2: [10, 9] },
};

function sorting(input: string, k: Count, approach: Approach): RawOp[] {
  const numbers = numbersIn(input);
  if (numbers.length < 2) throw new GraphSpecError('the sorting preset needs a list of at least 2 numbers in the input, e.g. [5, 1, 4, 2]');
  const prompt = (step: string, variables?: Record<string, TemplateValue>) => promptOf('sorting', step, variables);
  const score = { type: 'score', scorer: 'sort-errors' };
  const truth = { id: 'ground truth', type: 'groundTruth', check: 'sort-errors' };
  if (approach === 'io') return [...single(prompt('sort'), 1, score, 'list'), truth];
  if (approach === 'cot') return [...single(prompt('cot'), 1, score, 'list'), truth];
  if (approach === 'tot' || approach === 'tot2') {
    const [width, rounds] = tree(approach, SORTING_TREES, sizeClass(numbers.length), k);
    return [...treeBaseline(prompt('sort'), prompt('improve'), width, rounds, score, 'list'), truth];
  }
  const parts = partsFor(numbers.length);
  const split = { id: 'split', type: 'generate', split: 'json', prompt: prompt('split', { count: numbers.length, parts }) };
  const { ops, ends } = solveParts(parts, prompt('sort'), k(5), 'sort-errors', 'list');
  // Every merge is improved; the last merge covers the whole list, so it is checked and improved against
  // the input itself, not the model's split parts. Intermediate improves take 5 responses, the last 10.
  const merging = mergePairwise(ends, (m, pair, final) => ({
    ops: [
      ...mergeAndKeep(m, pair, prompt('merge'), k(10), 'sort-errors', final ? { source: 'input' } : {}),
      ...improveAndKeep(`${m}`, `best merge ${m}`, prompt('improve'), k(final ? 10 : 5), score, 'list'),
    ],
  }));
  return [split, ...ops, ...merging, truth];
}

const INTERSECTION_TREES: TreeShapes = {
  32: { tot: [20, 1], tot2: [10, 2] },
  64: { tot: [20, 3], tot2: [10, 6] },
  128: { tot: [25, 3], tot2: [10, 8] },
};

function setIntersection(input: string, k: Count, approach: Approach): RawOp[] {
  const [first, second] = listsIn(input);
  if (!first || !second) throw new GraphSpecError('the set-intersection preset needs two lists of numbers in the input, e.g. [1, 2, 3] and [2, 3, 4] or one list per line');
  // Every prompt is given both lists; `part` says the second list is the thought (a part of it), not the whole.
  const prompt = (step: string, part = false) => promptOf('set-intersection', step, { first, second, ...(step === 'intersect' ? { part } : {}) });
  const score = { type: 'score', scorer: 'set-intersection-errors' };
  const truth = { id: 'ground truth', type: 'groundTruth', check: 'set-intersection-errors' };
  if (approach === 'io') return [...single(prompt('intersect'), 1, score, 'list'), truth];
  if (approach === 'cot') return [...single(prompt('cot'), 1, score, 'list'), truth];
  const size = sizeClass(second.length);
  if (approach === 'tot' || approach === 'tot2') {
    const [width, rounds] = tree(approach, INTERSECTION_TREES, size, k);
    return [...treeBaseline(prompt('intersect'), prompt('improve'), width, rounds, score, 'list'), truth];
  }
  const parts = partsFor(second.length);
  const split = { id: 'split', type: 'generate', split: 'json', prompt: promptOf('set-intersection', 'split', { second, parts }) };
  const { ops, ends } = solveParts(parts, prompt('intersect', true), k(5), 'set-intersection-errors', 'list');
  // The reference merges with 10 responses, and with 5 when the second set has 128 elements.
  const responses = k(size === 128 ? 5 : 10);
  const merging = mergePairwise(ends, (m, pair) => ({ ops: mergeAndKeep(m, pair, promptOf('set-intersection', 'union'), responses, 'set-intersection-errors') }));
  return [split, ...ops, ...merging, truth];
}

function keywordCounting(input: string, k: Count, approach: Approach): RawOp[] {
  const { keywords, text } = keywordInput(input);
  if (text.trim() === '') throw new GraphSpecError('the keyword-counting preset needs a text to count in');
  // Without a "Keywords:" line the templates count countries.
  const given = /^\s*keywords\s*:/im.test(input) ? keywords : [];
  const prompt = (step: string) => promptOf('keyword-counting', step, step === 'merge' || step === 'fix-merge' ? {} : { keywords: given });
  const score = { type: 'score', scorer: 'keyword-count-errors' };
  const truth = { id: 'ground truth', type: 'groundTruth', check: 'keyword-count-errors' };
  if (approach === 'io') return [...single(prompt('count'), 1, score, 'json'), truth];
  if (approach === 'cot') return [...single(prompt('cot'), 1, score, 'json'), truth];
  if (approach === 'tot' || approach === 'tot2') {
    const [width, rounds] = approach === 'tot' ? [k(20), 3] : [k(10), 5];
    return [...treeBaseline(prompt('cot'), prompt('improve'), width, rounds, score, 'json'), truth];
  }
  const sentences = (text.match(/[.!?](?:\s|$)/g) ?? []).length;
  const parts = Math.min(4, sentences);
  if (parts < 2) return [...single(prompt('cot'), k(10), score, 'json'), { id: 'best', type: 'keepBest', n: 1 }, truth];
  const split = { id: 'split', type: 'generate', split: 'json', prompt: promptOf('keyword-counting', 'split', { parts }) };
  const { ops, ends } = solveParts(parts, prompt('cot'), k(10), 'keyword-count-errors', 'json');
  // Each merge: 3 sums, each checked against the counts it added up and corrected up to 3 times, then the
  // best kept. The last merge covers the whole text, so it is scored against the input's true counts.
  const merging = mergePairwise(ends, (m, pair, final) => ({
    ops: [
      { id: `merge ${m}`, type: 'aggregate', from: pair, prompt: prompt('merge'), responses: k(3), answer: 'json', ...(final ? { source: 'input' } : {}) },
      { id: `check merge ${m}`, type: 'validateAndImprove', validator: 'keyword-merge-errors', prompt: prompt('fix-merge'), tries: 3, answer: 'json' },
      { id: `score merge ${m}`, type: 'score', scorer: 'keyword-count-errors' },
      { id: `best merge ${m}`, type: 'keepBest', n: 1 },
    ],
  }));
  return [split, ...ops, ...merging, truth];
}

/** The LLM judgement of a merged document: 3 samples of Redundancy and Retained (the reference's Score(3)). */
function rateDocument(id: string): RawOp {
  return { id, type: 'score', scorer: 'llm', prompt: promptOf('document-merging', 'rate'), samples: 3, better: 'higher' };
}

/** Documents of a document-merging input: the parts between lines of ---. */
export function documentsIn(input: string): string[] {
  return input.split(/^\s*-{3,}\s*$/m).filter((d) => d.trim() !== '');
}

function documentMerging(input: string, k: Count, approach: Approach): RawOp[] {
  const documents = documentsIn(input);
  if (documents.length < 2) throw new GraphSpecError('the document-merging preset needs at least two documents in the input, separated by lines of ---');
  const count = documents.length;
  const merge = promptOf('document-merging', 'merge', { count });
  if (approach === 'io') return single(merge, 1, rateDocument('score'), 'reply');
  if (approach === 'cot') return single(promptOf('document-merging', 'cot', { count }), 1, rateDocument('score'), 'output');
  if (approach === 'tot2') throw new GraphSpecError('the GoT paper has no ToT2 baseline for document merging; use approach tot');
  if (approach === 'tot') return treeBaseline(merge, promptOf('document-merging', 'improve'), k(10), 2, rateDocument('score'), 'reply');
  return [
    { id: 'merge', type: 'generate', prompt: merge, responses: k(5) },
    rateDocument('score merges'),
    { id: 'best merges', type: 'keepBest', n: 3 },
    { id: 'combine', type: 'aggregate', prompt: promptOf('document-merging', 'combine'), responses: k(5) },
    rateDocument('score combined'),
    // The best so far is kept beside the new thoughts, so a step can never make the result worse.
    { id: 'best combined', type: 'keepBest', n: 1, from: ['score combined', 'best merges'] },
    { id: 'improve', type: 'generate', prompt: promptOf('document-merging', 'improve'), responses: k(10) },
    rateDocument('score improved'),
    { id: 'best improved', type: 'keepBest', n: 1, from: ['score improved', 'best combined'] },
  ];
}

const BUILDERS: Record<PresetName, (input: string, k: Count, approach: Approach) => RawOp[]> = {
  sorting,
  'set-intersection': setIntersection,
  'keyword-counting': keywordCounting,
  'document-merging': documentMerging,
};

/** The preset's graph for this input and approach; `branches` > 0 replaces every response count of the reference. */
export function presetGraph(name: PresetName, input: string, branches = 0, approach: Approach = 'got', templates?: TemplateLibrary): GraphSpec {
  const k: Count = (reference) => (branches > 0 ? branches : reference);
  const operations = BUILDERS[name](input, k, approach);
  return validateGraphSpec({ name: `${name} preset${approach === 'got' ? '' : ` (${approach})`}`, operations }, templates);
}
