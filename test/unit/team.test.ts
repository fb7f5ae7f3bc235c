// The reflective team: memory retrieval by its three scores, reflections citing their evidence, and a
// plan that the critic gets revised, against the loopback server.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { genericTask } from '../../src/core/tasks/generic';
import { lexicalSimilarity, MemoryStream } from '../../src/core/techniques/team/memory';
import { parseInsights, parsePlan, teamTechnique } from '../../src/core/techniques/team';
import { startFakeServer, type FakeRequest, type FakeReply, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

function stream() {
  const s = new MemoryStream('solver', 0.5);
  // old + important + off-topic; recent + trivial + off-topic; middle-aged + mid + on-topic
  s.add({ id: 'old', kind: 'observation', text: 'The budget meeting moved to Friday.', importance: 10, createdAt: 0 });
  s.add({ id: 'recent', kind: 'observation', text: 'Someone said hello.', importance: 1, createdAt: 10 });
  s.add({ id: 'topical', kind: 'observation', text: 'The bridge load limit is 40 tonnes.', importance: 5, createdAt: 5 });
  return s;
}

describe('team memory', () => {
  it('orders by recency, importance or relevance alone, and by their weighted sum', () => {
    const ids = (w: [number, number, number]) => stream().retrieve('bridge load limit', 10, 3, { recency: w[0], importance: w[1], relevance: w[2] }).map((r) => r.memory.id);
    assert.deepEqual(ids([1, 0, 0]), ['recent', 'topical', 'old']);
    assert.deepEqual(ids([0, 1, 0]), ['old', 'topical', 'recent']);
    assert.deepEqual(ids([0, 0, 1]), ['topical', 'old', 'recent']);
    const all = stream().retrieve('bridge load limit', 10, 3, { recency: 1, importance: 1, relevance: 1 });
    assert.equal(all[0].memory.id, 'topical');
    // recency 0.5^5 normalised between 0.5^10 and 1; importance (5-1)/9; relevance 1 (the only match).
    const rec = (0.5 ** 5 - 0.5 ** 10) / (1 - 0.5 ** 10);
    assert.ok(Math.abs(all[0].recency - rec) < 1e-12);
    assert.ok(Math.abs(all[0].importance - 4 / 9) < 1e-12);
    assert.equal(all[0].relevance, 1);
    assert.ok(Math.abs(all[0].score - (rec + 4 / 9 + 1)) < 1e-12);
  });

  it('refreshes the recency of what it retrieves', () => {
    const s = stream();
    s.retrieve('budget meeting', 10, 1, { recency: 0, importance: 0, relevance: 1 });
    assert.equal(s.memories.find((m) => m.id === 'old')?.lastAccess, 10);
    assert.equal(s.retrieve('', 12, 1, { recency: 1, importance: 0, relevance: 0 })[0].memory.id, 'old', 'the old memory is now the most recent (ties keep order)');
  });

  it('measures relevance lexically and parses plans and cited insights', () => {
    assert.ok(Math.abs(lexicalSimilarity('bridge load', 'The bridge load limit') - 2 / Math.sqrt(2 * 3)) < 1e-12);
    assert.equal(lexicalSimilarity('apples', 'bridges'), 0);
    assert.deepEqual(parsePlan('Plan:\n1. [solver] multiply\n2) [Critic] check it\n- no role here'), [
      { agent: 'solver', text: 'multiply' },
      { agent: 'critic', text: 'check it' },
      { agent: 'solver', text: 'no role here' },
    ]);
    assert.deepEqual(parseInsights('INSIGHT: x matters (because of 1, 3 and 9)\nINSIGHT: uncited', 4), [{ text: 'x matters', cites: [1, 3] }]);
  });
});

describe('team technique', () => {
  const servers: FakeServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  function scripted(req: FakeRequest): FakeReply {
    const system = req.body.messages[0].content;
    const user = req.prompt;
    if (/rate the importance/.test(user)) return { choices: [/17 \* 3/.test(user) ? '9' : '3'] };
    if (/Write a short numbered plan/.test(user) && /critic said/.test(user)) return { choices: ['1. [solver] Recompute 17 * 3 carefully.\n2. [critic] Confirm 51.'] };
    if (/Write a short numbered plan/.test(user)) return { choices: ['1. [solver] Compute 17 * 3.\n2. [critic] Check the product.'] };
    if (/high-level insights/.test(user)) {
      const lines = user.split('\n').filter((l) => /^\d+\. /.test(l));
      const cited = lines.filter((l) => /17 \* 3/.test(l)).map((l) => l.split('.')[0]);
      return { choices: [`INSIGHT: the product 17 * 3 needs checking (because of ${cited.join(', ')})`] };
    }
    if (/^You are the critic/.test(system)) return { choices: [/Confirm 51/.test(user) ? 'Confirmed: 17 * 3 = 51.' : 'REVISE: the solver wrote 41 for 17 * 3.'] };
    if (/^You are the solver/.test(system)) return { choices: [/Recompute/.test(user) ? '17 * 3 = 51' : '17 * 3 = 41'] };
    if (/final answer/.test(user)) return { choices: ['We agreed on 51.\nAnswer: 51'] };
    return { choices: ['ok'] };
  }

  it('follows and revises the plan, writes reflections citing their evidence, and answers', async () => {
    const server = await startFakeServer(scripted);
    servers.push(server);
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: teamTechnique, task: genericTask, input: 'What is 17 * 3?', params: { reflectionThreshold: 18 }, run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, '51');
    const nodes = run.graph.nodes();
    const plans = nodes.filter((n) => n.kind === 'plan').map((n) => n.text);
    assert.deepEqual(plans, ['1. [solver] Compute 17 * 3.', '2. [critic] Check the product.', '1. [solver] Recompute 17 * 3 carefully.', '2. [critic] Confirm 51.']);
    const reflections = nodes.filter((n) => n.kind === 'reflection' && n.meta?.cites);
    assert.ok(reflections.length >= 1, 'some agent reflected');
    assert.ok(reflections.some((r) => run.graph.edges().some((e) => e.to === r.id && e.label === 'evidence' && run.graph.get(e.from).kind === 'observation')));
    for (const r of reflections) {
      const evidence = run.graph.edges().filter((e) => e.to === r.id && e.label === 'evidence').map((e) => run.graph.get(e.from));
      assert.ok(evidence.length >= 1);
      assert.deepEqual(evidence.map((e) => e.id).join(', '), r.meta?.cites);
      for (const e of evidence) {
        assert.ok(e.kind === 'observation' || e.kind === 'reflection', 'evidence is a memory (reflections may build on reflections)');
        assert.equal(e.meta?.agent, r.meta?.agent, 'an agent cites its own memories');
        assert.match(e.text, /17 \* 3/, 'the cited memories are the ones the insight rests on');
      }
    }
    const observations = nodes.filter((n) => n.kind === 'observation');
    assert.ok(observations.every((o) => o.score === 9 || o.score === 3), 'importance comes from the model');
    assert.ok(run.graph.edges().some((e) => e.kind === 'evaluate' && e.label?.startsWith('recall')), 'agents recall memories before acting');
    assert.ok(nodes.some((n) => n.meta?.agent === 'critic' && /REVISE/.test(n.text)));
    assert.ok(report.summary.totals.calls > 10);
  });
});
