// Token estimates: the BPE tokenizer is loaded on first use, not when the module (and so the
// extension bundle) is loaded, and the counts are the tokenizer's own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { estimatePromptTokens, estimateTextTokens } from '../../src/core/model/tokens';

test('estimates are o200k counts plus the chat framing', () => {
  const text = 'Combine 4 9 10 13 with + - * / to make 24. Ünïcödé and emoji \u{1F600} too.';
  assert.equal(estimateTextTokens(text), countTokens(text));
  assert.equal(estimateTextTokens(''), 0);
  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: text },
  ];
  assert.equal(estimatePromptTokens(messages), 3 + messages.reduce((sum, m) => sum + 3 + countTokens(m.role) + countTokens(m.content), 0));
});

test('the tokenizer is loaded on the first estimate, not with the module', () => {
  // A fresh process: this test file has already loaded the tokenizer itself.
  const script = `
    const loaded = () => Object.keys(require.cache).some((p) => p.includes('gpt-tokenizer'));
    const tokens = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'model', 'tokens.ts'))});
    const before = loaded();
    const count = tokens.estimateTextTokens('hello world');
    console.log(JSON.stringify({ before, after: loaded(), count }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop() as string), { before: false, after: true, count: countTokens('hello world') });
});

test('the extension bundle leaves the tokenizer to dist/o200k.js, which counts as the library does', () => {
  // dist/ is what `npm run build` (run by `npm test`) made; bundles.meta.json lists each bundle's inputs.
  const root = join(__dirname, '..', '..');
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'bundles.meta.json'), 'utf8')) as { bundles: Record<string, string[]> };
  const tokenizerInputs = (bundle: string) => meta.bundles[bundle].filter((input) => input.includes('node_modules/gpt-tokenizer/'));
  assert.deepEqual(tokenizerInputs('dist/extension.js'), [], 'no tokenizer code in dist/extension.js');
  assert.ok(tokenizerInputs('dist/o200k.js').length > 0, 'dist/o200k.js holds the tokenizer');
  assert.match(readFileSync(join(root, 'dist', 'extension.js'), 'utf8'), /require\("\.\/o200k\.js"\)/, 'extension.js loads it from beside itself');
  const bundled = require(join(root, 'dist', 'o200k.js')) as { countTokens: (text: string) => number };
  const text = 'Combine 4 9 10 13 with + - * / to make 24. Ünïcödé and emoji \u{1F600} too.';
  assert.equal(bundled.countTokens(text), countTokens(text));
});
