// Self-Consistency (sc) and CoT-SC against the loopback server through the real engine and openai SDK.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { game24Task } from '../../src/core/tasks/game24';
import { genericTask } from '../../src/core/tasks/generic';
import { cotScTechnique } from '../../src/core/techniques/cotSc';
import { ParamError } from '../../src/core/techniques/params';
import { scTechnique } from '../../src/core/techniques/sc';
import { startFakeServer, type FakeHandler } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const servers: Array<{ close(): Promise<void> }> = [];
async function server(handler: FakeHandler) {
  const s = await startFakeServer(handler);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

const TIED = ['Answer: 12', 'Answer: 13', 'Answer: 13.0', 'Answer: 12', 'Answer: 7'];

describe('sc', () => {
  it('votes by majority, breaks the tie by first occurrence, and draws samples → vote → answer', async () => {
    const s = await server(() => ({ choices: TIED }));
    const run = runAt(s.baseUrl);
    const report = await runTechnique({ technique: scTechnique, task: genericTask, input: 'How many eggs?', params: { samples: 5 }, run });
    assert.equal(report.summary.outcome, 'done');
    // 12 and 13 have two votes each; 12 came first.
    assert.equal(report.summary.answer, '12');
    assert.equal(report.summary.confidence, 0.4);
    assert.deepEqual(report.candidates, ['12', '13', '13.0', '12', '7']);

    const nodes = run.graph.nodes();
    const samples = nodes.filter((n) => n.meta?.sample !== undefined);
    assert.equal(samples.length, 5);
    assert.deepEqual(samples.map((n) => n.meta?.answer), ['12', '13', '13.0', '12', '7']);
    assert.deepEqual(samples.map((n) => n.status), ['selected', 'done', 'done', 'selected', 'done']);
    const vote = nodes.find((n) => n.kind === 'vote')!;
    assert.equal(vote.text, 'Votes: 12 ×2 · 13 ×2 · 7 ×1');
    assert.deepEqual(run.graph.parentsOf(vote.id), samples.map((n) => n.id));
    const answer = nodes.find((n) => n.kind === 'answer')!;
    assert.equal(answer.text, '12');
    assert.equal(answer.score, 0.4);
    assert.equal(answer.meta?.votes, '2 of 5');
    assert.deepEqual(run.graph.parentsOf(answer.id), [vote.id]);

    // One request with n = 5 whose tokens and cost sit on the sampling node.
    assert.equal(s.requests.length, 1);
    assert.equal(s.requests[0].body.n, 5);
    assert.match(s.requests[0].prompt, /Reply with the answer only/);
    const sampler = nodes.find((n) => n.calls.length > 0)!;
    assert.deepEqual(run.graph.parentsOf(samples[0].id), [sampler.id]);
    assert.equal(sampler.usage.promptTokens, report.summary.totals.promptTokens);
    assert.equal(sampler.usage.completionTokens, s.reported.completionTokens);
  });

  for (const ignoreN of [false, true]) {
    it(`samples = k makes exactly k completions when the server ${ignoreN ? 'ignores' : 'honours'} n`, async () => {
      const s = await server((req) => ({ choices: ignoreN ? [`Answer: ${req.index % 2 === 0 ? 'x' : 'y'}`] : ['Answer: x', 'Answer: y'], ignoreN }));
      for (const k of [1, 4, 7]) {
        const before = s.requests.length;
        const run = runAt(s.baseUrl);
        const report = await runTechnique({ technique: scTechnique, task: genericTask, input: `k=${k}`, params: { samples: k }, run });
        assert.equal(report.summary.outcome, 'done');
        const sent = s.requests.slice(before);
        assert.equal(sent.length, ignoreN && k > 1 ? k : 1, 'requests sent');
        assert.equal(report.candidates?.length, k);
        assert.equal(run.graph.nodes().filter((n) => n.meta?.sample !== undefined).length, k);
        assert.equal(report.summary.totals.calls, sent.length);
        assert.equal(report.summary.totals.completionTokens, k * Math.ceil('Answer: x'.length / 4), 'every completion is counted once');
      }
    });
  }

  it('rejects bad parameters before any call', async () => {
    const s = await server(() => ({ choices: ['Answer: 1'] }));
    for (const [params, pattern] of [
      [{ samples: 0 }, /parameter "samples" must be between 1 and 100, got 0/],
      [{ samples: '2.5' }, /parameter "samples" must be a whole number/],
      [{ temperature: 3 }, /parameter "temperature" must be between 0 and 2, got 3/],
      [{ breadth: 3 }, /has no parameter "breadth"/],
    ] as const) {
      await assert.rejects(runTechnique({ technique: scTechnique, task: genericTask, input: 'q', params, run: runAt(s.baseUrl) }), (err: Error) => err instanceof ParamError && pattern.test(err.message));
    }
    assert.equal(s.requests.length, 0);
  });

  it('keeps the graph when cancelled mid-call, and stops at the budget', async () => {
    const hang = await server(() => ({ hang: true }));
    const run = runAt(hang.baseUrl);
    const pending = runTechnique({ technique: scTechnique, task: genericTask, input: 'q', params: { samples: 3 }, run });
    while (hang.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    run.cancel();
    const report = await pending;
    assert.equal(report.summary.outcome, 'cancelled');
    assert.deepEqual(run.graph.nodes().map((n) => [n.kind, n.status]), [['question', 'done'], ['thought', 'cancelled']]);

    const slow = await server(() => ({ choices: ['Answer: 1'], ignoreN: true }));
    const limited = runAt(slow.baseUrl, { budget: { maxCalls: 2 }, concurrency: 1 });
    const stopped = await runTechnique({ technique: scTechnique, task: genericTask, input: 'q', params: { samples: 5 }, run: limited });
    assert.equal(stopped.summary.outcome, 'budget');
    assert.equal(slow.requests.length, 2);
    assert.ok(limited.graph.nodes().length >= 2);
  });
});

describe('cot-sc', () => {
  it('votes over chain-of-thought paths and judges the winner', async () => {
    const paths = [
      'First 13 - 9 = 4, then 10 - 4 = 6, and 4 * 6 = 24.\nAnswer: (13 - 9) * (10 - 4) = 24',
      'Try 10 + 13 + 9 - 4 = 28. No.\nAnswer: 10 + 13 + 9 - 4 = 24',
      'Using 13-9 and 10-4.\nAnswer: (13-9)*(10-4) = 24',
    ];
    const s = await server(() => ({ choices: paths }));
    const run = runAt(s.baseUrl);
    const report = await runTechnique({ technique: cotScTechnique, task: game24Task, input: '4 9 10 13', params: { samples: 3 }, run });
    assert.equal(report.summary.answer, '(13 - 9) * (10 - 4)');
    assert.equal(report.summary.confidence, 2 / 3);
    const answer = run.graph.get(report.summary.answerNodeId!);
    assert.equal(answer.meta?.correct, true);
    assert.equal(answer.meta?.confidence, '67%');
    // The CoT prompt with the task's worked examples (fewShot is on by default).
    const game24Cot = game24Task.cotPrompt('4 9 10 13', true).text;
    assert.equal(s.requests[0].prompt, game24Cot);
    assert.notEqual(game24Cot, game24Task.cotPrompt('4 9 10 13', false).text);
    const sample = run.graph.nodes().find((n) => n.meta?.sample === 1)!;
    assert.match(sample.text, /^Answer: \(13 - 9\) \* \(10 - 4\)\n\nFirst 13 - 9/);
  });

  it('sends the zero-shot prompt with fewShot=false', async () => {
    const s = await server(() => ({ choices: ['Reasoning.\nAnswer: 3'] }));
    const report = await runTechnique({ technique: cotScTechnique, task: genericTask, input: '1+2?', params: { samples: 2, fewShot: 'false' }, run: runAt(s.baseUrl) });
    assert.equal(s.requests[0].prompt, genericTask.cotPrompt('1+2?', false).text);
    assert.equal(report.summary.answer, '3');
    assert.equal(report.summary.confidence, 1);
  });
});
