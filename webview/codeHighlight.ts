// A small syntax highlighter for the programs Program of Thoughts writes (Python, JavaScript).
// `tokenize` is pure; `highlightedCode` builds a <pre> whose spans get the model's code through
// textContent only, so nothing in the code is ever parsed as HTML.
import { el, textNode } from './format';

export type TokenClass = 'keyword' | 'string' | 'comment' | 'number' | 'builtin';

export interface Token {
  text: string;
  cls?: TokenClass;
}

const KEYWORDS: Record<string, ReadonlySet<string>> = {
  python: new Set(
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'.split(' '),
  ),
  javascript: new Set(
    'break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof let new null of return super switch this throw true try typeof undefined var void while with yield async await'.split(' '),
  ),
};

const BUILTINS: Record<string, ReadonlySet<string>> = {
  python: new Set('print range len sum min max abs round int float str list dict set tuple sorted enumerate zip map filter Fraction Decimal math'.split(' ')),
  javascript: new Set('console Math BigInt Number String Array Object JSON Map Set'.split(' ')),
};

// One alternation per token kind, tried in this order at each position.
const PATTERNS: Record<string, RegExp> = {
  python: /(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|[rbfuRBFU]{0,2}"(?:\\.|[^"\\\n])*"?|[rbfuRBFU]{0,2}'(?:\\.|[^'\\\n])*'?)|(\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?j?\b)|([A-Za-z_]\w*)/g,
  javascript: /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|("(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?|`(?:\\.|[^`\\])*`?)|(\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?n?\b)|([A-Za-z_$][\w$]*)/g,
};

export function tokenize(code: string, language: string): Token[] {
  const lang = language === 'javascript' ? 'javascript' : 'python';
  const pattern = new RegExp(PATTERNS[lang].source, 'g');
  const tokens: Token[] = [];
  let last = 0;
  for (const m of code.matchAll(pattern)) {
    const at = m.index ?? 0;
    if (at > last) tokens.push({ text: code.slice(last, at) });
    const [text, comment, string, number, word] = m;
    let cls: TokenClass | undefined;
    if (comment) cls = 'comment';
    else if (string) cls = 'string';
    else if (number) cls = 'number';
    else if (word && KEYWORDS[lang].has(word)) cls = 'keyword';
    else if (word && BUILTINS[lang].has(word)) cls = 'builtin';
    tokens.push(cls ? { text, cls } : { text });
    last = at + text.length;
  }
  if (last < code.length) tokens.push({ text: code.slice(last) });
  return tokens;
}

export function highlightedCode(code: string, language: string): HTMLElement {
  const pre = el('pre', 'node-text code');
  pre.dataset.language = language;
  for (const token of tokenize(code, language)) {
    if (token.cls) pre.append(el('span', `tok-${token.cls}`, token.text));
    else pre.append(textNode(token.text));
  }
  return pre;
}
