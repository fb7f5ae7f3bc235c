// Game of 24 (as in Yao et al., 2023, "Tree of Thoughts"): combine four numbers with + - * / to make 24.
// The state protocol follows the paper so runs compare with its published traces:
//   - a step is a line "a op b = c (left: <remaining numbers>)";
//   - the propose and value prompts show the state's current numbers on their last "Input:" line;
//   - once only 24 is left, the final step asks (chain-of-thought style) for the whole expression, with the
//     ORIGINAL numbers on the "Input:" line and the steps so far after "Steps:"; the model answers
//     "Answer: <expression> = 24";
//   - a value step ends with sure / likely / impossible (20 / 1 / 0.001, summed over samples);
//   - a state whose last line has no "left:" is valued as a finished answer, as in the authors' code.
// Prompt texts and worked examples are Thoughtscope's own.
import { countVotes, scoreValueSamples, type VerdictParsing } from './answer';
import type { Task } from './types';

// ---------------------------------------------------------------------------------------------
// Data

/**
 * The puzzles of a 24.csv file (header "Rank,Puzzles,..."), in file order. The ToT paper's test set is
 * indices 900..999 (0-based), see GAME24_TEST_RANGE.
 */
export function loadGame24Puzzles(csvText: string): string[] {
  const lines = csvText.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = splitCsvLine(lines[0]).map((h) => h.trim().toLowerCase());
  const column = header.indexOf('puzzles');
  if (column < 0) throw new Error('24.csv has no "Puzzles" column');
  const puzzles: string[] = [];
  for (const line of lines.slice(1)) {
    const cell = splitCsvLine(line)[column];
    if (cell === undefined) continue;
    const puzzle = normalizeNumbers(cell);
    if (puzzle) puzzles.push(puzzle);
  }
  return puzzles;
}

/** Where the ToT paper's puzzles ship, relative to Thoughtscope's package root (data/game24/README.md). */
export const GAME24_PUZZLES_FILE = ['data', 'game24', '24.csv'] as const;

/** The published ToT evaluation slice: puzzles[start..end) (indices 900 to 999). */
export const GAME24_TEST_RANGE = { start: 900, end: 1000 } as const;

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

function normalizeNumbers(text: string): string {
  return text.trim().split(/\s+/).filter(Boolean).join(' ');
}

// ---------------------------------------------------------------------------------------------
// State helpers

function stepLines(steps: string): string[] {
  return steps.split('\n').map((l) => l.trim()).filter(Boolean);
}

function lastLine(steps: string): string {
  const lines = stepLines(steps);
  return lines[lines.length - 1] ?? '';
}

/** "(left: 4 6)": the numbers after "left:" up to a closing parenthesis (which the authors' code does not require). */
const LEFT = /\bleft\s*:\s*([^)]*)/i;
const ANSWER_LINE = /^\s*answer\s*:\s*(.*)$/i;

/** Whether the last step is a final "Answer: ..." line. */
export function isFinished(steps: string): boolean {
  return ANSWER_LINE.test(lastLine(steps));
}

/**
 * The numbers a state still has to combine: the "left:" numbers of its last step, or the puzzle's
 * numbers before any step. Returns undefined for a finished state (its last step is an answer).
 */
export function currentNumbers(input: string, steps: string): string | undefined {
  const last = lastLine(steps);
  if (last === '') return normalizeNumbers(input);
  const m = LEFT.exec(last);
  if (m) return normalizeNumbers(m[1]);
  return undefined;
}

/** Whether the state needs its final step (only 24 is left, or it already answered). */
function needsFinalStep(input: string, steps: string): boolean {
  const current = currentNumbers(input, steps);
  return current === undefined || current === '24';
}

/** The expression of an answer line ("Answer: (1 + 2) * 8 = 24" gives "(1 + 2) * 8"). */
function answerExpression(text: string): string {
  let s = text.trim().replace(/^\*\*|\*\*$/g, '').trim();
  const m = ANSWER_LINE.exec(s);
  if (m) s = m[1].trim();
  s = s.replace(/^\*\*|\*\*$/g, '').trim();
  return s.replace(/\s*=\s*24\s*\.?\s*$/, '').trim();
}

// ---------------------------------------------------------------------------------------------
// Judge: exact rational arithmetic with a small recursive-descent parser (no eval).

interface Fraction {
  n: bigint;
  d: bigint; // always > 0
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function fraction(n: bigint, d: bigint): Fraction {
  if (d === 0n) throw new DivisionByZero();
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

class DivisionByZero extends Error {}
class SyntaxProblem extends Error {}

type Token = { kind: 'num'; text: string } | { kind: 'op'; text: '+' | '-' | '*' | '/' | '(' | ')' };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i];
    if (/\s/.test(ch)) i++;
    else if (/[0-9]/.test(ch)) {
      let j = i;
      while (j < expression.length && /[0-9]/.test(expression[j])) j++;
      tokens.push({ kind: 'num', text: expression.slice(i, j) });
      i = j;
    } else if ('+-*/()'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch as '+' | '-' | '*' | '/' | '(' | ')' });
      i++;
    } else throw new SyntaxProblem(`unexpected character ${JSON.stringify(ch)}`);
  }
  return tokens;
}

/** expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)* ; factor := ('+'|'-') factor | int | '(' expr ')' */
class Parser {
  private pos = 0;
  readonly numbers: bigint[] = [];
  constructor(private readonly tokens: Token[]) {}

  parse(): Fraction {
    const value = this.expr();
    if (this.pos !== this.tokens.length) throw new SyntaxProblem('trailing input');
    return value;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'op' && ops.includes(t.text);
  }

  private expr(): Fraction {
    let value = this.term();
    while (this.isOp('+', '-')) {
      const op = this.tokens[this.pos++].text;
      const right = this.term();
      value = op === '+' ? fraction(value.n * right.d + right.n * value.d, value.d * right.d) : fraction(value.n * right.d - right.n * value.d, value.d * right.d);
    }
    return value;
  }

  private term(): Fraction {
    let value = this.factor();
    while (this.isOp('*', '/')) {
      const op = this.tokens[this.pos++].text;
      const right = this.factor();
      value = op === '*' ? fraction(value.n * right.n, value.d * right.d) : fraction(value.n * right.d, value.d * right.n);
    }
    return value;
  }

  private factor(): Fraction {
    const t = this.peek();
    if (t === undefined) throw new SyntaxProblem('unexpected end');
    if (t.kind === 'num') {
      this.pos++;
      const n = BigInt(t.text);
      this.numbers.push(n);
      return fraction(n, 1n);
    }
    if (t.text === '-' || t.text === '+') {
      this.pos++;
      const inner = this.factor();
      return t.text === '-' ? fraction(-inner.n, inner.d) : inner;
    }
    if (t.text === '(') {
      this.pos++;
      const inner = this.expr();
      if (!this.isOp(')')) throw new SyntaxProblem('missing )');
      this.pos++;
      return inner;
    }
    throw new SyntaxProblem(`unexpected ${t.text}`);
  }
}

/** Evaluate an arithmetic expression exactly; returns the value and the integer literals used, or undefined. */
export function evaluateExpression(expression: string): { value: Fraction; numbers: bigint[] } | undefined {
  const normalized = expression.replace(/[×xX✕·]/g, '*').replace(/÷/g, '/').replace(/[−–—]/g, '-');
  try {
    const parser = new Parser(tokenize(normalized));
    const value = parser.parse();
    return { value, numbers: parser.numbers };
  } catch (err) {
    if (err instanceof SyntaxProblem || err instanceof DivisionByZero) return undefined;
    throw err;
  }
}

/**
 * Whether `answer` solves puzzle `input`: an expression of + - * / and parentheses over integers
 * (optionally prefixed "Answer:" and suffixed "= 24") that uses each puzzle number exactly once and is
 * exactly 24. Division by zero or anything else in the expression makes it wrong.
 */
export function judgeGame24(input: string, answer: string): boolean {
  const expression = answerExpression(answer);
  if (expression === '' || expression.includes('=')) return false;
  const result = evaluateExpression(expression);
  if (!result) return false;
  const given = normalizeNumbers(input).split(' ').filter(Boolean);
  if (given.length === 0 || !given.every((w) => /^\d+$/.test(w))) return false;
  // Multiset equality of the integers used and the puzzle's numbers (compared in canonical form).
  const wanted = given.map((w) => BigInt(w).toString()).sort();
  const used = result.numbers.map((n) => n.toString()).sort();
  if (used.length !== wanted.length || used.some((u, i) => u !== wanted[i])) return false;
  return result.value.n === 24n && result.value.d === 1n;
}

// ---------------------------------------------------------------------------------------------
// Prompts (Thoughtscope's own wording and examples)

const RULES = 'Use each of the numbers exactly once, with only + - * / and parentheses, to obtain 24.';

const IO_EXAMPLES = `Input: 1 5 6 8
Answer: (8 - 5 + 1) * 6 = 24
Input: 2 3 9 10
Answer: (9 / 3) * (10 - 2) = 24
Input: 2 4 5 12
Answer: 12 * 2 * (5 - 4) = 24
Input: 5 7 11 1
Answer: (5 * 7 - 11) * 1 = 24
`;

const COT_EXAMPLES = `Input: 1 5 6 8
Steps:
8 - 5 = 3 (left: 1 3 6)
3 + 1 = 4 (left: 4 6)
4 * 6 = 24 (left: 24)
Answer: (8 - 5 + 1) * 6 = 24
Input: 2 3 9 10
Steps:
10 - 2 = 8 (left: 3 8 9)
9 / 3 = 3 (left: 3 8)
3 * 8 = 24 (left: 24)
Answer: (9 / 3) * (10 - 2) = 24
Input: 2 4 5 12
Steps:
5 - 4 = 1 (left: 1 2 12)
12 * 2 = 24 (left: 1 24)
24 * 1 = 24 (left: 24)
Answer: 12 * 2 * (5 - 4) = 24
`;

const COT_INSTRUCTIONS =
  `${RULES} Work one step at a time: each step combines two of the remaining numbers and lists what is left, ` +
  'in the form "a op b = c (left: ...)". When only 24 is left, write the whole expression on a line ' +
  '"Answer: <expression> = 24" that uses the original numbers.\n';

const PROPOSE_EXAMPLE = `Input: 3 5 7 12
Possible next steps:
3 + 5 = 8 (left: 7 8 12)
12 - 7 = 5 (left: 3 5 5)
5 * 3 = 15 (left: 7 12 15)
12 / 3 = 4 (left: 4 5 7)
7 - 5 = 2 (left: 2 3 12)
12 + 7 = 19 (left: 3 5 19)
5 - 3 = 2 (left: 2 7 12)
7 * 3 = 21 (left: 5 12 21)
`;

const VALUE_EXAMPLES = `Input: 24
24 = 24
sure
Input: 4 6
4 * 6 = 24
sure
Input: 3 3
3 + 3 = 6
3 * 3 = 9
3 - 3 = 0
3 / 3 = 1
impossible
Input: 2 5 7
(5 + 7) * 2 = 24
sure
Input: 3 9 12
3 + 9 + 12 = 24
sure
Input: 5 7 11
5 + 7 + 11 = 23
11 - 7 = 4, 4 * 5 = 20
No 24 yet, but these numbers are in a workable range
likely
Input: 1 2 3
1 + 2 + 3 = 6
1 * 2 * 3 = 6
(1 + 3) * 2 = 8
The numbers are too small to reach 24
impossible
Input: 10 11 13
10 + 11 + 13 = 34
13 - 11 = 2, 2 * 10 = 20
(13 - 10) * 11 = 33
Nothing lands on 24 and the numbers are too large to bring down to it
impossible
`;

const VALUE_LAST_EXAMPLES = `Input: 1 5 6 8
Answer: (8 - 5 + 1) * 6 = 24
Judge: it uses 1, 5, 6 and 8 once each, and (8 - 5 + 1) * 6 = 4 * 6 = 24.
sure
Input: 2 3 9 10
Answer: (10 - 3) * 3 + 2 = 24
Judge: 3 is used twice and 9 is not used.
impossible
Input: 2 4 5 12
Answer: 12 * 2 + 5 - 4 = 24
Judge: it uses 2, 4, 5 and 12 once each, but 12 * 2 + 5 - 4 = 25, not 24.
impossible
Input: 3 5 7 12
Answer: (3 + 7) / (5 / 12) = 24
Judge: it uses 3, 5, 7 and 12 once each, and 10 / (5 / 12) = 10 * 12 / 5 = 24.
sure
`;

function ioPrompt(input: string): string {
  return `${RULES} Reply with one line "Answer: <expression> = 24".\n${IO_EXAMPLES}Input: ${normalizeNumbers(input)}\n`;
}

function cotPrompt(input: string, fewShot: boolean): string {
  return `${COT_INSTRUCTIONS}${fewShot ? COT_EXAMPLES : ''}Input: ${normalizeNumbers(input)}\n`;
}

function stepsSoFar(steps: string): string {
  const lines = stepLines(steps);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The chain-of-thought prompt continued from the steps so far: original numbers on the Input line. */
function continuationPrompt(input: string, steps: string): string {
  return `${cotPrompt(input, true)}Steps:\n${stepsSoFar(steps)}`;
}

function proposePrompt(input: string, steps: string): string {
  if (needsFinalStep(input, steps)) {
    return continuationPrompt(input, steps);
  }
  const current = currentNumbers(input, steps) ?? normalizeNumbers(input);
  return (
    'Pick two of the input numbers and combine them with + - * / into one new number. ' +
    'List several different possible next steps, one per line, each in the form "a op b = c (left: the remaining numbers)".\n' +
    `${PROPOSE_EXAMPLE}Input: ${current}\nPossible next steps:\n`
  );
}

const PROPOSAL_LINE = /^(.+?)=\s*(-?[\d./]+)\s*\(\s*left\s*:\s*([^)]*)\)\s*$/i;

/**
 * reference: every line of the response is a next step, as the authors' get_proposals does (blank and
 * malformed lines too; the value step judges them). lenient: only "a op b = c (left: ...)" lines, or
 * "Answer:" lines on the final step, with list markers and bold removed.
 */
function parseProposals(input: string, steps: string, response: string, parsing: VerdictParsing = 'reference'): string[] {
  if (parsing === 'reference') return response.split('\n');
  const finalStep = needsFinalStep(input, steps);
  const out: string[] = [];
  for (const raw of response.split('\n')) {
    const line = raw.replace(/^\s*(?:[-*•]|\d+[.)]\s)\s*/, '').replace(/\*\*/g, '').trim();
    if (line === '') continue;
    if (finalStep) {
      const m = ANSWER_LINE.exec(line);
      if (m && m[1].trim() !== '') out.push(`Answer: ${m[1].trim()}`);
      continue;
    }
    const m = PROPOSAL_LINE.exec(line);
    if (!m) continue;
    const left = normalizeNumbers(m[3]);
    if (left === '') continue;
    out.push(`${m[1].trim().replace(/\s+/g, ' ')} = ${m[2]} (left: ${left})`);
  }
  return out;
}

function samplePrompt(input: string, steps: string): string {
  return (
    `${continuationPrompt(input, steps)}` +
    '(Write only the next line: one more step, or the Answer line if only 24 is left.)\n'
  );
}

function parseSample(_input: string, steps: string, response: string): string {
  const previous = new Set(stepLines(steps));
  for (const raw of response.split('\n')) {
    const line = raw.replace(/\*\*/g, '').trim();
    if (line === '' || /^steps\s*:?$/i.test(line) || previous.has(line)) continue;
    return line.replace(/^steps\s*:\s*/i, '');
  }
  return '';
}

function valuePrompt(input: string, steps: string): string {
  const last = lastLine(steps);
  // As the authors' value_prompt_wrap: a last line without "left:" is judged as a final answer.
  if (last !== '' && !LEFT.test(last)) {
    return (
      'Each input below has four numbers and a proposed answer. Check that the answer uses every input number exactly once ' +
      'and equals 24. Explain briefly after "Judge:", then write sure if the answer is correct or impossible if not, alone on the last line.\n' +
      `${VALUE_LAST_EXAMPLES}Input: ${normalizeNumbers(input)}\nAnswer: ${answerExpression(last)} = 24\nJudge:`
    );
  }
  const current = currentNumbers(input, steps) ?? normalizeNumbers(input);
  return (
    'Decide whether the input numbers can still reach 24 using + - * / with each number exactly once. ' +
    'Try a few combinations briefly, then write your verdict alone on the last line: sure, likely or impossible.\n' +
    `${VALUE_EXAMPLES}Input: ${current}\n`
  );
}

function parseValues(_input: string, steps: string, responses: string[], parsing: VerdictParsing = 'reference'): number {
  // As in the paper: a state that used up its four steps without reaching an answer is worth nothing
  // (lines counted as the authors' code counts them, blank ones included).
  if (steps.trim().split('\n').length >= 4 && !/answer/i.test(steps)) return 0;
  return scoreValueSamples(responses, parsing);
}

/**
 * The ToT authors' final pick for Game of 24 (their reply in tree-of-thought-llm issues #22 and #53): the
 * first final state containing "Answer: " whose expression (up to " = ") uses exactly the puzzle's numbers.
 */
export function game24AuthorsPick(input: string, finalStates: readonly string[]): number | undefined {
  const wanted = (input.match(/\d+/g) ?? []).sort();
  for (const [i, state] of finalStates.entries()) {
    if (!state.includes('Answer: ')) continue;
    const expression = state.split('Answer: ').pop()!.split(' = ')[0];
    const used = (expression.match(/\d+/g) ?? []).sort();
    if (used.length === wanted.length && used.every((n, k) => n === wanted[k])) return i;
  }
  return undefined;
}

function votePrompt(input: string, candidates: string[]): string {
  return (
    // The unchanging instructions first, the puzzle after them: provider prompt caches match prefixes.
    `Puzzle: ${RULES}\n` +
    'After the input are several partial solutions (choices). Say briefly for each whether it can still lead to 24, ' +
    'then end with a line "The best choice is <number>".\n' +
    `Input: ${normalizeNumbers(input)}\n\n` +
    candidates.map((c, i) => `Choice ${i + 1}:\n${stepsSoFar(c).trim() || '(no steps yet)'}`).join('\n\n')
  );
}

function extractAnswer(output: string): string {
  let last: string | undefined;
  for (const line of output.split('\n')) {
    const m = ANSWER_LINE.exec(line.replace(/\*\*/g, '').trim());
    if (m) last = m[1];
  }
  if (last !== undefined) return answerExpression(last);
  return lastLine(output);
}

export const game24Task: Task = {
  id: 'game24',
  description: 'Game of 24: combine four numbers with + - * / to make 24 (judged exactly).',
  defaultSteps: 4,
  ioPrompt,
  cotPrompt,
  proposePrompt,
  parseProposals,
  samplePrompt,
  parseSample,
  valuePrompt,
  parseValues,
  votePrompt,
  parseVotes: (candidates, responses, parsing) => countVotes(candidates.length, responses, parsing),
  authorsPick: game24AuthorsPick,
  extractAnswer,
  judge: judgeGame24,
  stepLabel: (steps) => lastLine(steps),
  stateMeta: (input, steps): Record<string, string | boolean> => {
    const left = currentNumbers(input, steps);
    return left === undefined ? { finished: true } : { left };
  },
};
