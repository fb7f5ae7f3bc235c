// Text as it arrives: a streamed answer fills the running node (throttled), and a cancel keeps the
// text and the tokens that had arrived. Also the run's settings per request: derived seeds.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { OpenAIChatModel } from '../../src/core/model/openaiModel';
import { Run } from '../../src/core/run/run';
import { requestSeed, withRunSettings } from '../../src/core/run/runSettings';
import { genericTask } from '../../src/core/tasks/generic';
import { cotTechnique } from '../../src/core/techniques/cot';
import { toTrace } from '../../src/core/trace';

/** Streams `pieces` of one answer 20 ms apart, then holds the stream open until the client goes away. */
async function stallingStream(pieces: string[]): Promise<{ baseUrl: string; close(): void }> {
  const server = createServer(async (req, res) => {
    for await (const _ of req) void _;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const content of pieces) {
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => server.close() };
}

const servers: Array<{ close(): void }> = [];
after(() => servers.forEach((s) => s.close()));

describe('streaming text', () => {
  it('fills the running node as it arrives; a cancel keeps the text so far and counts its tokens', async () => {
    const pieces = ['Let us ', 'work it ', 'out step ', 'by step: ', 'first, ', 'the numbers'];
    const server = await stallingStream(pieces);
    servers.push(server);
    const run = new Run({ model: new OpenAIChatModel({ baseUrl: server.baseUrl, model: 'gpt-4o-mini', stream: true }), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const seen: string[] = [];
    run.graph.on((e) => {
      if (e.type !== 'nodeUpdated' || !e.node.live) return;
      seen.push(e.node.live);
      if (e.node.live.includes('the numbers')) setTimeout(() => run.cancel(), 10);
    });
    const report = await runTechnique({ technique: cotTechnique, task: genericTask, input: 'What is 6 * 7?', run });
    assert.equal(report.summary.outcome, 'cancelled');
    assert.ok(seen.length >= 2 && seen.length < pieces.length, `throttled: ${seen.length} updates for ${pieces.length} pieces`);
    assert.equal(seen.at(-1), pieces.join(''));
    const calls = toTrace(report, run.graph).nodes.flatMap((n) => n.calls);
    assert.equal(calls.length, 1, 'the cancelled call is recorded');
    assert.equal(calls[0].responses[0], pieces.join(''));
    assert.ok(report.summary.totals.completionTokens > 0 && report.summary.totals.estimated, 'its tokens are counted (estimated: the stream never sent usage)');
    assert.equal(report.summary.totals.calls, 1);
    assert.equal(run.graph.nodes().find((n) => n.calls.length)!.live, undefined);
  });
});

describe('run settings on each request', () => {
  it("the run's seed as it is for a request without a salt; a different seed per salt, the same every time", () => {
    assert.equal(requestSeed(42, undefined), 42);
    assert.equal(requestSeed(42, 'tot-sample:1:0'), requestSeed(42, 'tot-sample:1:0'));
    assert.notEqual(requestSeed(42, 'tot-sample:1:0'), requestSeed(42, 'tot-sample:1:1'));
    assert.notEqual(requestSeed(42, '#1'), requestSeed(43, '#1'));
  });

  it("a request's own effort wins over the run's; a run without settings leaves the request as it is", () => {
    const request = { messages: [{ role: 'user' as const, content: 'q' }] };
    assert.equal(withRunSettings(request, {}), request);
    assert.equal(withRunSettings(request, { reasoningEffort: 'low' }).reasoningEffort, 'low');
    assert.equal(withRunSettings({ ...request, reasoningEffort: 'high' }, { reasoningEffort: 'low' }).reasoningEffort, 'high');
    assert.equal(withRunSettings({ ...request, cacheSalt: 3 }, { seed: 9 }).seed, requestSeed(9, 3));
  });
});
