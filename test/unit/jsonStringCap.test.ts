// The streaming string cap of responses (src/core/model/jsonStringCap.ts): every JSON string is kept
// up to the cap and marked with what was cut; the output stays valid JSON however the text is chunked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonStringCapper, ResponseTooLargeError, truncatedChars, truncationMark } from '../../src/core/model/jsonStringCap';

function capAll(text: string, chunkSize: number, maxStringChars: number, maxOutputChars = 1e9, perLine = false): string {
  const capper = new JsonStringCapper({ maxStringChars, maxOutputChars, perLine });
  let out = '';
  for (let i = 0; i < text.length; i += chunkSize) out += capper.push(text.slice(i, i + chunkSize));
  return out;
}

describe('JsonStringCapper', () => {
  const body = JSON.stringify({ id: 'x', choices: [{ message: { content: `a "quoted" \\ line\nnext ${'é'.repeat(50)} 😀 ${'z'.repeat(500)}` } }], usage: { prompt_tokens: 3 } });

  it('passes JSON under the cap through unchanged, in any chunking', () => {
    for (const size of [1, 2, 3, 7, 64, body.length]) assert.equal(capAll(body, size, 10_000), body, `chunks of ${size}`);
  });

  it('cuts long strings, keeps escapes whole, and marks what was dropped; the result parses', () => {
    for (const size of [1, 5, 13, 1000]) {
      const out = capAll(body, size, 40);
      const parsed = JSON.parse(out);
      const content: string = parsed.choices[0].message.content;
      const original: string = JSON.parse(body).choices[0].message.content;
      assert.ok(content.startsWith('a "quoted" \\ line\nnext '), content);
      assert.ok(truncatedChars(content) > 0);
      assert.ok(content.endsWith(truncationMark(truncatedChars(content))));
      assert.ok(content.length < 40 + 80 && original.length > 500);
      assert.equal(parsed.id, 'x');
      assert.equal(parsed.usage.prompt_tokens, 3, 'what follows the cut string is intact');
    }
  });

  it('never keeps half of a surrogate pair', () => {
    const text = JSON.stringify({ s: `ab${'😀'.repeat(10)}` });
    for (let cap = 1; cap < 12; cap++) {
      const kept: string = JSON.parse(capAll(text, 3, cap)).s;
      const start = kept.slice(0, kept.indexOf(' […'));
      assert.ok(!/[\uD800-\uDBFF]$/.test(start), `cap ${cap}: ${JSON.stringify(start)}`);
    }
  });

  it('a raw newline ends a malformed string, so one bad SSE event cannot swallow the next', () => {
    const stream = 'data: {"a":"unclosed\n\ndata: {"b":"ok"}\n\n';
    const out = capAll(stream, 4, 100, 1e9, true);
    assert.ok(out.includes('data: {"b":"ok"}'), out);
  });

  it('refuses output past the overall limit (per line for streams)', () => {
    const many = JSON.stringify({ list: Array.from({ length: 1000 }, (_, i) => `item ${i}`) });
    assert.throws(() => capAll(many, 100, 10, 500), ResponseTooLargeError);
    const events = Array.from({ length: 100 }, (_, i) => `data: {"i":${i}}\n\n`).join('');
    assert.equal(capAll(events, 7, 10, 50, true), events, 'each event is small');
  });
});
