// Servers that misbehave in ways the ordinary fault tests never do (issue 16, from the red-team review):
// headers then silence, a stream that stops, a body that drips forever, no choices, a stream ignored,
// choice indexes far past what was asked, hostile usage, huge completions. Each test asserts the bound
// that must hold: attempts, outcome, what is counted, what is kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { truncatedChars } from '../../src/core/model/jsonStringCap';
import { genericTask } from '../../src/core/tasks/generic';
import { ioTechnique } from '../../src/core/techniques/io';
import { closingServers } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const server = closingServers();
const oneRetry = { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 10 } };

async function askOnce(baseUrl: string, model: Parameters<typeof runAt>[2] = {}, options: Parameters<typeof runAt>[1] = oneRetry) {
  const run = runAt(baseUrl, options, model);
  const started = performance.now();
  const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'What is 2+2?', run });
  return { run, report, seconds: (performance.now() - started) / 1000 };
}

describe('timeouts that cover the whole response', () => {
  it('headers then silence: each attempt ends at the deadline, and is retried like any timeout', async () => {
    const s = await server(() => ({ stallBody: '{"id":"x",' }));
    const { report, seconds } = await askOnce(s.baseUrl, { timeoutMs: 400 });
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(s.requests.length, 2, 'the first attempt and one retry');
    assert.match(report.summary.message ?? '', /did not finish within 0\.4 s.*gave up after 2 attempts/);
    assert.ok(seconds < 10, `bounded by two deadlines, took ${seconds} s`);
  });

  it('a stream that stalls after one chunk fails at the idle timeout, long before the deadline', async () => {
    const s = await server(() => ({ stallStream: true }));
    const { report, seconds } = await askOnce(s.baseUrl, { stream: true, timeoutMs: 60_000, idleTimeoutMs: 300 });
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(s.requests.length, 2);
    assert.match(report.summary.message ?? '', /stalled: nothing arrived for 0\.3 s/);
    assert.ok(seconds < 30, `two idle timeouts, not two deadlines; took ${seconds} s`);
  });

  it('a body that drips one byte at a time never outlives the deadline', async () => {
    const s = await server(() => ({ dripMs: 50 }));
    const { report } = await askOnce(s.baseUrl, { timeoutMs: 500, idleTimeoutMs: 400 }, { retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(s.requests.length, 1);
    assert.match(report.summary.message ?? '', /did not finish within 0\.5 s/);
  });
});

describe('empty is not success', () => {
  it('a response with no choices is a clear failure, not an empty answer', async () => {
    const s = await server(() => ({ noChoices: true }));
    const { report } = await askOnce(s.baseUrl);
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(report.summary.answer, undefined);
    assert.match(report.summary.message ?? '', /answered with no choices/);
    assert.equal(s.requests.length, 1, 'no retries and no top-up requests');
  });

  it('--stream against a server that ignores stream fails and says so', async () => {
    const s = await server(() => ({ choices: ['Answer: 4'], ignoreStream: true }));
    const { report } = await askOnce(s.baseUrl, { stream: true });
    assert.equal(report.summary.outcome, 'failed');
    assert.match(report.summary.message ?? '', /streamed no choices: it may not support streaming/);
  });

  it('a stream cut off before its finish_reason is retried, not taken as the answer', async () => {
    let calls = 0;
    const s = await server(() => (++calls === 1 ? { cutStream: 'Answer: 4 because 2+' } : { choices: ['Answer: 4'] }));
    const { report } = await askOnce(s.baseUrl, { stream: true });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, '4');
    assert.equal(s.requests.length, 2, 'the cut stream and its retry');
  });

  it('a stream cut off on every attempt fails with a clear message and keeps the text it delivered on its node', async () => {
    const s = await server(() => ({ cutStream: 'Answer: 4 because 2+' }));
    const { report, run } = await askOnce(s.baseUrl, { stream: true });
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(s.requests.length, 2);
    assert.match(report.summary.message ?? '', /ended its stream before the answer was complete \(no finish_reason for choice 0 and no usage\)/);
    const partial = run.graph.nodes().flatMap((n) => n.calls).find((c) => c.responses[0] === 'Answer: 4 because 2+');
    assert.ok(partial, 'the delivered text is recorded on its node');
    assert.ok(partial.usage.completionTokens > 0, 'and counted');
  });

  it('content that is not text is refused with a message, not a TypeError', async () => {
    const s = await server(() => ({ raw: JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: { a: 1 } }, finish_reason: 'stop' }] }) }));
    const { report } = await askOnce(s.baseUrl);
    assert.equal(report.summary.outcome, 'failed');
    assert.match(report.summary.message ?? '', /content is object, not text/);
  });
});

describe('bounded responses', () => {
  it('a streamed choice index far past what was asked is refused at once', async () => {
    const chunk = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 100_000_000, delta: { content: 'x' }, finish_reason: null }] };
    const s = await server(() => ({ streamChunks: [chunk] }));
    const before = process.memoryUsage().rss;
    const { report } = await askOnce(s.baseUrl, { stream: true });
    assert.equal(report.summary.outcome, 'failed');
    assert.match(report.summary.message ?? '', /streamed a choice with index 100000000 for a request of 1 choice/);
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'no array of 100 million entries was made');
  });

  it('a completion longer than the text cap keeps its start, marked as cut, and the run goes on', async () => {
    const s = await server(() => ({ contentChars: 3 * 1024 * 1024 }));
    const { run, report } = await askOnce(s.baseUrl, { maxTextChars: 100_000 });
    assert.equal(report.summary.outcome, 'done');
    const call = run.graph.nodes().flatMap((n) => n.calls)[0];
    const text = call.responses[0];
    assert.ok(text.startsWith('A'.repeat(100_000)), 'the first 100,000 characters are kept');
    assert.equal(truncatedChars(text), 3 * 1024 * 1024 - 100_000, 'the mark says how much was cut');
    assert.ok(text.length < 100_200);
    assert.match(call.notes?.join(' ') ?? '', /cut to 100000 characters per choice/);
  });

  it('a streamed answer is capped the same way', async () => {
    const piece = 'B'.repeat(10_000);
    const chunk = (delta: object, finish: string | null) => ({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    const chunks = [...Array.from({ length: 30 }, () => chunk({ content: piece }, null)), chunk({}, 'length')];
    const s = await server(() => ({ streamChunks: chunks }));
    const { run, report } = await askOnce(s.baseUrl, { stream: true, maxTextChars: 50_000 });
    assert.equal(report.summary.outcome, 'done');
    const text = run.graph.nodes().flatMap((n) => n.calls)[0].responses[0];
    assert.ok(text.startsWith('B'.repeat(50_000)));
    assert.equal(truncatedChars(text), 250_000);
  });
});

describe('server usage is validated', () => {
  for (const [name, usage, why] of [
    ['negative', { prompt_tokens: -1_000_000, completion_tokens: -5 }, /prompt_tokens is -1000000, not a whole number/],
    ['a string', { prompt_tokens: 12, completion_tokens: '7' }, /completion_tokens is "7", not a number/],
    ['fractional', { prompt_tokens: 0.5, completion_tokens: 0.25 }, /prompt_tokens is 0.5/],
    ['absurd', { prompt_tokens: 1e308, completion_tokens: 1 }, /more than 10000000 tokens/],
  ] as const) {
    it(`${name} usage is refused, estimated instead, and never summed`, async () => {
      const s = await server(() => ({ choices: ['Answer: 4'], usage: null, rawUsage: usage }));
      const { run, report } = await askOnce(s.baseUrl, {}, { ...oneRetry, budget: { maxTokens: 100_000 } });
      const t = report.summary.totals;
      assert.equal(report.summary.outcome, 'done');
      assert.ok(Number.isInteger(t.promptTokens) && t.promptTokens > 0 && t.promptTokens < 100, String(t.promptTokens));
      assert.ok(Number.isInteger(t.completionTokens) && t.completionTokens > 0 && t.completionTokens < 100, String(t.completionTokens));
      assert.equal(typeof t.completionTokens, 'number');
      assert.equal(t.estimated, true);
      assert.ok(t.costUsd !== null && t.costUsd > 0 && t.costUsd < 0.001);
      assert.match(run.graph.nodes().flatMap((n) => n.calls)[0].notes?.join(' ') ?? '', why);
    });
  }
});
