// Task functions for Graph of Thoughts: score a thought by counting its errors, without a model call,
// as the GoT paper does for sorting, set intersection and keyword counting. Each takes the thought,
// its source (the part of the input it works on: a split part, a merge of parts, or the input) and
// the whole input. Fewer errors is better; 0 is perfect.

export interface ErrorFunction {
  readonly name: string;
  readonly description: string;
  errors(thought: string, source: string, input: string): number;
  /** A short sentence on what is wrong, for improve prompts ({feedback}). */
  feedback(thought: string, source: string, input: string): string;
}

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

function sortCheck(thought: string, source: string) {
  const result = numbersIn(thought);
  const wanted = numbersIn(source);
  let outOfOrder = 0;
  for (let i = 1; i < result.length; i++) if (result[i - 1] > result[i]) outOfOrder++;
  return { outOfOrder, countErrors: countDifference(result, wanted) };
}

/**
 * Sorting (GoT paper): adjacent pairs out of order, plus for every value the difference between how
 * often it occurs in the result and in the list to sort.
 */
export const sortErrors: ErrorFunction = {
  name: 'sort-errors',
  description: 'Sorting: adjacent pairs out of order plus numbers missing or added.',
  errors(thought, source) {
    const { outOfOrder, countErrors } = sortCheck(thought, source);
    return outOfOrder + countErrors;
  },
  feedback(thought, source) {
    const { outOfOrder, countErrors } = sortCheck(thought, source);
    if (outOfOrder + countErrors === 0) return 'no mistakes';
    return `${outOfOrder} adjacent pairs are out of order and ${countErrors} numbers are missing or extra`;
  },
};

/** The two sets of a set-intersection input; the part of the second set a thought covers is its source. */
function intersectionCheck(thought: string, source: string, input: string) {
  const [first = [], second = []] = listsIn(input);
  const part = source === input ? second : numbersIn(source);
  const inPart = new Set(part);
  const wanted = new Set(first.filter((x) => inPart.has(x)));
  const result = numbersIn(thought);
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
  description: 'Set intersection: common numbers missing plus numbers wrongly included or repeated.',
  errors(thought, source, input) {
    const { missing, extra, repeated } = intersectionCheck(thought, source, input);
    return missing + extra + repeated;
  },
  feedback(thought, source, input) {
    const { missing, extra, repeated } = intersectionCheck(thought, source, input);
    if (missing + extra + repeated === 0) return 'no mistakes';
    return `${missing} common numbers are missing, ${extra} numbers are not in both sets and ${repeated} are repeated`;
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

/** The counts a thought claims: the last JSON object in it ({"France": 2}), keys matched to keywords ignoring case. */
export function claimedCounts(thought: string, keywords: readonly string[]): Map<string, number> | undefined {
  const objects = thought.match(/\{[^{}]*\}/g);
  if (!objects) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(objects[objects.length - 1]);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const byLower = new Map(keywords.map((k) => [k.toLowerCase(), k]));
  const claimed = new Map<string, number>();
  for (const [key, value] of Object.entries(parsed)) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) continue;
    const name = byLower.get(key.trim().toLowerCase()) ?? key.trim();
    claimed.set(name, (claimed.get(name) ?? 0) + n);
  }
  return claimed;
}

function keywordCheck(thought: string, source: string, input: string) {
  const { keywords, text } = keywordInput(input);
  const truth = countKeywords(keywords, source === input ? text : source);
  const claimed = claimedCounts(thought, keywords);
  const total = [...truth.values()].reduce((s, n) => s + n, 0);
  // No readable counts: as wrong as claiming nothing, plus one.
  if (!claimed) return { errors: total + 1, wrong: truth.size, readable: false };
  let errors = 0;
  let wrong = 0;
  for (const key of new Set([...truth.keys(), ...claimed.keys()])) {
    const d = Math.abs((truth.get(key) ?? 0) - (claimed.get(key) ?? 0));
    errors += d;
    if (d > 0) wrong++;
  }
  return { errors, wrong, readable: true };
}

/** Keyword counting (GoT paper): the sum over keywords of |claimed count − true count|. */
export const keywordCountErrors: ErrorFunction = {
  name: 'keyword-count-errors',
  description: 'Keyword counting: the sum over keywords of the difference between the claimed and the true count.',
  errors: (thought, source, input) => keywordCheck(thought, source, input).errors,
  feedback(thought, source, input) {
    const { errors, wrong, readable } = keywordCheck(thought, source, input);
    if (!readable) return 'the counts are not a JSON object';
    return errors === 0 ? 'no mistakes' : `${wrong} keywords have wrong counts (off by ${errors} in total)`;
  },
};

export const ERROR_FUNCTIONS: readonly ErrorFunction[] = [sortErrors, setIntersectionErrors, keywordCountErrors];

export function findErrorFunction(name: string): ErrorFunction | undefined {
  return ERROR_FUNCTIONS.find((f) => f.name === name);
}
