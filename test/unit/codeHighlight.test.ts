// The inspector's highlighter for PoT programs: every character of the code survives tokenizing
// (it is then inserted as text nodes), and keywords, strings, numbers and comments are told apart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from '../../webview/codeHighlight';

const classes = (code: string, language: string) => tokenize(code, language).filter((t) => t.cls).map((t) => `${t.cls}:${t.text}`);

test('python: keywords, builtins, strings, numbers and comments', () => {
  const code = 'from fractions import Fraction\ndef f(x):  # half\n    return Fraction(x, 2) + 1_000 + 2.5e3\nprint(f"{f(3)}", \'a\\\'b\')';
  assert.equal(tokenize(code, 'python').map((t) => t.text).join(''), code);
  assert.deepEqual(classes(code, 'python'), [
    'keyword:from', 'keyword:import', 'builtin:Fraction', 'keyword:def', 'comment:# half', 'keyword:return', 'builtin:Fraction',
    'number:2', 'number:1_000', 'number:2.5e3', 'builtin:print', 'string:f"{f(3)}"', "string:'a\\'b'",
  ]);
});

test('javascript: BigInt literals, template strings, block comments', () => {
  const code = '/* big */ const n = 2n ** 100n; console.log(`${n}`); // done';
  assert.equal(tokenize(code, 'javascript').map((t) => t.text).join(''), code);
  assert.deepEqual(classes(code, 'javascript'), ['comment:/* big */', 'keyword:const', 'number:2n', 'number:100n', 'builtin:console', 'string:`${n}`', 'comment:// done']);
});

test('markup in model code stays text: a string token, never an element', () => {
  const code = 'print("<img src=x onerror=alert(1)>")</pre><script>x</script>';
  const tokens = tokenize(code, 'python');
  assert.equal(tokens.map((t) => t.text).join(''), code);
  assert.ok(tokens.some((t) => t.cls === 'string' && t.text === '"<img src=x onerror=alert(1)>"'));
});

test('unterminated strings and comments do not swallow or drop text', () => {
  for (const code of ['x = "open', "s = '''never closed\nmore", '/* open comment', 'a = `tmpl']) {
    const lang = code.startsWith('/*') || code.startsWith('a =') ? 'javascript' : 'python';
    assert.equal(tokenize(code, lang).map((t) => t.text).join(''), code);
  }
});
