// Tree of Thoughts on Game of 24 against a scripted OpenAI-compatible server, through the real engine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import type { ThoughtNode } from '../../src/core/graph/types';
import { OpenAIChatModel } from '../../src/core/model/openaiModel';
import { Run } from '../../src/core/run/run';
import { game24Task } from '../../src/core/tasks/game24';
import { createTotTechnique, seededRandom, totTechnique } from '../../src/core/techniques/tot';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { A, B, BASE, C, E, INPUT, classify, handlerFor, lastInput, type Script } from '../support/totScript';

let server: FakeServer;
let script: Script = BASE;

before(async () => {
  server = await startFakeServer((req) => handlerFor(script)(req));
});
after(async () => {
  await server.close();
});

async function runTot(params: Record<string, unknown>, s: Script = BASE, technique = totTechnique) {
  script = s;
  server.requests.length = 0;
  server.reported.promptTokens = 0;
  server.reported.completionTokens = 0;
  const run = new Run({ model: new OpenAIChatModel({ baseUrl: server.baseUrl, model: 'gpt-4o' }), concurrency: 8 });
  const report = await runTechnique({ technique, task: game24Task, input: INPUT, params, run });
  const nodes = run.graph.nodes();
  const thoughts = (step: number) => nodes.filter((n) => n.kind === 'thought' && n.meta?.step === step);
  const kinds = server.requests.map((r) => classify(r.prompt));
  return { run, report, nodes, thoughts, kinds, requests: [...server.requests] };
}

function brief(nodes: ThoughtNode[]) {
  return nodes.map((n) => ({ text: n.text, status: n.status, score: n.score }));
}

function assertUsageAddsUp(run: Run, report: Awaited<ReturnType<typeof runTechnique>>) {
  const nodes = run.graph.nodes();
  const prompt = nodes.reduce((s, n) => s + n.usage.promptTokens, 0);
  const completion = nodes.reduce((s, n) => s + n.usage.completionTokens, 0);
  assert.ok(server.reported.promptTokens > 0);
  assert.equal(prompt, server.reported.promptTokens);
  assert.equal(completion, server.reported.completionTokens);
  assert.equal(report.summary.totals.promptTokens, server.reported.promptTokens);
  assert.equal(report.summary.totals.completionTokens, server.reported.completionTokens);
  assert.equal(report.summary.totals.calls, server.requests.length);
}

test('BFS (propose, value, greedy) selects exactly the reference states at every step', async () => {
  const { run, report, nodes, thoughts, kinds, requests } = await runTot({ breadth: 2 });
  assert.equal(report.summary.outcome, 'done', report.summary.message);

  // Step 1: A is sure; B and C tie (likely) and B wins by proposal order; D repeats A and scores 0
  // without a value call.
  assert.deepEqual(brief(thoughts(1)), [
    { text: A, status: 'selected', score: 60 },
    { text: B, status: 'selected', score: 3 },
    { text: C, status: 'pruned', score: 3 },
    { text: A, status: 'pruned', score: 0 },
    { text: E, status: 'pruned', score: 0.003 },
  ]);
  const dup = thoughts(1)[3];
  assert.equal(dup.calls.length, 0, 'a duplicate candidate is not valued');
  assert.equal(dup.meta?.duplicate, true);
  assert.deepEqual(dup.meta?.left, '4 4 10');

  // Step 2: A1 and B1 both leave "4 6" (tie at 60, A1 first). B1's value comes from the cache.
  assert.deepEqual(brief(thoughts(2)), [
    { text: '10 - 4 = 6 (left: 4 6)', status: 'selected', score: 60 },
    { text: '4 + 4 = 8 (left: 8 10)', status: 'pruned', score: 0.003 },
    { text: '4 * 10 = 40 (left: 4 40)', status: 'pruned', score: 0.003 },
    { text: '13 - 9 = 4 (left: 4 6)', status: 'selected', score: 60 },
    { text: '6 + 9 = 15 (left: 13 15)', status: 'pruned', score: 0.003 },
  ]);
  const b1 = thoughts(2)[3];
  assert.equal(b1.calls.filter((c) => c.role === 'value').length, 0);
  assert.equal(b1.meta?.valueCached, true);
  assert.equal(run.graph.parentsOf(b1.id)[0], thoughts(1)[1].id, 'B1 expands B');

  // Step 3 and 4.
  assert.deepEqual(brief(thoughts(3)), [
    { text: '4 * 6 = 24 (left: 24)', status: 'selected', score: 60 },
    { text: '6 - 4 = 2 (left: 2)', status: 'pruned', score: 0.003 },
    { text: '4 * 6 = 24 (left: 24)', status: 'selected', score: 60 },
    { text: '6 - 4 = 2 (left: 2)', status: 'pruned', score: 0.003 },
  ]);
  assert.deepEqual(brief(thoughts(4)), [
    { text: 'Answer: (13 - 9) * (10 - 4) = 24', status: 'selected', score: 60 },
    { text: 'Answer: (10 + 4) + (13 - 9) = 24', status: 'pruned', score: 0.003 },
    { text: 'Answer: (10 - 4) * (13 - 9) = 24', status: 'selected', score: 60 },
  ]);

  // The answer: the best final state, judged correct; every kept state's answer is a candidate.
  assert.equal(report.summary.answer, '(13 - 9) * (10 - 4)');
  assert.equal(game24Task.judge?.(INPUT, report.summary.answer ?? ''), true);
  assert.deepEqual(report.candidates, ['(13 - 9) * (10 - 4)', '(10 - 4) * (13 - 9)']);
  const answer = run.graph.get(report.summary.answerNodeId ?? '');
  assert.equal(answer.kind, 'answer');
  assert.equal(answer.status, 'selected');
  assert.equal(answer.score, 1);
  assert.deepEqual(run.graph.parentsOf(answer.id), [thoughts(4)[0].id]);

  // Requests: propose 1 + 2 + 2 (B1 repeats A1's prompt and is sampled again, as the reference does) + 2 final steps.
  assert.equal(kinds.filter((k) => k === 'propose').length, 5);
  assert.equal(kinds.filter((k) => k === 'final').length, 2);
  // Every value prompt went to the server exactly once, with n = evaluateSamples.
  const valueRequests = requests.filter((r) => classify(r.prompt) === 'value' || classify(r.prompt) === 'valueAnswer');
  const valuePrompts = valueRequests.map((r) => r.prompt);
  assert.equal(new Set(valuePrompts).size, valuePrompts.length, 'no value prompt was sent twice');
  assert.equal(valueRequests.length, 4 + 4 + 2 + 3);
  assert.ok(valueRequests.every((r) => r.body.n === 3));
  assert.equal(valueRequests.filter((r) => classify(r.prompt) === 'value' && lastInput(r.prompt) === '4 4 10').length, 1);
  assert.equal(valueRequests.filter((r) => classify(r.prompt) === 'value' && lastInput(r.prompt) === '4 6').length, 1);

  // Attribution: the propose call belongs to the parent state, the value call to the candidate.
  const question = nodes.find((n) => n.kind === 'question');
  assert.ok(question);
  assert.deepEqual(question.calls.map((c) => c.role), ['propose']);
  assert.deepEqual(thoughts(1)[0].calls.map((c) => c.role).sort(), ['propose', 'value']);
  assert.deepEqual(thoughts(1)[2].calls.map((c) => c.role), ['value']);
  assert.equal(run.graph.edges().filter((e) => e.kind === 'expand').length, 5 + 5 + 4 + 3);
  assert.equal(report.summary.totals.cachedCalls, 0);

  assertUsageAddsUp(run, report);
});

test('BFS ties follow proposal order: swapping B and C swaps the choice', async () => {
  const swapped: Script = { ...BASE, proposals: { ...BASE.proposals, '4 9 10 13': [A, C, B, A, E] } };
  const { report, thoughts } = await runTot({ breadth: 2, steps: 1 }, swapped);
  assert.equal(report.summary.outcome, 'done');
  assert.deepEqual(
    thoughts(1).map((n) => [n.text, n.status]),
    [
      [A, 'selected'],
      [C, 'selected'],
      [B, 'pruned'],
      [A, 'pruned'],
      [E, 'pruned'],
    ],
  );
  // Not at the end of the task: the answer is the best state's last step, which the judge rejects.
  assert.equal(report.summary.answer, A);
  assert.equal(game24Task.judge?.(INPUT, report.summary.answer ?? ''), false);
});

test('BFS with breadth 1 follows the single best state to a correct answer', async () => {
  const { report, thoughts, kinds, run } = await runTot({ breadth: 1 });
  assert.equal(report.summary.outcome, 'done');
  assert.deepEqual(thoughts(1).filter((n) => n.status === 'selected').map((n) => n.text), [A]);
  assert.deepEqual(thoughts(2).filter((n) => n.status === 'selected').map((n) => n.text), ['10 - 4 = 6 (left: 4 6)']);
  assert.equal(report.summary.answer, '(13 - 9) * (10 - 4)');
  assert.deepEqual(report.candidates, ['(13 - 9) * (10 - 4)']);
  assert.equal(kinds.filter((k) => k === 'propose' || k === 'final').length, 4);
  assertUsageAddsUp(run, report);
});

test('vote evaluation: one vote node per step, scores are vote counts', async () => {
  const voting: Script = {
    ...BASE,
    vote: (choices) => {
      // Two votes for the choice holding B1 if there is one, else for the one holding B; one for choice 1.
      const preferred = choices.findIndex((c) => c.includes(B) && !c.includes('(left: 13 15)')) + 1;
      const target = choices.findIndex((c) => c.includes('13 - 9 = 4 (left: 4 6)')) + 1 || preferred;
      return [`Choice ${target} looks best.\nThe best choice is ${target}`, `The best choice is ${target}`, 'The best choice is 1'];
    },
  };
  const { report, thoughts, run, kinds, nodes, requests } = await runTot({ evaluate: 'vote', breadth: 1, steps: 2 }, voting);
  assert.equal(report.summary.outcome, 'done', report.summary.message);
  assert.ok(!kinds.includes('value') && !kinds.includes('valueAnswer'));
  const votes = nodes.filter((n) => n.kind === 'vote');
  assert.equal(votes.length, 2);
  for (const v of votes) assert.deepEqual(v.calls.map((c) => c.role), ['vote']);
  assert.ok(requests.filter((r) => classify(r.prompt) === 'vote').every((r) => r.body.n === 3));

  // Step 1: five candidates (the duplicate is kept: votes do not dedupe); B gets 2 votes, A 1.
  assert.deepEqual(brief(thoughts(1)), [
    { text: A, status: 'pruned', score: 1 },
    { text: B, status: 'selected', score: 2 },
    { text: C, status: 'pruned', score: 0 },
    { text: A, status: 'pruned', score: 0 },
    { text: E, status: 'pruned', score: 0 },
  ]);
  const edgesToVote1 = run.graph.edges().filter((e) => e.to === votes[0].id);
  assert.deepEqual(edgesToVote1.map((e) => [e.from, e.kind]), thoughts(1).map((n) => [n.id, 'evaluate']));
  // Step 2: B's children; B1 is choice 1, so it gets all three votes.
  assert.deepEqual(brief(thoughts(2)), [
    { text: '13 - 9 = 4 (left: 4 6)', status: 'selected', score: 3 },
    { text: '6 + 9 = 15 (left: 13 15)', status: 'pruned', score: 0 },
  ]);
  assert.deepEqual(run.graph.edges().filter((e) => e.to === votes[1].id).map((e) => e.from), thoughts(2).map((n) => n.id));
  assert.equal(report.summary.answer, '13 - 9 = 4 (left: 4 6)');
  assertUsageAddsUp(run, report);
});

test('DFS explores the best child first, prunes below the threshold and backtracks', async () => {
  const dfsScript: Script = {
    ...BASE,
    proposals: {
      '4 9 10 13': [E, B, C, A],
      '4 4 10': ['4 + 4 = 8 (left: 8 10)', '4 * 10 = 40 (left: 4 40)'],
      '6 9 13': ['6 + 9 = 15 (left: 13 15)', '13 - 9 = 4 (left: 4 6)'],
      '4 6': ['6 - 4 = 2 (left: 2)', '4 * 6 = 24 (left: 24)'],
    },
  };
  const { report, thoughts, kinds, requests, run } = await runTot({ search: 'dfs', breadth: 2 }, dfsScript);
  assert.equal(report.summary.outcome, 'done', report.summary.message);
  // Order of exploration: A (60) first, a dead end (both children impossible); then B (3).
  // C (3) is beyond breadth 2 and E (0.003) is below the threshold: neither is expanded.
  assert.deepEqual(brief(thoughts(1)), [
    { text: E, status: 'pruned', score: 0.003 },
    { text: B, status: 'selected', score: 3 },
    { text: C, status: 'pruned', score: 3 },
    { text: A, status: 'pruned', score: 60 },
  ]);
  const proposedFrom = requests.filter((r) => classify(r.prompt) === 'propose').map((r) => lastInput(r.prompt));
  assert.deepEqual(proposedFrom, ['4 9 10 13', '4 4 10', '6 9 13', '4 6']);
  assert.deepEqual(brief(thoughts(2)), [
    { text: '4 + 4 = 8 (left: 8 10)', status: 'pruned', score: 0.003 },
    { text: '4 * 10 = 40 (left: 4 40)', status: 'pruned', score: 0.003 },
    { text: '6 + 9 = 15 (left: 13 15)', status: 'pruned', score: 0.003 },
    { text: '13 - 9 = 4 (left: 4 6)', status: 'selected', score: 60 },
  ]);
  assert.deepEqual(brief(thoughts(3)), [
    { text: '6 - 4 = 2 (left: 2)', status: 'pruned', score: 0.003 },
    { text: '4 * 6 = 24 (left: 24)', status: 'selected', score: 60 },
  ]);
  assert.deepEqual(brief(thoughts(4)), [
    { text: 'Answer: (10 + 4) + (13 - 9) = 24', status: 'pruned', score: 0.003 },
    { text: 'Answer: (10 - 4) * (13 - 9) = 24', status: 'selected', score: 60 },
  ]);
  assert.equal(kinds.filter((k) => k === 'final').length, 1);
  assert.equal(report.summary.answer, '(10 - 4) * (13 - 9)');
  assert.equal(game24Task.judge?.(INPUT, report.summary.answer ?? ''), true);
  assert.equal(run.graph.get(report.summary.answerNodeId ?? '').score, 1);
  assertUsageAddsUp(run, report);
});

test('DFS with a higher threshold prunes "likely" states too', async () => {
  const dfsScript: Script = { ...BASE, proposals: { ...BASE.proposals, '4 4 10': ['4 + 4 = 8 (left: 8 10)'] } };
  const { report, thoughts, requests } = await runTot({ search: 'dfs', breadth: 5, pruneThreshold: 10 }, dfsScript);
  assert.equal(report.summary.outcome, 'done');
  // Only A (60) passes; its one child is impossible, so the search ends without a solution.
  assert.deepEqual(thoughts(1).map((n) => n.status), ['pruned', 'pruned', 'pruned', 'pruned', 'pruned']);
  assert.deepEqual(
    requests.filter((r) => classify(r.prompt) === 'propose').map((r) => lastInput(r.prompt)),
    ['4 9 10 13', '4 4 10'],
  );
  // Fallback answer: the deepest, best state seen, which is not a solution.
  assert.equal(report.summary.answer, '4 + 4 = 8 (left: 8 10)');
  assert.equal(game24Task.judge?.(INPUT, report.summary.answer ?? ''), false);
});

test('sampled selection draws in proportion to score, with replacement', async () => {
  // Step-1 scores are [60, 3, 3, 0, 0.003] (total 66.003).
  const draws = [0.95, 0.5]; // 62.7 falls in B's slice (60..63), 33 in A's
  let calls = 0;
  const technique = createTotTechnique({ random: () => draws[calls++] });
  const first = await runTot({ select: 'sample', breadth: 2, steps: 1 }, BASE, technique);
  assert.equal(calls, 2);
  assert.deepEqual(first.thoughts(1).map((n) => n.status), ['selected', 'selected', 'pruned', 'pruned', 'pruned']);
  assert.equal(first.report.summary.answer, A, 'the best of the chosen states answers');
  assert.deepEqual(first.report.candidates, [B, A]);

  let calls2 = 0;
  const same = createTotTechnique({ random: () => [0.1, 0.2][calls2++] });
  const second = await runTot({ select: 'sample', breadth: 2, steps: 1 }, BASE, same);
  assert.deepEqual(second.thoughts(1).map((n) => n.status), ['selected', 'pruned', 'pruned', 'pruned', 'pruned']);
  assert.deepEqual(second.report.candidates, [A, A]);

  // A zero-score duplicate is never drawn; with a seeded generator, runs repeat.
  const seeded = async () => (await runTot({ select: 'sample', breadth: 5, steps: 1 }, BASE, createTotTechnique({ random: seededRandom(7) }))).report.candidates;
  const c1 = await seeded();
  assert.deepEqual(await seeded(), c1);
  assert.equal(c1?.length, 5);
});

test('sample generation asks for generateSamples continuations per state', async () => {
  // Five samples: one repeats an earlier step line first (skipped), one is empty (dropped), B comes twice.
  const sampling: Script = { ...BASE, samples: [`${A}`, B, '', `${B}\n${C}`, C] };
  const { report, thoughts, requests } = await runTot({ generate: 'sample', generateSamples: 5, breadth: 2, steps: 1 }, sampling);
  assert.equal(report.summary.outcome, 'done');
  const sampleRequests = requests.filter((r) => classify(r.prompt) === 'sample');
  assert.equal(sampleRequests.length, 1);
  assert.equal(sampleRequests[0].body.n, 5);
  assert.equal(lastInput(sampleRequests[0].prompt), INPUT);
  // The second B is a duplicate state in this step, so it scores 0 without a value call.
  assert.deepEqual(brief(thoughts(1)), [
    { text: A, status: 'selected', score: 60 },
    { text: B, status: 'selected', score: 3 },
    { text: B, status: 'pruned', score: 0 },
    { text: C, status: 'pruned', score: 3 },
  ]);
  assert.equal(thoughts(1)[2].calls.length, 0);

  // `samples` is an alias: the larger of the two applies.
  const alias = await runTot({ generate: 'sample', samples: 3, breadth: 1, steps: 1 }, sampling);
  assert.equal(alias.requests.filter((r) => classify(r.prompt) === 'sample')[0].body.n, 3);
});

test('a state kept twice by sampled selection gets fresh samples each time', async () => {
  const A1 = '10 - 4 = 6 (left: 4 6)';
  const sampling: Script = { ...BASE, samples: [A, A1] };
  // Step 1: A and A1 both score 60; draws 0.1 and 0.2 both land on A, so A is kept twice.
  const draws = [0.1, 0.2, 0.1, 0.2];
  let i = 0;
  const technique = createTotTechnique({ random: () => draws[i++] });
  const { report, thoughts, requests } = await runTot({ generate: 'sample', generateSamples: 2, select: 'sample', breadth: 2, steps: 2 }, sampling, technique);
  assert.equal(report.summary.outcome, 'done', report.summary.message);
  assert.deepEqual(thoughts(1).map((n) => [n.text, n.status]), [
    [A, 'selected'],
    [A1, 'pruned'],
  ]);
  // Both copies of A were sampled from the server (not collapsed by the run cache).
  const step2 = requests.filter((r) => classify(r.prompt) === 'sample' && r.prompt.includes(`Steps:\n${A}\n`));
  assert.equal(step2.length, 2);
  assert.equal(report.summary.totals.cachedCalls, 0);
  // Each copy yields A1 after A (A itself repeats the last step and is skipped); the second is a duplicate.
  assert.deepEqual(thoughts(2).map((n) => [n.text, n.score]), [
    [A1, 60],
    [A1, 0],
  ]);
});

test('bad parameters are rejected before anything is sent', async () => {
  await assert.rejects(runTot({ search: 'astar' }), /search/);
  await assert.rejects(runTot({ breadth: 0 }), /breadth/);
  assert.equal(server.requests.length, 0);
});
