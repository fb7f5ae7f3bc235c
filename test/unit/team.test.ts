// The reflective team: memory retrieval by its three scores (lexical or embedding relevance), the
// paper's reflection (threshold 150, focal questions, retrieval, insights citing their evidence), a
// plan that the critic gets revised, and each role on its own model profile, against the loopback server.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { labelFor, renderMermaid } from '../../src/core/render/mermaid';
import { Run, type RunProfile } from '../../src/core/run/run';
import { genericTask } from '../../src/core/tasks/generic';
import { ParamError } from '../../src/core/techniques/params';
import { lexicalSimilarity, MemoryStream } from '../../src/core/techniques/team/memory';
import { parseInsights, parsePlan, teamTechnique } from '../../src/core/techniques/team';
import { startFakeServer, type FakeRequest, type FakeReply, type FakeServer } from '../support/fakeOpenAI';
import { modelAt, runAt } from '../support/runHelpers';

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

  it('by default an agent reflects only once its new observations\' importance adds up to 150', async () => {
    const server = await startFakeServer(scripted);
    servers.push(server);
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: teamTechnique, task: genericTask, input: 'What is 17 * 3?', params: {}, run });
    assert.equal(report.summary.answer, '51');
    // A handful of messages rated 3 or 9 stay far below 150 for every agent: no reflection at all.
    assert.equal(run.graph.nodes().filter((n) => n.kind === 'reflection').length, 0);
    assert.equal(server.requests.filter((r) => /high-level/.test(r.prompt)).length, 0);
  });

  it('reflects as the paper: focal questions first, then memories retrieved and insights written for each', async () => {
    const server = await startFakeServer((req) => {
      if (/most salient high-level questions/.test(req.prompt)) return { choices: ['1. Is the product 17 * 3 right?\n2. Who checked the work?\nSome closing remark.'] };
      return scripted(req);
    });
    servers.push(server);
    const run = runAt(server.baseUrl);
    await runTechnique({ technique: teamTechnique, task: genericTask, input: 'What is 17 * 3?', params: { reflectionThreshold: 18, insights: 1 }, run });
    const focal = server.requests.findIndex((r) => /most salient high-level questions/.test(r.prompt));
    assert.ok(focal >= 0, 'a reflection asks for focal questions');
    const agent = /^You are the (\w+)/.exec(server.requests[focal].body.messages[0].content)![1];
    const insightRequests = server.requests.slice(focal + 1).filter((r) => /high-level insights/.test(r.prompt) && r.body.messages[0].content.startsWith(`You are the ${agent}`));
    assert.ok(insightRequests.length >= 2);
    assert.match(insightRequests[0].prompt, /^Question: Is the product 17 \* 3 right\?\n\nMemories:\n1\. /);
    assert.match(insightRequests[1].prompt, /^Question: Who checked the work\?\n\nMemories:\n1\. /);
    assert.match(insightRequests[0].prompt, /at most 1\)/);
    const questions = run.graph.nodes().filter((n) => n.kind === 'reflection' && n.meta?.stage === 'focal questions');
    assert.ok(questions.length >= 1);
    assert.match(questions[0].text, /asks itself:\n1\. Is the product 17 \* 3 right\?\n2\. Who checked the work\?$/);
    const insights = run.graph.nodes().filter((n) => n.kind === 'reflection' && n.meta?.cites);
    assert.ok(insights.some((n) => n.meta?.question === 'Is the product 17 * 3 right?'));
    for (const n of insights) {
      const from = run.graph.edges().find((e) => e.to === n.id && e.label === 'focal question')?.from;
      assert.ok(from && questions.some((q) => q.id === from && q.meta?.agent === n.meta?.agent), 'each insight hangs off its agent\'s focal questions');
    }
  });

  it('relevance uses embeddings when there is an embeddings model, and term overlap otherwise', async () => {
    // Texts that mention 41 point one way, everything else the other; the solver's redo step points the 41 way.
    const vectorOf = (text: string) => (/\b41\b|Recompute/.test(text) ? [1, 0] : [0, 1]);
    const server = await startFakeServer(scripted, { embeddings: (req) => ({ vectors: req.body.input.map(vectorOf) }) });
    servers.push(server);
    const params = { weightRecency: 0, weightImportance: 0, weightRelevance: 1, retrieve: 1, embeddingModel: 'embedder' };
    const run = runAt(server.baseUrl);
    await runTechnique({ technique: teamTechnique, task: genericTask, input: 'What is 17 * 3?', params, run });
    assert.ok(server.embeddingRequests.length >= 1);
    assert.ok(server.embeddingRequests.every((r) => r.body.model === 'embedder'));
    const redo = server.requests.find((r) => /^You are the solver/.test(r.body.messages[0].content) && /Your step: Recompute/.test(r.prompt))!;
    assert.match(redo.prompt, /What you remember \(most useful first\):\n1\. [^\n]*41/, 'the memory nearest by embedding');
    // Each text is embedded once per run.
    const embedded = server.embeddingRequests.flatMap((r) => r.body.input);
    assert.equal(new Set(embedded).size, embedded.length);
    assert.ok(run.graph.nodes().some((n) => n.calls.some((c) => c.role === 'embed')));

    const before = server.embeddingRequests.length;
    await runTechnique({ technique: teamTechnique, task: genericTask, input: 'What is 17 * 3?', params: { ...params, relevance: 'lexical' }, run: runAt(server.baseUrl) });
    assert.equal(server.embeddingRequests.length, before, 'relevance=lexical sends no embeddings requests');
    await runTechnique({ technique: teamTechnique, task: genericTask, input: 'What is 17 * 3?', params: { weightRecency: 0 }, run: runAt(server.baseUrl) });
    assert.equal(server.embeddingRequests.length, before, 'no embeddings model: lexical');
  });

  // Each role on its own profile (distinct model names and prices on one server); the run's own model
  // ("rater", the active profile) keeps the importance ratings.
  const PRICES: Record<string, { input: number; output: number }> = {
    'rater-model': { input: 1, output: 2 },
    'planner-model': { input: 3, output: 4 },
    'solver-model': { input: 5, output: 6 },
    'critic-model': { input: 7, output: 8 },
  };
  const USAGE = { prompt_tokens: 100, completion_tokens: 10 };

  async function profileRun() {
    const server = await startFakeServer((req) => ({ ...scripted(req), usage: USAGE }));
    servers.push(server);
    const model = (name: string) => modelAt(server.baseUrl, { model: name });
    const rater = model('rater-model');
    const profiles: RunProfile[] = [
      { name: 'rater', model: rater, price: PRICES['rater-model'] },
      { name: 'plan', model: model('planner-model'), price: PRICES['planner-model'] },
      { name: 'solve', model: model('solver-model'), price: PRICES['solver-model'] },
      { name: 'crit', model: model('critic-model'), price: PRICES['critic-model'] },
    ];
    return { server, run: new Run({ model: rater, profiles, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } }) };
  }

  /** Whose call a request was, from its system message (the persona, or the importance rater's). */
  function callerOf(req: FakeRequest): string {
    const system = req.body.messages[0].content;
    return /^You are the (planner|solver|critic)\b/.exec(system)?.[1] ?? (/^You rate how important/.test(system) ? 'rater' : '?');
  }

  it('sends each role\'s calls to its profile, the importance ratings to the run\'s model, and prices each call by its profile', async () => {
    const { server, run } = await profileRun();
    const report = await runTechnique({
      technique: teamTechnique,
      task: genericTask,
      input: 'What is 17 * 3?',
      params: { reflectionThreshold: 18, plannerProfile: 'plan', solverProfile: 'solve', criticProfile: 'crit' },
      run,
    });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, '51');
    const expectedModel: Record<string, string> = { planner: 'planner-model', solver: 'solver-model', critic: 'critic-model', rater: 'rater-model' };
    const seen = new Set<string>();
    for (const req of server.requests) {
      const caller = callerOf(req);
      assert.equal(req.body.model, expectedModel[caller], `a ${caller} request (${req.prompt.slice(0, 60)}…)`);
      seen.add(caller);
    }
    assert.deepEqual([...seen].sort(), ['critic', 'planner', 'rater', 'solver']);
    const reflections = server.requests.filter((r) => /high-level insights/.test(r.prompt));
    assert.ok(reflections.length >= 1, 'some agent reflected');
    assert.ok(server.requests.some((r) => /critic said/.test(r.prompt) && r.body.model === 'planner-model'), 'the revision is the planner\'s call');

    // Each call is priced by its own profile; the run's totals are the sum over all of them.
    const expectedCost = server.requests.reduce((sum, r) => sum + (USAGE.prompt_tokens * PRICES[r.body.model].input + USAGE.completion_tokens * PRICES[r.body.model].output) / 1e6, 0);
    const calls = run.graph.nodes().flatMap((n) => n.calls);
    assert.equal(calls.filter((c) => !c.cached).length, server.requests.length);
    const perModel = new Map<string, number>();
    for (const c of calls) {
      const price = PRICES[c.model];
      assert.ok(price, `a call to ${c.model}`);
      const want = c.cached ? 0 : (c.usage.promptTokens * price.input + c.usage.completionTokens * price.output) / 1e6;
      assert.ok(Math.abs((c.costUsd ?? NaN) - want) < 1e-15, `${c.role} on ${c.model}: ${c.costUsd} vs ${want}`);
      perModel.set(c.model, (perModel.get(c.model) ?? 0) + (c.costUsd ?? NaN));
    }
    assert.equal(perModel.size, 4, 'four models were priced');
    const totals = report.summary.totals;
    assert.ok(Math.abs((totals.costUsd ?? NaN) - expectedCost) < 1e-12, `${totals.costUsd} vs ${expectedCost}`);
    assert.ok(Math.abs([...perModel.values()].reduce((a, b) => a + b, 0) - (totals.costUsd ?? NaN)) < 1e-12);
    assert.equal(totals.promptTokens, USAGE.prompt_tokens * server.requests.length);
    assert.equal(totals.completionTokens, USAGE.completion_tokens * server.requests.length);

    // The graph says which profile wrote a message: in the node text (so in the Mermaid label) and meta.
    const nodes = run.graph.nodes();
    const solverMessage = nodes.find((n) => n.kind === 'thought' && n.meta?.agent === 'solver')!;
    assert.match(solverMessage.text, /^solver \(solve\): 17 \* 3 = 41/);
    assert.equal(solverMessage.meta?.model, 'solver-model');
    assert.equal(solverMessage.meta?.profile, 'solve');
    assert.match(labelFor(solverMessage), /^solver \(solve\): /);
    assert.match(renderMermaid(run.graph.snapshot()), /"critic \(crit\)#58; REVISE#58; /, 'the Mermaid label (":" escaped)');
    for (const n of nodes.filter((x) => (x.kind === 'thought' || x.kind === 'reflection') && x.calls.length > 0)) {
      const agent = n.meta?.agent as string;
      assert.equal(n.meta?.model, expectedModel[agent], `${n.kind} ${n.text.slice(0, 40)}`);
      // A message node also holds the importance rating of that message, made on the run's model.
      for (const c of n.calls) assert.equal(c.model, c.role === 'importance' ? 'rater-model' : expectedModel[agent], `${c.role} on ${n.text.slice(0, 40)}`);
    }
  });

  it('an unknown profile name for any role is a ParamError naming it, before any request', async () => {
    const { server, run } = await profileRun();
    for (const param of ['plannerProfile', 'solverProfile', 'criticProfile']) {
      await assert.rejects(
        runTechnique({ technique: teamTechnique, task: genericTask, input: 'What is 17 * 3?', params: { plannerProfile: 'plan', [param]: 'giant' }, run }),
        (err: Error) => err instanceof ParamError && err.message === `technique "team" parameter "${param}": no model profile named "giant"; known profiles: rater, plan, solve, crit`,
      );
    }
    assert.equal(server.requests.length, 0);
    assert.equal(run.graph.nodes().length, 0, 'nothing was started');
  });
});
