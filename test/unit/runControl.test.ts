import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { retryAfterMs } from '../../src/core/model/openaiModel';
import { backoffMs } from '../../src/core/run/retry';
import { genericTask } from '../../src/core/tasks/generic';
import { ioTechnique } from '../../src/core/techniques/io';
import { closingServers } from '../support/fakeOpenAI';
import { fanOutTechnique, runAt } from '../support/runHelpers';

const server = closingServers();

function sumNodes(run: ReturnType<typeof runAt>) {
  return run.graph.nodes().reduce(
    (acc, n) => ({ prompt: acc.prompt + n.usage.promptTokens, completion: acc.completion + n.usage.completionTokens, cost: acc.cost + (n.costUsd ?? 0) }),
    { prompt: 0, completion: 0, cost: 0 },
  );
}

describe('token accounting', () => {
  it('totals equal the sum of what the server reported, and node sums equal the totals', async () => {
    const s = await server((req) => ({ choices: [`Answer: ${req.index}`], usage: { prompt_tokens: 11 + req.index, completion_tokens: 3 + 2 * req.index } }));
    const run = runAt(s.baseUrl, { concurrency: 3 });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 5, rounds: 2 }, run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(s.requests.length, 10);
    const t = report.summary.totals;
    assert.equal(t.calls, 10);
    assert.equal(t.promptTokens, s.reported.promptTokens);
    assert.equal(t.completionTokens, s.reported.completionTokens);
    assert.equal(t.estimated, false);
    const nodes = sumNodes(run);
    assert.equal(nodes.prompt, t.promptTokens);
    assert.equal(nodes.completion, t.completionTokens);
    // gpt-4o-mini list price: $0.15 in, $0.60 out per million tokens.
    const expectedCost = (s.reported.promptTokens * 0.15 + s.reported.completionTokens * 0.6) / 1e6;
    assert.ok(Math.abs((t.costUsd ?? -1) - expectedCost) < 1e-12);
    assert.ok(Math.abs(nodes.cost - expectedCost) < 1e-12);
  });

  it('an unknown model has tokens but no price', async () => {
    const s = await server(() => ({ choices: ['Answer: 4'] }));
    const run = runAt(s.baseUrl, {}, { model: 'my-local-model' });
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: '2+2?', run });
    assert.equal(report.summary.totals.costUsd, null);
    assert.ok(report.summary.totals.promptTokens > 0);
    assert.ok(run.graph.nodes().some((n) => n.calls.length > 0 && n.costUsd === null));
  });

  it('estimates with a tokenizer and marks it when the server reports no usage', async () => {
    const s = await server(() => ({ choices: ['Answer: forty-two'], usage: null }));
    const run = runAt(s.baseUrl);
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'What is six times seven?', run });
    const t = report.summary.totals;
    assert.equal(t.estimated, true);
    assert.ok(t.promptTokens > 5 && t.completionTokens > 0);
    const node = run.graph.nodes().find((n) => n.calls.length > 0)!;
    assert.equal(node.usage.estimated, true);
    assert.equal(node.calls[0].usageSource, 'estimated');
  });

  it('reads streamed responses and their usage', async () => {
    const s = await server(() => ({ choices: ['Let me think. Answer: 12', 'Answer: 13'], usage: { prompt_tokens: 40, completion_tokens: 9 } }));
    const run = runAt(s.baseUrl, {}, { stream: true });
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', params: { samples: 2 }, run });
    assert.equal(s.requests[0].body.stream, true);
    assert.deepEqual(report.candidates, ['12', '13']);
    assert.equal(report.summary.totals.promptTokens, 40);
    assert.equal(report.summary.totals.completionTokens, 9);
    assert.equal(report.summary.totals.estimated, false);
  });

  it('tops up servers that ignore n with separate requests', async () => {
    const s = await server((req) => ({ choices: [`Answer: ${req.index}`], ignoreN: true }));
    const run = runAt(s.baseUrl);
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', params: { samples: 3 }, run });
    assert.equal(report.candidates?.length, 3);
    assert.deepEqual([...report.candidates!].sort(), ['0', '1', '2']);
    assert.equal(s.requests.length, 3);
    assert.equal(report.summary.totals.calls, 3);
  });
});

describe('concurrency and cache', () => {
  it('never has more requests open than the limit', async () => {
    const s = await server(() => ({ choices: ['x'], delayMs: 15 }));
    const run = runAt(s.baseUrl, { concurrency: 3 });
    await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 12 }, run });
    assert.equal(s.requests.length, 12);
    assert.equal(s.maxOpen, 3);
  });

  it('sends an identical request once per run, and deliberate repeats with a salt', async () => {
    const s = await server((req) => ({ choices: [`reply ${req.index}`] }));
    const run = runAt(s.baseUrl);
    const node = run.graph.addNode({ kind: 'question', text: 'q' });
    const ask = (salt?: number) => run.call(node.id, 'ask', { messages: [{ role: 'user', content: 'same' }], temperature: 0.7, cacheSalt: salt });
    const [a, b] = await Promise.all([ask(), ask()]);
    const c = await ask();
    assert.equal(s.requests.length, 1);
    assert.equal(a.choices[0], 'reply 0');
    assert.equal(b.choices[0], 'reply 0');
    assert.equal(c.choices[0], 'reply 0');
    await ask(1);
    assert.equal(s.requests.length, 2);
    const t = run.totals();
    assert.equal(t.calls, 2);
    assert.equal(t.cachedCalls, 2);
    assert.equal(run.graph.get(node.id).calls.filter((x) => x.cached).length, 2);
  });
});

describe('cancellation', () => {
  it('aborts every in-flight request, sends nothing more, and marks the nodes cancelled', async () => {
    const s = await server(() => ({ hang: true }));
    const run = runAt(s.baseUrl, { concurrency: 4 });
    const pending = runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 6, rounds: 3 }, run });
    while (s.open < 4) await new Promise((r) => setTimeout(r, 5));
    run.cancel();
    const report = await pending;
    assert.equal(report.summary.outcome, 'cancelled');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.requests.length, 4, 'queued calls were never sent');
    assert.equal(s.open, 0);
    assert.equal(s.clientAborts, 4, 'the client closed every in-flight request');
    const thoughts = run.graph.nodes().filter((n) => n.kind === 'thought');
    assert.equal(thoughts.length, 6);
    assert.ok(thoughts.every((n) => n.status === 'cancelled'), thoughts.map((n) => n.status).join(','));
  });

  it('an external AbortSignal cancels the run', async () => {
    const s = await server(() => ({ hang: true }));
    const controller = new AbortController();
    const run = runAt(s.baseUrl, { signal: controller.signal });
    const pending = runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run });
    while (s.open < 1) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    assert.equal((await pending).summary.outcome, 'cancelled');
  });
});

describe('budget', () => {
  it('stops the run cleanly at the call budget and keeps the graph', async () => {
    const s = await server(() => ({ choices: ['x'] }));
    const run = runAt(s.baseUrl, { concurrency: 1, budget: { maxCalls: 5 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 3, rounds: 4 }, run });
    assert.equal(report.summary.outcome, 'budget');
    assert.match(report.summary.message ?? '', /budget of 5 calls/);
    assert.equal(s.requests.length, 5);
    assert.equal(report.summary.totals.calls, 5);
    assert.equal(run.graph.nodes().filter((n) => n.status === 'done' && n.kind === 'thought').length, 5);
  });

  it('stops at a token budget', async () => {
    const s = await server(() => ({ choices: ['x'], usage: { prompt_tokens: 60, completion_tokens: 40 } }));
    const run = runAt(s.baseUrl, { concurrency: 1, budget: { maxTokens: 250 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 1, rounds: 10 }, run });
    assert.equal(report.summary.outcome, 'budget');
    assert.equal(s.requests.length, 3, 'the third call starts at 200 tokens, the fourth would start at 300');
  });

  it('stops at a USD budget', async () => {
    // gpt-4o-mini: 1M prompt tokens cost $0.15, so each call below costs $0.15.
    const s = await server(() => ({ choices: ['x'], usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } }));
    const run = runAt(s.baseUrl, { concurrency: 1, budget: { maxUsd: 0.4 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 1, rounds: 10 }, run });
    assert.equal(report.summary.outcome, 'budget');
    assert.equal(s.requests.length, 3);
  });
});

describe('retries and faults', () => {
  it('retries a 429 after the Retry-After the server asked for', async () => {
    const s = await server((req) => (req.index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { choices: ['Answer: 1'] }));
    const run = runAt(s.baseUrl);
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(s.requests.length, 2);
    const waited = s.arrivals[1] - s.arrivals[0];
    assert.ok(waited >= 950, `waited ${waited} ms, Retry-After asked for 1000`);
    assert.equal(report.summary.totals.calls, 1, 'a retried call counts once');
  });

  it('retries 500s with backoff, then gives up with a clear error', async () => {
    const s = await server(() => ({ status: 500 }));
    const run = runAt(s.baseUrl);
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run });
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(s.requests.length, 3, 'first attempt plus maxRetries = 2');
    assert.match(report.summary.message ?? '', /failed \(HTTP 500\).*gave up after 3 attempts/);
    assert.doesNotMatch(report.summary.message ?? '', /\n\s+at /, 'no stack trace');
    assert.ok(run.graph.nodes().some((n) => n.status === 'failed'));
  });

  it('recovers when a 5xx is transient', async () => {
    const s = await server((req) => (req.index < 2 ? { status: 503 } : { choices: ['Answer: ok'] }));
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run: runAt(s.baseUrl) });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(report.summary.answer, 'ok');
    assert.equal(s.requests.length, 3);
  });

  it('times out a hung request, retries it, then fails clearly', async () => {
    const s = await server(() => ({ hang: true }));
    const run = runAt(s.baseUrl, { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 10 } }, { timeoutMs: 150 });
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run });
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(s.requests.length, 2);
    assert.match(report.summary.message ?? '', /did not answer within/);
  });

  it('reports malformed JSON as a bad response without retrying', async () => {
    const s = await server(() => ({ raw: '{"choices": [ this is not json' }));
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run: runAt(s.baseUrl) });
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(s.requests.length, 1);
    assert.match(report.summary.message ?? '', /not valid JSON|Unexpected response/);
  });

  it('names the problem for a bad key, a missing model and an unreachable server', async () => {
    const s401 = await server(() => ({ status: 401 }));
    const r401 = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run: runAt(s401.baseUrl) });
    assert.match(r401.summary.message ?? '', /rejected the API key \(HTTP 401\)/);
    assert.equal(s401.requests.length, 1, 'auth failures are not retried');
    const s404 = await server(() => ({ status: 404 }));
    const r404 = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run: runAt(s404.baseUrl) });
    assert.match(r404.summary.message ?? '', /Model "gpt-4o-mini" was not found/);
    const dead = await server(() => ({}));
    const deadUrl = dead.baseUrl;
    await dead.close();
    const rDead = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run: runAt(deadUrl, { retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } }) });
    assert.equal(rDead.summary.outcome, 'failed');
    assert.match(rDead.summary.message ?? '', /Cannot reach the server at http:\/\/127\.0\.0\.1/);
  });

  it('sends the API key as a bearer token', async () => {
    const s = await server(() => ({ choices: ['Answer: 1'] }));
    await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run: runAt(s.baseUrl) });
    assert.equal(s.requests[0].headers.authorization, 'Bearer test-key');
  });
});

describe('retry arithmetic', () => {
  it('parses Retry-After as seconds, as an HTTP date, and retry-after-ms', () => {
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '150' })), 150);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now), 5000);
    assert.equal(retryAfterMs(new Headers({})), undefined);
  });

  it('backs off exponentially, capped, and prefers the server’s wait', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffMs(policy, 0, undefined, () => 1), 100);
    assert.equal(backoffMs(policy, 2, undefined, () => 1), 400);
    assert.equal(backoffMs(policy, 2, undefined, () => 0), 200);
    assert.equal(backoffMs(policy, 6, undefined, () => 1), 1000);
    assert.equal(backoffMs(policy, 0, 700), 700);
    assert.equal(backoffMs(policy, 0, 60_000), 1000);
  });
});
