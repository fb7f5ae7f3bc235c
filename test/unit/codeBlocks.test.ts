// "Run in sandbox": the fenced blocks found in Markdown, fences long enough for their content (the
// PoT preview and inserted output), and the output as inserted text and as the inline summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fenceFor, fencedBlock, findFencedBlocks, findRunnableBlocks, inlineSummary, languageOfEditor, languageOfTag, outputText, plainText, spanAfterEdit } from '../../src/core/sandbox/codeBlocks';
import type { ExecutionResult } from '../../src/core/sandbox/types';
import { extractProgram, repairMessages } from '../../src/core/techniques/potProgram';
import { genericTask } from '../../src/core/tasks/generic';
import { previewBlock } from '../../src/programs/potPreview';

const ok = (stdout: string, extra: Partial<ExecutionResult> = {}): ExecutionResult => ({ ok: true, stdout, stderr: '', timeMs: 1, engine: 'pyodide', ...extra });
const failed = (error: string, extra: Partial<ExecutionResult> = {}): ExecutionResult => ({ ok: false, stdout: '', stderr: '', error, timeMs: 1, engine: 'pyodide', ...extra });

test('python and javascript blocks are found with their lines; other languages and empty blocks are not', () => {
  const md = [
    '# Notes', //                       0
    '```python', //                     1
    'print(6 * 7)', //                  2
    '```', //                           3
    'text', //                          4
    '```js', //                         5
    'console.log(1)', //                6
    '```', //                           7
    '```ts', //                         8
    'const x: number = 1', //           9
    '```', //                          10
    '```bash', //                      11
    'rm -rf /', //                     12
    '```', //                          13
    '```py', //                        14
    '   ', //                          15
    '```', //                          16
    '~~~ Python title="calc"', //      17
    'x = 1', //                        18
    '~~~', //                          19
    '```javascript{cmd=true}', //      20
    'var result = 2', //               21
    '```', //                          22
  ].join('\n');
  const blocks = findRunnableBlocks(md);
  assert.deepEqual(
    blocks.map((b) => [b.language, b.code, b.openLine, b.closeLine]),
    [
      ['python', 'print(6 * 7)', 1, 3],
      ['javascript', 'console.log(1)', 5, 7],
      ['python', 'x = 1', 17, 19],
      ['javascript', 'var result = 2', 20, 22],
    ],
  );
  // The full list still has the others, with their tags.
  assert.deepEqual(findFencedBlocks(md).map((b) => b.tag), ['python', 'js', 'ts', 'bash', 'py', 'python', 'javascript']);
});

test('tags and editor languages: py/python3/mjs run, TypeScript and unknown tags do not', () => {
  assert.equal(languageOfTag('PY'), 'python');
  assert.equal(languageOfTag('python3'), 'python');
  assert.equal(languageOfTag('mjs'), 'javascript');
  assert.equal(languageOfTag('ts'), undefined);
  assert.equal(languageOfTag('typescript'), undefined);
  assert.equal(languageOfTag('constructor'), undefined);
  assert.equal(languageOfTag(''), undefined);
  assert.equal(languageOfEditor('python'), 'python');
  assert.equal(languageOfEditor('javascript'), 'javascript');
  assert.equal(languageOfEditor('typescript'), undefined);
  assert.equal(languageOfEditor('markdown'), undefined);
});

test('indented fences (list items) lose their indentation; CRLF text keeps its line numbers', () => {
  const md = '1. Step one:\r\n\r\n   ```python\r\n   for i in range(2):\r\n       print(i)\r\n   ```\r\n2. Done';
  const [block] = findRunnableBlocks(md);
  assert.equal(block.code, 'for i in range(2):\n    print(i)');
  assert.equal(block.openLine, 2);
  assert.equal(block.closeLine, 5);
});

test('a block inside a longer fence is content, not a block; a shorter or tagged fence does not close', () => {
  const md = [
    '````markdown', //  0
    '```python', //     1
    'print("inner")', // 2
    '```', //           3
    '````', //          4
    '```python', //     5
    'print("```")', //  6  (backticks inside a line do not close)
    '```not-a-close', // 7 (a closing fence has no info string)
    '``', //            8  (shorter)
    '~~~', //           9  (other character)
    '`````', //        10  (longer closes)
  ].join('\n');
  const blocks = findFencedBlocks(md);
  assert.deepEqual(blocks.map((b) => [b.tag, b.openLine, b.closeLine]), [['markdown', 0, 4], ['python', 5, 10]]);
  assert.equal(blocks[0].code, '```python\nprint("inner")\n```');
  assert.equal(findRunnableBlocks(md).length, 1);
  assert.equal(findRunnableBlocks(md)[0].code, 'print("```")\n```not-a-close\n``\n~~~');
});

test('an unterminated fence is ignored, and so is what follows it (its content)', () => {
  assert.deepEqual(findRunnableBlocks('```python\nprint(1)\n'), []);
  const md = '```python\nprint(1)\n```\n\n```js\nconsole.log(2)\n\n```python\nprint(3)';
  assert.deepEqual(findRunnableBlocks(md).map((b) => b.code), ['print(1)']);
  // A complete ~~~ block after an unclosed ``` is still inside it, as the Markdown preview shows it.
  assert.deepEqual(findRunnableBlocks('```js\nconsole.log(2)\n~~~python\nprint(3)\n~~~\n'), []);
  // Inline code with backticks in the "info string" is not a fence.
  assert.deepEqual(findFencedBlocks('```python` is inline\nprint(1)\n```'), []);
});

test('fences: longer than any run of backticks in the content', () => {
  assert.equal(fenceFor('print(1)'), '```');
  assert.equal(fenceFor('a `b` c'), '```');
  assert.equal(fenceFor('s = "```"'), '````');
  assert.equal(fenceFor('`````'), '``````');
  const block = fencedBlock('text', 'before\n```\nafter\n\n');
  assert.equal(block, '````text\nbefore\n```\nafter\n````');
  // Read back, the block holds exactly the content: the ``` inside did not end it.
  const [parsed] = findFencedBlocks(`${block}\n`);
  assert.equal(parsed.code, 'before\n```\nafter');
});

test('the PoT preview survives a program and an output that contain ```', () => {
  const code = 'fence = "`" * 3\nprint(fence)\nprint("```python")';
  const preview = previewBlock('python', code, '```\n```python\n', '```python');
  const blocks = findFencedBlocks(preview);
  assert.deepEqual(blocks.map((b) => [b.tag, b.code]), [['python', code], ['text', '```\n```python']]);
  assert.match(preview, /\nResult: ```python\n$/);
  // The repair conversation quotes the program the same way, and extractProgram reads it back whole.
  const quoted = repairMessages(genericTask, 'python', 'q', code, 'error').messages[1].content;
  assert.equal(extractProgram(quoted, 'python'), code);
  // Loose fences still work: mid-line opening, or a reply cut off before the closing fence.
  assert.equal(extractProgram('Here: ```python\nprint(2)\n```', 'python'), 'print(2)');
  assert.equal(extractProgram('```python\nprint(3)\n', 'python'), 'print(3)');
});

test('output text: stdout, stderr, a result not already printed, the error', () => {
  assert.equal(outputText(ok('42\n')), '42');
  assert.equal(outputText(ok('42\n', { result: '42' })), '42');
  assert.equal(outputText(ok('', { result: '3' })), 'result: 3');
  assert.equal(outputText(ok('a\n', { stderr: 'warn\n', result: 'b' })), 'a\nwarn\nresult: b');
  assert.equal(outputText(ok('')), '(no output)');
  assert.equal(outputText(failed('line 2: ValueError: bad', { stdout: 'partial\n' })), 'partial\nline 2: ValueError: bad');
  assert.equal(outputText(failed('Stopped: the program ran longer than the 5 s time limit', { limit: 'time' })), 'Stopped: the program ran longer than the 5 s time limit');
});

test('inline summary: first lines, cut, plain text; errors marked', () => {
  assert.equal(inlineSummary(ok('42\n')), '→ 42');
  assert.equal(inlineSummary(ok('1\n2\n3\n4\n5\n')), '→ 1 ↵ 2 ↵ 3 … (+2 lines)');
  assert.equal(inlineSummary(ok('')), '→ (no output)');
  assert.equal(inlineSummary(failed('line 1: ZeroDivisionError: division by zero', { stdout: 'before\n' })), '✗ line 1: ZeroDivisionError: division by zero');
  const long = inlineSummary(ok(`${'x'.repeat(500)}\n`), 40);
  assert.equal(Array.from(long).length, 40);
  assert.ok(long.endsWith('x…'));
  // Cutting never splits a character made of two UTF-16 units.
  const emoji = inlineSummary(ok('😀'.repeat(50)), 10);
  assert.equal(emoji, `→ ${'😀'.repeat(7)}…`);
  // Terminal escapes, control characters and direction overrides from the program are dropped.
  assert.equal(inlineSummary(ok('\u001b[31mred\u001b[0m\u0007 \u202eevil\tx\r\n')), '→ red evil  x');
  assert.equal(plainText('a\u0000b\u202ec\u2066d\u001b]0;title\u0007e'), 'abcde');
});

test('a span that ran follows edits above it, stays for edits below, and is dropped when touched', () => {
  const span = { start: 10, end: 13 };
  const edit = (startLine: number, endLine: number, endCharacter: number, text: string) => ({ startLine, endLine, endCharacter, text });
  // Two lines typed above (Enter twice at the end of line 2), one line deleted above.
  assert.deepEqual(spanAfterEdit(span, edit(2, 2, 40, '\n\n')), { start: 12, end: 15 });
  assert.deepEqual(spanAfterEdit(span, edit(3, 4, 0, '')), { start: 9, end: 12 });
  // A whole line pasted at the start of the opening fence's line pushes the block down.
  assert.deepEqual(spanAfterEdit(span, edit(10, 10, 0, 'intro\n')), { start: 11, end: 14 });
  // Edits below leave it; edits on its lines (first, inside, last) make it stale.
  assert.deepEqual(spanAfterEdit(span, edit(14, 20, 3, 'x\ny')), span);
  assert.equal(spanAfterEdit(span, edit(10, 10, 0, 'x')), undefined);
  assert.equal(spanAfterEdit(span, edit(11, 11, 4, '')), undefined);
  assert.equal(spanAfterEdit(span, edit(13, 13, 3, '\ntext')), undefined);
  assert.equal(spanAfterEdit(span, edit(5, 12, 0, '')), undefined);
});
