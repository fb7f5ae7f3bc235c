// Reading the string constants of a Python prompt module without running Python: a small tokenizer
// that knows Python's string literals (prefixes r/u/b/f, single or triple quotes, escapes, adjacent
// literals joined), comments, brackets and line continuations, and keeps only top-level statements of
// the form NAME = "literal" "literal" … (parentheses allowed). Anything else is skipped with a reason.

export interface PythonConstant {
  name: string;
  value: string;
  line: number;
}

export interface SkippedStatement {
  name: string;
  line: number;
  reason: string;
}

export class PythonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'PythonSyntaxError';
  }
}

type Token =
  | { kind: 'name'; text: string; line: number; col: number }
  | { kind: 'string'; value: string; prefix: string; line: number; col: number }
  | { kind: 'op'; text: string; line: number; col: number }
  | { kind: 'other'; text: string; line: number; col: number };

const SIMPLE_ESCAPES: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** The value of a non-raw literal's body, with Python's escapes (\N{…} names are kept as written). */
function unescape(body: string, bytes: boolean, line: number): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === undefined) break;
    if (Object.hasOwn(SIMPLE_ESCAPES, next)) out += SIMPLE_ESCAPES[next];
    else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(parseInt(oct, 8));
      i += oct.length - 1;
    } else if (next === 'x' || (!bytes && (next === 'u' || next === 'U'))) {
      const len = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new PythonSyntaxError(`bad \\${next} escape`, line);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else out += `\\${next}`; // Python keeps unknown escapes as written
  }
  return out;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = () => i - lineStart;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\n') {
      tokens.push({ kind: 'op', text: '\n', line, col: col() });
      i++;
      line++;
      lineStart = i;
    } else if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (ch === '\\' && source[i + 1] === '\n') {
      i += 2; // line continuation: the statement goes on
      line++;
      lineStart = i;
    } else if (/[ \t\r\f]/.test(ch)) i++;
    else {
      const literal = /^([rRuUbBfF]{0,2})('''|"""|'|")/.exec(source.slice(i, i + 5));
      if (literal && (literal[1] === '' || /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])$/.test(literal[1]))) {
        const [, prefix, quote] = literal;
        const startLine = line;
        const startCol = col();
        let j = i + prefix.length + quote.length;
        const raw = /r/i.test(prefix);
        let body = '';
        for (;;) {
          if (j >= source.length) throw new PythonSyntaxError('a string literal is not closed', startLine);
          if (source.startsWith(quote, j)) break;
          const c = source[j];
          if (c === '\n') {
            if (quote.length === 1) throw new PythonSyntaxError('a string literal is not closed before the end of the line', startLine);
            line++;
            lineStart = j + 1;
          }
          if (c === '\\' && j + 1 < source.length) {
            if (source[j + 1] === '\n') {
              line++;
              lineStart = j + 2;
            }
            body += source.slice(j, j + 2);
            j += 2;
            continue;
          }
          body += c;
          j++;
        }
        i = j + quote.length;
        tokens.push({ kind: 'string', value: raw ? body : unescape(body, /b/i.test(prefix), startLine), prefix: prefix.toLowerCase(), line: startLine, col: startCol });
      } else if (/[A-Za-z_]/.test(ch)) {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))![0];
        tokens.push({ kind: 'name', text: name, line, col: col() });
        i += name.length;
      } else if ('()[]{}=,;:.'.includes(ch)) {
        tokens.push({ kind: 'op', text: ch, line, col: col() });
        i++;
      } else {
        tokens.push({ kind: 'other', text: ch, line, col: col() });
        i++;
      }
    }
  }
  return tokens;
}

/** Top-level statements: token runs ending at a newline outside brackets (or a `;`). */
function statements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'op' && '([{'.includes(t.text)) depth++;
    if (t.kind === 'op' && ')]}'.includes(t.text)) depth = Math.max(0, depth - 1);
    if (t.kind === 'op' && (t.text === '\n' || t.text === ';') && depth === 0) {
      if (current.length) out.push(current);
      current = [];
      continue;
    }
    if (!(t.kind === 'op' && t.text === '\n')) current.push(t);
  }
  if (current.length) out.push(current);
  return out;
}

/** The module's top-level string constants, and the assignments it had to skip (with why). */
export function readPythonConstants(source: string): { constants: PythonConstant[]; skipped: SkippedStatement[] } {
  const constants: PythonConstant[] = [];
  const skipped: SkippedStatement[] = [];
  for (const st of statements(tokenize(source.replace(/\r\n?/g, '\n')))) {
    const [first, eq, ...rest] = st;
    if (first.kind !== 'name' || first.col !== 0 || !eq || eq.kind !== 'op' || eq.text !== '=') continue;
    const isOp = (t: Token | undefined, text: string) => t !== undefined && t.kind === 'op' && t.text === text;
    let body = rest;
    while (body.length >= 2 && isOp(body[0], '(') && isOp(body[body.length - 1], ')')) body = body.slice(1, -1);
    if (body.length === 0 || !body.every((t) => t.kind === 'string')) {
      skipped.push({ name: first.text, line: first.line, reason: 'not a string literal' });
      continue;
    }
    const parts = body as Extract<Token, { kind: 'string' }>[];
    if (parts.some((p) => p.prefix.includes('f'))) {
      skipped.push({ name: first.text, line: first.line, reason: 'an f-string (its fields are filled when Python runs it)' });
      continue;
    }
    if (parts.some((p) => p.prefix.includes('b'))) {
      skipped.push({ name: first.text, line: first.line, reason: 'bytes, not text' });
      continue;
    }
    const existing = constants.findIndex((c) => c.name === first.text);
    if (existing >= 0) constants.splice(existing, 1); // a later assignment wins, as in Python
    constants.push({ name: first.text, value: parts.map((p) => p.value).join(''), line: first.line });
  }
  return { constants, skipped };
}
