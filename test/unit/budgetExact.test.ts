// Budgets that are exact (issue 16): every request the server answered is counted, each request in
// flight holds its worst case against the budget (prompt + max output), a dollar budget on an
// unpriced model is refused before any call, and no model name prices as NaN. The loopback server
// honours max_tokens as OpenAI documents (completion_tokens never above it) and reports usage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { evaluate } from '../../src/core/eval/evaluate';
import { findScorer } from '../../src/core/eval/scorers';
import { Pricing, validatePricingTable } from '../../src/core/pricing';
import { UnpricedBudgetError } from '../../src/core/run/budget';
import { genericTask } from '../../src/core/tasks/generic';
import { ioTechnique } from '../../src/core/techniques/io';
import { closingServers, type FakeRequest, type FakeServer } from '../support/fakeOpenAI';
import { fanOutTechnique, modelAt, runAt } from '../support/runHelpers';

const server = closingServers();

/** A server that writes `wants` output tokens unless max_tokens stops it sooner; prompts count 10 tokens. */
function writer(wants: number, delayMs = 20) {
  return (req: FakeRequest) => ({ choices: ['Answer: 4'], usage: { prompt_tokens: 10, completion_tokens: Math.min(wants, Number(req.body.max_tokens ?? Infinity)) }, delayMs });
}

/** What the server's reported usage costs on gpt-4o-mini ($0.15 / $0.60 per million). */
function servedUsd(s: FakeServer): number {
  const price = new Pricing().priceOf('gpt-4o-mini')!;
  return (s.reported.promptTokens * price.input + s.reported.completionTokens * price.output) / 1e6;
}

describe('a budget stop counts every answered request', () => {
  it('--max-calls 10 at concurrency 8: the server answered 10, the run reports 10, nothing was aborted', async () => {
    const s = await server(writer(5, 40));
    const run = runAt(s.baseUrl, { concurrency: 8, budget: { maxCalls: 10 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 20, rounds: 2 }, run });
    assert.equal(report.summary.outcome, 'budget');
    assert.match(report.summary.message ?? '', /budget of 10 calls reached/);
    assert.equal(s.requests.length, 10);
    assert.equal(s.clientAborts, 0, 'requests in flight at the stop finished');
    assert.equal(report.summary.totals.calls, 10);
    assert.equal(report.summary.totals.completionTokens, s.reported.completionTokens);
    assert.equal(run.graph.nodes().filter((n) => n.kind === 'thought' && n.status === 'done').length, 10, 'every answer is on its node');
  });
});

describe('requests in flight hold their worst case', () => {
  it('a token budget is never passed at concurrency 8, and the last requests are sent with a smaller max_tokens', async () => {
    const s = await server(writer(3000));
    const run = runAt(s.baseUrl, { concurrency: 8, budget: { maxTokens: 20_000 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 40 }, run });
    const t = report.summary.totals;
    assert.equal(report.summary.outcome, 'budget');
    assert.equal(t.promptTokens, s.reported.promptTokens);
    assert.equal(t.completionTokens, s.reported.completionTokens);
    assert.ok(t.promptTokens + t.completionTokens <= 20_000, `${t.promptTokens + t.completionTokens} tokens for a budget of 20,000`);
    assert.ok(t.promptTokens + t.completionTokens > 19_000, 'the budget was used, not abandoned early');
    assert.ok(s.maxOpen > 1, 'requests still went out in parallel while there was room');
    const capped = s.requests.filter((r) => typeof r.body.max_tokens === 'number');
    assert.ok(capped.length >= 1, 'near the limit a request is granted less output');
    assert.ok(capped.every((r) => (r.body.max_tokens as number) < 4096), 'each granted less than the usual reserve');
    assert.equal(s.clientAborts, 0);
  });

  it('a USD budget is never passed at concurrency 8, and what is reported is what was served', async () => {
    const s = await server(writer(4000));
    const run = runAt(s.baseUrl, { concurrency: 8, budget: { maxUsd: 0.01 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 30 }, run });
    const cost = report.summary.totals.costUsd!;
    assert.equal(report.summary.outcome, 'budget');
    assert.ok(Math.abs(cost - servedUsd(s)) < 1e-12, `reported $${cost}, served $${servedUsd(s)}`);
    assert.ok(cost <= 0.01, `$${cost} for a budget of $0.01`);
    assert.ok(cost > 0.0095, `the budget was used: $${cost}`);
  });

  it('an evaluation\'s --max-usd holds across items; unfinished items\' spend is reported, so the results equal what was served', async () => {
    const s = await server(writer(4000));
    const items = Array.from({ length: 30 }, (_, i) => ({ index: i, input: `q${i}`, expected: '4' }));
    const results = await evaluate({ technique: ioTechnique, task: genericTask, scorer: findScorer('exact')!, items, model: modelAt(s.baseUrl), concurrency: 8, maxUsd: 0.01 });
    const itemsUsd = results.items.reduce((sum, i) => sum + (i.costUsd ?? 0), 0);
    const unfinishedUsd = results.meta.unfinishedSpend?.costUsd ?? 0;
    assert.match(results.meta.stopped ?? '', /budget of \$0\.01 reached/);
    assert.ok(results.meta.unfinished > 0);
    assert.ok(Math.abs(itemsUsd + unfinishedUsd - servedUsd(s)) < 1e-12, `items $${itemsUsd} + unfinished $${unfinishedUsd}, served $${servedUsd(s)}`);
    assert.equal(results.items.reduce((n, i) => n + i.calls, 0) + (results.meta.unfinishedSpend?.calls ?? 0), s.requests.length);
    assert.ok(servedUsd(s) <= 0.01, `served $${servedUsd(s)} for a budget of $0.01`);
  });
});

describe('a dollar budget needs a price', () => {
  it('an unpriced model under --max-usd is refused before any call', async () => {
    const s = await server(writer(5));
    const run = runAt(s.baseUrl, { budget: { maxUsd: 1 } }, { model: 'my-local-model' });
    await assert.rejects(runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run }), (err: unknown) => {
      assert.ok(err instanceof UnpricedBudgetError);
      assert.match(err.message, /price of model "my-local-model" is unknown/);
      return true;
    });
    const items = [{ index: 0, input: 'q', expected: '4' }];
    await assert.rejects(evaluate({ technique: ioTechnique, task: genericTask, scorer: findScorer('exact')!, items, model: modelAt(s.baseUrl, { model: 'my-local-model' }), maxUsd: 1 }), UnpricedBudgetError);
    assert.equal(s.requests.length, 0);
  });

  it('a default dollar limit the user never chose leaves an unpriced model alone', async () => {
    const s = await server(writer(5));
    const run = runAt(s.baseUrl, { budget: { maxUsd: 1, unpricedUsd: 'ignore' } }, { model: 'my-local-model' });
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'q', run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(report.summary.totals.costUsd, null);
  });

  it('no model name finds a price on Object.prototype', () => {
    const pricing = new Pricing();
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'openai/constructor']) {
      assert.equal(pricing.cost(name, 1000, 1000), null, name);
      assert.equal(pricing.priceOf(name), undefined, name);
    }
    const table = validatePricingTable(JSON.parse('{"__proto__": {"input": 1, "output": 2}, "constructor": {"input": 3, "output": 4}}'), 'test');
    const custom = new Pricing(table);
    assert.equal(custom.cost('__proto__', 1_000_000, 0), 1);
    assert.equal(custom.cost('constructor', 1_000_000, 0), 3);
    assert.equal(Object.getPrototypeOf(table), Object.prototype, 'a model named __proto__ did not replace the prototype');
    assert.throws(() => validatePricingTable(JSON.parse('{"m": {"input": 1e400, "output": 1}}'), 'test'), /finite numbers >= 0/);
  });
});
