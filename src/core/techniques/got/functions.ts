// Task functions for Graph of Thoughts: score a thought by counting its errors, without a model call,
// as the GoT paper does for sorting, set intersection and keyword counting. Each takes the thought,
// its source (the part of the input it works on: a split part, a merge of parts, or the input), the
// whole input and, for a merged thought, the texts it merged. Fewer errors is better; 0 is perfect.
// Only the answer in a thought is read (answers.ts), and a thought with no readable answer costs what
// the reference's functions charge: 300 (sorting), 1000 (set intersection), every count (keywords).
import { answerJson, answerList } from './answers';

export interface ErrorFunction {
  readonly name: string;
  readonly description: string;
  errors(thought: string, source: string, input: string, merged?: readonly string[]): number;
  /** A short sentence on what is wrong, for improve prompts ({feedback}). */
  feedback(thought: string, source: string, input: string, merged?: readonly string[]): string;
}

/** The reference's charge for a sorting answer it cannot read (utils.num_errors). */
export const UNREADABLE_SORT = 300;
/** The reference's charge for a set-intersection answer it cannot read. */
export const UNREADABLE_INTERSECTION = 1000;

/** Every number in the text, in order ("[1, -2, 3.5]" gives 1, -2, 3.5). */
export function numbersIn(text: string): number[] {
  return (text.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
}

/** The bracketed lists of numbers in the text ("[1, 2] and [3]"), or its non-empty lines when there are none. */
export function listsIn(text: string): number[][] {
  const bracketed = [...text.matchAll(/\[([^\]]*)\]/g)].map((m) => numbersIn(m[1]));
  if (bracketed.length >= 2) return bracketed;
  return text.split(/\r?\n/).map(numbersIn).filter((l) => l.length > 0);
}

function counts(values: readonly (number | string)[]): Map<number | string, number> {
  const map = new Map<number | string, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return map;
}

/** Sum over all values of |count in a − count in b|. */
function countDifference(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  const ca = counts(a);
  const cb = counts(b);
  let diff = 0;
  for (const key of new Set([...ca.keys(), ...cb.keys()])) diff += Math.abs((ca.get(key) ?? 0) - (cb.get(key) ?? 0));
  return diff;
}

function sortCheck(thought: string, source: string, merged?: readonly string[]) {
  const result = answerList(thought, merged !== undefined);
  // "[]" is no answer to a non-empty list: the reference cannot read it either.
  if (result === undefined || result.length === 0) return undefined;
  const wanted = numbersIn(source);
  let outOfOrder = 0;
  for (let i = 1; i < result.length; i++) if (result[i - 1] > result[i]) outOfOrder++;
  return { outOfOrder, countErrors: countDifference(result, wanted) };
}

/**
 * Sorting (GoT paper): adjacent pairs out of order, plus for every value the difference between how
 * often it occurs in the answer list and in the list to sort (the reference counts digits 0-9 only).
 */
export const sortErrors: ErrorFunction = {
  name: 'sort-errors',
  description: 'Sorting: adjacent pairs out of order plus numbers missing or added (300 when the answer has no readable list).',
  errors(thought, source, _input, merged) {
    const check = sortCheck(thought, source, merged);
    return check === undefined ? UNREADABLE_SORT : check.outOfOrder + check.countErrors;
  },
  feedback(thought, source, _input, merged) {
    const check = sortCheck(thought, source, merged);
    if (check === undefined) return 'the answer has no list of numbers in the form [a, b, c]';
    if (check.outOfOrder + check.countErrors === 0) return 'no mistakes';
    return `${check.outOfOrder} adjacent pairs are out of order and ${check.countErrors} numbers are missing or extra`;
  },
};

/** The two sets of a set-intersection input; the part of the second set a thought covers is its source. */
function intersectionCheck(thought: string, source: string, input: string, merged?: readonly string[]) {
  const [first = [], second = []] = listsIn(input);
  const part = source === input ? second : numbersIn(source);
  const inPart = new Set(part);
  const wanted = new Set(first.filter((x) => inPart.has(x)));
  const result = answerList(thought, merged !== undefined);
  // "[]" is read only when nothing is common (the reference cannot read "[]" at all).
  if (result === undefined || (result.length === 0 && wanted.size > 0)) return undefined;
  const seen = new Set<number>();
  let extra = 0;
  let repeated = 0;
  for (const x of result) {
    if (seen.has(x)) repeated++;
    else if (!wanted.has(x)) extra++;
    seen.add(x);
  }
  const missing = [...wanted].filter((x) => !seen.has(x)).length;
  return { missing, extra, repeated };
}

/** Set intersection (GoT paper): numbers of the intersection missing, plus numbers given that are not in it (or repeated). */
export const setIntersectionErrors: ErrorFunction = {
  name: 'set-intersection-errors',
  description: 'Set intersection: common numbers missing plus numbers wrongly included or repeated (1000 when the answer has no readable list).',
  errors(thought, source, input, merged) {
    const check = intersectionCheck(thought, source, input, merged);
    return check === undefined ? UNREADABLE_INTERSECTION : check.missing + check.extra + check.repeated;
  },
  feedback(thought, source, input, merged) {
    const check = intersectionCheck(thought, source, input, merged);
    if (check === undefined) return 'the answer has no list of numbers in the form [a, b, c]';
    if (check.missing + check.extra + check.repeated === 0) return 'no mistakes';
    return `${check.missing} common numbers are missing, ${check.extra} numbers are not in both sets and ${check.repeated} are repeated`;
  },
};

// ---------------------------------------------------------------------------------------------
// Keyword counting

/** Countries counted when the input names no keywords (the GoT paper counts countries). */
export const COUNTRIES: readonly string[] = (
  'Afghanistan,Albania,Algeria,Andorra,Angola,Argentina,Armenia,Australia,Austria,Azerbaijan,Bahamas,Bahrain,Bangladesh,' +
  'Barbados,Belarus,Belgium,Belize,Benin,Bhutan,Bolivia,Bosnia and Herzegovina,Botswana,Brazil,Brunei,Bulgaria,Burkina Faso,' +
  'Burundi,Cambodia,Cameroon,Canada,Cape Verde,Chad,Chile,China,Colombia,Comoros,Costa Rica,Croatia,Cuba,Cyprus,Czechia,' +
  'Denmark,Djibouti,Dominica,Dominican Republic,Ecuador,Egypt,El Salvador,Eritrea,Estonia,Eswatini,Ethiopia,Fiji,Finland,' +
  'France,Gabon,Gambia,Georgia,Germany,Ghana,Greece,Grenada,Guatemala,Guinea,Guyana,Haiti,Honduras,Hungary,Iceland,India,' +
  'Indonesia,Iran,Iraq,Ireland,Israel,Italy,Jamaica,Japan,Jordan,Kazakhstan,Kenya,Kiribati,Kuwait,Kyrgyzstan,Laos,Latvia,' +
  'Lebanon,Lesotho,Liberia,Libya,Liechtenstein,Lithuania,Luxembourg,Madagascar,Malawi,Malaysia,Maldives,Mali,Malta,Mauritania,' +
  'Mauritius,Mexico,Moldova,Monaco,Mongolia,Montenegro,Morocco,Mozambique,Myanmar,Namibia,Nauru,Nepal,Netherlands,New Zealand,' +
  'Nicaragua,Niger,Nigeria,North Korea,North Macedonia,Norway,Oman,Pakistan,Palau,Panama,Papua New Guinea,Paraguay,Peru,' +
  'Philippines,Poland,Portugal,Qatar,Romania,Russia,Rwanda,Samoa,San Marino,Saudi Arabia,Senegal,Serbia,Seychelles,Sierra Leone,' +
  'Singapore,Slovakia,Slovenia,Somalia,South Africa,South Korea,South Sudan,Spain,Sri Lanka,Sudan,Suriname,Sweden,Switzerland,' +
  'Syria,Taiwan,Tajikistan,Tanzania,Thailand,Togo,Tonga,Tunisia,Turkey,Turkmenistan,Tuvalu,Uganda,Ukraine,United Arab Emirates,' +
  'United Kingdom,United States,Uruguay,Uzbekistan,Vanuatu,Venezuela,Vietnam,Yemen,Zambia,Zimbabwe'
).split(',');

const KEYWORDS_LINE = /^\s*keywords\s*:\s*(.*)$/im;

/** The keywords to count (a first-line "Keywords: a, b" or the countries) and the text to count in. */
export function keywordInput(input: string): { keywords: string[]; text: string } {
  const m = KEYWORDS_LINE.exec(input);
  if (!m) return { keywords: [...COUNTRIES], text: input };
  const keywords = m[1].split(',').map((k) => k.trim()).filter(Boolean);
  return { keywords, text: input.slice(0, m.index) + input.slice(m.index + m[0].length) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How often each keyword occurs in the text as a whole word, ignoring case; keywords that do not occur are left out. */
export function countKeywords(keywords: readonly string[], text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const k of keywords) {
    const n = (text.match(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(k)}(?![\\p{L}\\p{N}])`, 'giu')) ?? []).length;
    if (n > 0) found.set(k, n);
  }
  return found;
}

/**
 * The counts a thought claims: its JSON object (answers.ts: after "Output:", the last {...}), keys
 * matched to keywords ignoring case. An unreadable object claims nothing, as in the reference.
 */
export function claimedCounts(thought: string, keywords: readonly string[]): Map<string, number> {
  const parsed: unknown = JSON.parse(answerJson(thought));
  const claimed = new Map<string, number>();
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return claimed;
  const byLower = new Map(keywords.map((k) => [k.toLowerCase(), k]));
  for (const [key, value] of Object.entries(parsed)) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) continue;
    const name = byLower.get(key.trim().toLowerCase()) ?? key.trim();
    claimed.set(name, (claimed.get(name) ?? 0) + n);
  }
  return claimed;
}

/** Sum over every name in either count of |a − b|, and how many names differ. */
function countGap(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): { errors: number; wrong: number } {
  let errors = 0;
  let wrong = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const d = Math.abs((a.get(key) ?? 0) - (b.get(key) ?? 0));
    errors += d;
    if (d > 0) wrong++;
  }
  return { errors, wrong };
}

function keywordCheck(thought: string, source: string, input: string) {
  const { keywords, text } = keywordInput(input);
  const truth = countKeywords(keywords, source === input ? text : source);
  return { ...countGap(truth, claimedCounts(thought, keywords)), readable: answerJson(thought) !== '{}' };
}

/** Keyword counting (GoT paper): the sum over keywords of |claimed count − true count|. */
export const keywordCountErrors: ErrorFunction = {
  name: 'keyword-count-errors',
  description: 'Keyword counting: the sum over keywords of the difference between the claimed and the true count.',
  errors: (thought, source, input) => keywordCheck(thought, source, input).errors,
  feedback(thought, source, input) {
    const { errors, wrong, readable } = keywordCheck(thought, source, input);
    if (errors === 0) return 'no mistakes';
    if (!readable) return 'the counts are not a JSON object';
    return `${wrong} keywords have wrong counts (off by ${errors} in total)`;
  },
};

/** The sum of the counts of the thoughts a merge added up. */
function mergedSum(merged: readonly string[], keywords: readonly string[]): Map<string, number> {
  const sum = new Map<string, number>();
  for (const part of merged) for (const [k, n] of claimedCounts(part, keywords)) sum.set(k, (sum.get(k) ?? 0) + n);
  return sum;
}

/**
 * Keyword counting, after a merge (the reference's valid_aggregation): how far the merged counts are
 * from the sum of the counts merged; 0 means a valid merge. Not a merge: 0.
 */
export const keywordMergeErrors: ErrorFunction = {
  name: 'keyword-merge-errors',
  description: 'Keyword counting after a merge: how far the merged counts are from the sum of the counts that were merged (0 = a valid merge).',
  errors(thought, _source, input, merged) {
    if (!merged) return 0;
    const { keywords } = keywordInput(input);
    return countGap(mergedSum(merged, keywords), claimedCounts(thought, keywords)).errors;
  },
  feedback(thought, _source, input, merged) {
    if (!merged) return 'no mistakes';
    const { keywords } = keywordInput(input);
    const { errors, wrong } = countGap(mergedSum(merged, keywords), claimedCounts(thought, keywords));
    return errors === 0 ? 'no mistakes' : `${wrong} names do not have the sum of their counts`;
  },
};

export const ERROR_FUNCTIONS: readonly ErrorFunction[] = [sortErrors, setIntersectionErrors, keywordCountErrors, keywordMergeErrors];

export function findErrorFunction(name: string): ErrorFunction | undefined {
  return ERROR_FUNCTIONS.find((f) => f.name === name);
}
