// A safe arithmetic evaluator for the calculator tool: a small recursive-descent parser over numbers,
// + - * / % ^ (right-associative power), parentheses, unary signs, the constants pi and e, and a fixed
// set of Math functions. Nothing is ever handed to eval or Function; anything else is an error that
// names the position.

export class CalcError extends Error {}

const FUNCTIONS: Record<string, { arity: [number, number]; fn: (...xs: number[]) => number }> = {
  sqrt: { arity: [1, 1], fn: Math.sqrt },
  cbrt: { arity: [1, 1], fn: Math.cbrt },
  abs: { arity: [1, 1], fn: Math.abs },
  sin: { arity: [1, 1], fn: Math.sin },
  cos: { arity: [1, 1], fn: Math.cos },
  tan: { arity: [1, 1], fn: Math.tan },
  asin: { arity: [1, 1], fn: Math.asin },
  acos: { arity: [1, 1], fn: Math.acos },
  atan: { arity: [1, 1], fn: Math.atan },
  ln: { arity: [1, 1], fn: Math.log },
  log: { arity: [1, 2], fn: (x, base) => (base === undefined ? Math.log10(x) : Math.log(x) / Math.log(base)) },
  exp: { arity: [1, 1], fn: Math.exp },
  floor: { arity: [1, 1], fn: Math.floor },
  ceil: { arity: [1, 1], fn: Math.ceil },
  round: { arity: [1, 2], fn: (x, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits },
  min: { arity: [1, 100], fn: Math.min },
  max: { arity: [1, 100], fn: Math.max },
};

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const MAX_LENGTH = 1000;
const MAX_DEPTH = 100;

export function evaluateExpression(source: string): number {
  if (source.length > MAX_LENGTH) throw new CalcError(`the expression is longer than ${MAX_LENGTH} characters`);
  const tokens = source.match(/\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[A-Za-z_]\w*|\*\*|\S/g) ?? [];
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    throw new CalcError(`${what} at token ${pos + 1}${tokens[pos] ? ` ("${tokens[pos]}")` : ' (end of expression)'}`);
  };
  const expect = (t: string) => (peek() === t ? pos++ : fail(`expected "${t}"`));

  function expression(): number {
    if (++depth > MAX_DEPTH) fail('the expression nests too deeply');
    let value = term();
    while (peek() === '+' || peek() === '-') value = tokens[pos++] === '+' ? value + term() : value - term();
    depth--;
    return value;
  }
  function term(): number {
    let value = unary();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = tokens[pos++];
      const right = unary();
      if ((op === '/' || op === '%') && right === 0) throw new CalcError('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  }
  function unary(): number {
    if (peek() === '-') return pos++, -unary();
    if (peek() === '+') return pos++, unary();
    return power();
  }
  function power(): number {
    const base = primary();
    if (peek() === '^' || peek() === '**') {
      pos++;
      return base ** unary();
    }
    return base;
  }
  function primary(): number {
    const t = peek();
    if (t === undefined) return fail('expected a number');
    if (/^[\d.]/.test(t)) {
      pos++;
      return Number(t);
    }
    if (t === '(') {
      pos++;
      const v = expression();
      expect(')');
      return v;
    }
    if (/^[A-Za-z_]/.test(t)) {
      const name = t.toLowerCase();
      pos++;
      if (name in CONSTANTS) return CONSTANTS[name];
      const f = FUNCTIONS[name];
      if (!f) throw new CalcError(`unknown name "${t}"; known functions: ${Object.keys(FUNCTIONS).join(', ')}; constants: pi, e`);
      expect('(');
      const args = [expression()];
      while (peek() === ',') {
        pos++;
        args.push(expression());
      }
      expect(')');
      if (args.length < f.arity[0] || args.length > f.arity[1]) throw new CalcError(`${name} takes ${f.arity[0] === f.arity[1] ? f.arity[0] : `${f.arity[0]} to ${f.arity[1]}`} argument(s), got ${args.length}`);
      return f.fn(...args);
    }
    return fail('unexpected symbol');
  }

  if (tokens.length === 0) throw new CalcError('the expression is empty');
  const value = expression();
  if (pos < tokens.length) fail('unexpected symbol');
  if (!Number.isFinite(value)) throw new CalcError(`the result is not a finite number (${value})`);
  return value;
}
