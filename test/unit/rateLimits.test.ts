// Rate limits: the gate per server and model paces by the server's x-ratelimit-* headers or a
// profile's rpm, pauses on Retry-After and halves its concurrency on a 429, so many parallel calls
// against a token-bucket server all finish (test/support/providers/tokenBucket.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { durationMs, rateLimitOf } from '../../src/core/model/rateLimitHeaders';
import { OpenAIChatModel } from '../../src/core/model/openaiModel';
import { RateGate, gateFor } from '../../src/core/run/rateGate';
import { Run } from '../../src/core/run/run';
import { genericTask } from '../../src/core/tasks/generic';
import { fanOutTechnique } from '../support/runHelpers';
import { providerServers } from '../support/providers/harness';
import { tokenBucketHandler } from '../support/providers/tokenBucket';

const start = providerServers();

function modelAt(origin: string, name: string): OpenAIChatModel {
  return new OpenAIChatModel({ baseUrl: `${origin}/v1`, model: name, apiKey: 'k' });
}

describe('rate-limit headers', () => {
  it('reads durations and counts, and ignores what is not a number', () => {
    assert.equal(durationMs('6m0s'), 360_000);
    assert.equal(durationMs('1.5s'), 1500);
    assert.equal(durationMs('20ms'), 20);
    assert.equal(durationMs('2'), 2000);
    assert.equal(durationMs('soon'), undefined);
    const info = rateLimitOf(new Headers({ 'x-ratelimit-limit-requests': '5000', 'x-ratelimit-remaining-requests': 'lots', 'x-ratelimit-reset-tokens': '1m2s' }));
    assert.deepEqual(info, { limitRequests: 5000, resetTokensMs: 62_000 });
    assert.equal(rateLimitOf(new Headers()), undefined);
  });
});

describe('the rate gate', () => {
  it('60 parallel calls against 100 requests/s with a burst of 5: every call answered, the 429s limited to the first burst', async () => {
    const { handler, stats } = tokenBucketHandler({ perSecond: 100, burst: 5, delayMs: 5, answer: () => 'ok' });
    const server = await start(handler);
    const run = new Run({ model: modelAt(server.origin, 'bucket-a'), concurrency: 16, retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 2000 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 20, rounds: 3 }, run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(stats.answered, 60);
    // Without the gate, every round of 20 sends 15 more than the bucket holds, retried blindly; with it,
    // the first answers' headers set the pace (60 s / 6000 requests) and later calls wait their turn.
    assert.ok(stats.limited <= 20, `${stats.limited} requests refused`);
    assert.equal(gateFor(run.model).intervalMs, 10);
  });

  it('without x-ratelimit headers, Retry-After pauses the server and the concurrency is halved, then grows again', async () => {
    const { handler, stats } = tokenBucketHandler({ perSecond: 200, burst: 4, delayMs: 5, headers: false, answer: () => 'ok' });
    const server = await start(handler);
    const run = new Run({ model: modelAt(server.origin, 'bucket-b'), concurrency: 16, retry: { maxRetries: 5, baseDelayMs: 10, maxDelayMs: 2000 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 16, rounds: 3 }, run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(stats.answered, 48);
    assert.ok(stats.limited > 0, 'the burst was refused at first');
    const gate = gateFor(run.model);
    assert.ok(Number.isFinite(gate.concurrency) && gate.concurrency < 16, `concurrency now ${gate.concurrency}`);
  });

  it("a profile's declared rpm spaces the requests so the server refuses none", async () => {
    const { handler, stats } = tokenBucketHandler({ perSecond: 50, burst: 3, headers: false, answer: () => 'ok' });
    const server = await start(handler);
    const m = modelAt(server.origin, 'bucket-c');
    const run = new Run({ model: m, profiles: [{ name: 'paced', model: m, rpm: 2400 }], concurrency: 8, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'q', params: { width: 8, rounds: 3 }, run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(stats.limited, 0);
    assert.equal(gateFor(m).intervalMs, 25);
  });

  it('a waiting request leaves the queue when the run is cancelled', async () => {
    const gate = new RateGate({ rpm: 60 });
    const controller = new AbortController();
    const answered = { choices: ['x'], usage: { promptTokens: 1, completionTokens: 1, estimated: false }, usageSource: 'reported' as const, model: 'm', latencyMs: 1, requests: 1 };
    await gate.run(async () => answered, 1, controller.signal);
    const second = gate.run(async () => answered, 1, controller.signal);
    controller.abort();
    await assert.rejects(second, /cancelled/);
  });
});
