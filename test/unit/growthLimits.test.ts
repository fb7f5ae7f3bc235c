// Bounded growth (issue 16): a run's graph stops at its node, depth and memory limits, keeping what it
// has; calls answered from the cache count against the node limit; the stop is a budget outcome.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { GrowthLimitError } from '../../src/core/graph/growth';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import { genericTask } from '../../src/core/tasks/generic';
import { gotTechnique } from '../../src/core/techniques/got';
import type { Technique } from '../../src/core/techniques/types';
import { closingServers } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const server = closingServers();

/** Asks the same question again and again: after the first, every answer comes from the run's cache. */
const askAgain: Technique = {
  id: 'ask-again',
  name: 'Ask again (test)',
  description: 'Repeats one identical request, adding a node per answer.',
  params: [],
  async run({ run, input }) {
    let parent = run.graph.addNode({ kind: 'question', text: input }).id;
    for (;;) {
      const node = run.graph.addNode({ kind: 'thought', text: 'again', status: 'pending' }, [{ id: parent, kind: 'expand' }]);
      await run.call(node.id, 'ask', { messages: [{ role: 'user', content: 'the same question' }] });
      parent = node.id;
    }
  },
};

describe('growth limits', () => {
  it('calls answered from the cache still count against the node limit', async () => {
    const s = await server(() => ({ choices: ['same'] }));
    const run = runAt(s.baseUrl, { growth: { maxNodes: 300 } });
    const report = await runTechnique({ technique: askAgain, task: genericTask, input: 'q', run });
    assert.equal(report.summary.outcome, 'budget');
    assert.match(report.summary.message ?? '', /limit of 300 nodes/);
    assert.equal(s.requests.length, 1, 'one request; the rest were cached');
    assert.ok(run.totals().cachedCalls >= 290);
    assert.ok(run.graph.size <= 300);
  });

  it('a chain deeper than the depth limit stops the run', async () => {
    const s = await server(() => ({ choices: ['same'] }));
    const run = runAt(s.baseUrl, { growth: { maxDepth: 40 } });
    const report = await runTechnique({ technique: askAgain, task: genericTask, input: 'q', run });
    assert.equal(report.summary.outcome, 'budget');
    assert.match(report.summary.message ?? '', /limit of depth 40/);
    assert.equal(run.graph.size, 41, 'the question and a chain of 40');
  });

  it('the memory limit counts text as well as nodes, and a paid answer past it is kept', async () => {
    const s = await server(() => ({ choices: ['x'.repeat(400_000)] }));
    const run = runAt(s.baseUrl, { growth: { maxMemoryBytes: 2 * 1024 * 1024 } });
    const technique: Technique = { ...askAgain, async run({ run: r }) {
      const root = r.graph.addNode({ kind: 'question', text: 'q' });
      for (let i = 0; ; i++) {
        const node = r.graph.addNode({ kind: 'thought', text: `${i}`, status: 'pending' }, [{ id: root.id, kind: 'expand' }]);
        await r.call(node.id, 'ask', { messages: [{ role: 'user', content: `question ${i}` }] });
      }
    } };
    const report = await runTechnique({ technique, task: genericTask, input: 'q', run });
    assert.equal(report.summary.outcome, 'budget');
    assert.match(report.summary.message ?? '', /memory limit of 2 MB/);
    // 400,000 characters are 800 KB: the third answer passes 2 MB; it was paid for, so it is on its node.
    assert.equal(s.requests.length, 3);
    assert.equal(run.graph.nodes().filter((n) => n.calls.length > 0).length, 3);
    assert.equal(report.summary.totals.calls, 3);
  });

  it('a Graph of Thoughts file that multiplies thoughts stops at the default node limit', async () => {
    const s = await server(() => ({ choices: ['same text'] }));
    const run = runAt(s.baseUrl);
    const report = await runTechnique({ technique: gotTechnique, task: genericTask, input: '[3, 1, 2]', params: { file: 'test/fixtures/hostile/got-bomb.json' }, run, host: { baseDir: process.cwd() } });
    assert.equal(report.summary.outcome, 'budget');
    assert.match(report.summary.message ?? '', /limit of 20000 nodes/);
    assert.ok(run.graph.size <= 20_000);
    // Each request (every GoT request is sent: salted per operation and thought) brings 20 thoughts.
    assert.ok(s.requests.length <= 20_000 / 20 + 12, `${s.requests.length} requests`);
  });

  it('a graph without limits (a restored trace) is not limited; one with limits refuses the node past them', () => {
    const free = new ThoughtGraph();
    for (let i = 0; i < 100; i++) free.addNode({ kind: 'thought', text: String(i) });
    const reasons: string[] = [];
    const limited = new ThoughtGraph({ maxNodes: 3, maxDepth: 10, maxMemoryBytes: 1e9 }, (r) => reasons.push(r));
    for (let i = 0; i < 3; i++) limited.addNode({ kind: 'thought', text: String(i) });
    assert.throws(() => limited.addNode({ kind: 'thought', text: 'one too many' }), GrowthLimitError);
    assert.equal(limited.size, 3);
    assert.deepEqual(reasons, ['the run reached its limit of 3 nodes']);
  });
});
