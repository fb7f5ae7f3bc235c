// Game of 24 (as in Yao et al., 2023, "Tree of Thoughts"): combine four numbers with + - * / to make 24.
// The state protocol follows the paper so runs compare with its published traces:
//   - a step is a line "a op b = c (left: <remaining numbers>)";
//   - the propose and value prompts show the state's current numbers on their last "Input:" line;
//   - once only 24 is left, the final step asks (chain-of-thought style) for the whole expression, with the
//     ORIGINAL numbers on the "Input:" line and the steps so far after "Steps:"; the model answers
//     "Answer: <expression> = 24";
//   - a value step ends with sure / likely / impossible (20 / 1 / 0.001, summed over samples);
//   - a state whose last line has no "left:" is valued as a finished answer, as in the authors' code.
// Prompt texts and worked examples are Thoughtscope's own (templates/game24/).
import type { TemplateLibrary } from '../templates/library';
import type { RenderedPrompt } from '../templates/types';
import { countVotes, scoreValueSamples, type VerdictParsing } from './answer';
import { lazyBuiltInTask } from './builtIn';
import type { LoadedTaskFile } from './spec';
import { TemplatedTask } from './templatedTask';
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
export function currentNumbers(input: string, steps: string, left: RegExp = LEFT): string | undefined {
  const last = lastLine(steps);
  if (last === '') return normalizeNumbers(input);
  const m = left.exec(last);
  if (m) return normalizeNumbers(m[1]);
  return undefined;
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
// Prompts: the templates game24/* (templates/game24/) that tasks/game24.task.yaml names; this code picks
// the template for a state and gives it its numbers. Their texts and worked examples are Thoughtscope's own.

function stepsSoFar(steps: string): string {
  const lines = stepLines(steps);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const PROPOSAL_LINE = /^(.+?)=\s*(-?[\d./]+)\s*\(\s*left\s*:\s*([^)]*)\)\s*$/i;

/**
 * reference: every line of the response is a next step, as the authors' get_proposals does (blank and
 * malformed lines too; the value step judges them). lenient: only "a op b = c (left: ...)" lines, or
 * "Answer:" lines on the final step, with list markers and bold removed.
 */
function parseProposals(finalStep: boolean, response: string, parsing: VerdictParsing): string[] {
  if (parsing === 'reference') return response.split('\n');
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

function parseSample(_input: string, steps: string, response: string): string {
  const previous = new Set(stepLines(steps));
  for (const raw of response.split('\n')) {
    const line = raw.replace(/\*\*/g, '').trim();
    if (line === '' || /^steps\s*:?$/i.test(line) || previous.has(line)) continue;
    return line.replace(/^steps\s*:\s*/i, '');
  }
  return '';
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

function extractAnswer(output: string): string {
  let last: string | undefined;
  for (const line of output.split('\n')) {
    const m = ANSWER_LINE.exec(line.replace(/\*\*/g, '').trim());
    if (m) last = m[1];
  }
  if (last !== undefined) return answerExpression(last);
  return lastLine(output);
}


/** The game24 kind: the ToT paper's state protocol above, with the task file's progress rules and templates. */
export class Game24Task extends TemplatedTask implements Task {
  private readonly left: RegExp;
  private readonly final: RegExp;
  private readonly maxSteps: number;

  constructor(
    loaded: LoadedTaskFile,
    templates: TemplateLibrary,
  ) {
    super(loaded, templates);
    const progress = loaded.spec.progress ?? {};
    this.left = progress.left ? new RegExp(progress.left, 'i') : LEFT;
    this.final = new RegExp(progress.final ?? '^24$');
    this.maxSteps = progress.maxSteps ?? 4;
  }

  /** Whether the state needs its final step (what is left is final, e.g. only 24, or it already answered). */
  private needsFinalStep(input: string, steps: string): boolean {
    const current = currentNumbers(input, steps, this.left);
    return current === undefined || this.final.test(current);
  }

  ioPrompt(input: string): RenderedPrompt {
    return this.render('io', 'game24/io', { input, numbers: normalizeNumbers(input) });
  }

  cotPrompt(input: string, fewShot: boolean): RenderedPrompt {
    return this.render('cot', 'game24/cot', { input, numbers: normalizeNumbers(input), fewShot });
  }

  /** The chain-of-thought prompt continued from the steps so far: original numbers on the Input line. */
  proposePrompt(input: string, steps: string): RenderedPrompt {
    if (this.needsFinalStep(input, steps)) {
      const cot = this.cotPrompt(input, true);
      return this.compose('cotSteps', 'game24/cot-steps', { input, numbers: normalizeNumbers(input), steps: stepsSoFar(steps), cot: cot.text }, cot);
    }
    const current = currentNumbers(input, steps, this.left) ?? normalizeNumbers(input);
    return this.render('propose', 'game24/propose', { input, numbers: current });
  }

  parseProposals(input: string, steps: string, response: string, parsing: VerdictParsing = 'reference'): string[] {
    return parseProposals(this.needsFinalStep(input, steps), response, parsing);
  }

  samplePrompt(input: string, steps: string): RenderedPrompt {
    const cot = this.cotPrompt(input, true);
    return this.compose('sample', 'game24/sample', { input, numbers: normalizeNumbers(input), steps: stepsSoFar(steps), cot: cot.text }, cot);
  }

  parseSample(input: string, steps: string, response: string): string {
    return parseSample(input, steps, response);
  }

  valuePrompt(input: string, steps: string): RenderedPrompt {
    const last = lastLine(steps);
    // As the authors' value_prompt_wrap: a last line without "left:" is judged as a final answer.
    if (last !== '' && !this.left.test(last)) {
      return this.render('valueLast', 'game24/value-last', { input, numbers: normalizeNumbers(input), answer: answerExpression(last) });
    }
    const current = currentNumbers(input, steps, this.left) ?? normalizeNumbers(input);
    return this.render('value', 'game24/value', { input, numbers: current });
  }

  parseValues(_input: string, steps: string, responses: string[], parsing: VerdictParsing = 'reference'): number {
    // As in the paper: a state that used up its four steps without reaching an answer is worth nothing
    // (lines counted as the authors' code counts them, blank ones included).
    if (steps.trim().split('\n').length >= this.maxSteps && !/answer/i.test(steps)) return 0;
    return scoreValueSamples(responses, parsing);
  }

  votePrompt(input: string, candidates: string[]): RenderedPrompt {
    return this.render('vote', 'game24/vote', { input, numbers: normalizeNumbers(input), choices: candidates.map((c) => stepsSoFar(c).trim()) });
  }

  parseVotes(candidates: string[], responses: string[], parsing?: VerdictParsing): number[] {
    return countVotes(candidates.length, responses, parsing);
  }

  authorsPick(input: string, finalStates: readonly string[]): number | undefined {
    return game24AuthorsPick(input, finalStates);
  }

  override extractAnswer(output: string): string {
    return extractAnswer(output);
  }

  judge(input: string, answer: string): boolean {
    return judgeGame24(input, answer);
  }

  stepLabel(steps: string): string {
    return lastLine(steps);
  }

  stateMeta(input: string, steps: string): Record<string, string | boolean> {
    const left = currentNumbers(input, steps, this.left);
    return left === undefined ? { finished: true } : { left };
  }
}

/** The built-in Game of 24 task (tasks/game24.task.yaml), read on first use. */
export const game24Task: Task = lazyBuiltInTask('game24');
