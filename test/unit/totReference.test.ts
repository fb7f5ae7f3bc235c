// ToT as the authors' code runs it (princeton-nlp/tree-of-thought-llm: methods/bfs.py, tasks/game24.py),
// point by point against a scripted model, and each difference Thoughtscope offers turned back on by its
// parameter: every proposal line is a state, verdicts and votes are read as the reference reads them,
// the value cache can span an evaluation, the authors' final pick is reported beside the top-valued
// state, and a repeated propose request is sampled again instead of being served from the run cache.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { summaryText } from '../../src/cli/evalCommand';
import { runTechnique } from '../../src/core/engine';
import { evaluate } from '../../src/core/eval/evaluate';
import { findScorer } from '../../src/core/eval/scorers';
import { game24Task } from '../../src/core/tasks/game24';
import { totTechnique } from '../../src/core/techniques/tot';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { A, B, BASE, C, INPUT, classify, handlerFor, lastInput, type Script } from '../support/totScript';
import { modelAt, runAt } from '../support/runHelpers';

let server: FakeServer;
let script: Script = BASE;
before(async () => {
  server = await startFakeServer((req) => handlerFor(script)(req));
});
after(() => server.close());

async function runTot(params: Record<string, unknown>, s: Script) {
  script = s;
  const start = server.requests.length;
  const run = runAt(server.baseUrl, { concurrency: 8 });
  const report = await runTechnique({ technique: totTechnique, task: game24Task, input: INPUT, params, run });
  assert.equal(report.summary.outcome, 'done', report.summary.message);
  const step = (n: number) => run.graph.nodes().filter((node) => node.kind === 'thought' && node.meta?.step === n);
  const requests = server.requests.slice(start);
  return { report, run, step, requests, valuedInputs: requests.filter((r) => classify(r.prompt) === 'value').map((r) => lastInput(r.prompt)) };
}

const selected = (nodes: Array<{ text: string; status: string }>) => nodes.filter((n) => n.status === 'selected').map((n) => n.text);

describe('ToT proposals: every line is a state (parsing=reference)', () => {
  const approx = '13 / 4 ≈ 3.25 (left: 3.25 9 10)';
  const numbered = `1. ${B}`;
  const s: Script = { ...BASE, proposals: { ...BASE.proposals, [INPUT]: [A, approx, numbered] }, values: { ...BASE.values, '4 4 10': 'likely', '3.25 9 10': 'sure' } };

  it('values an approximate step line and keeps it when it is the best', async () => {
    const { step, valuedInputs } = await runTot({ breadth: 1, steps: 1 }, s);
    assert.deepEqual(step(1).map((n) => [n.text, n.score]), [
      [A, 3],
      [approx, 60],
      [numbered, 3],
    ]);
    assert.deepEqual(selected(step(1)), [approx]);
    assert.ok(valuedInputs.includes('3.25 9 10'), 'the reference values the "≈" line');
  });

  it('parsing=lenient keeps only well-formed step lines', async () => {
    const { step, valuedInputs } = await runTot({ breadth: 1, steps: 1, parsing: 'lenient' }, s);
    assert.deepEqual(step(1).map((n) => n.text), [A, B]);
    assert.deepEqual(selected(step(1)), [A]);
    assert.ok(!valuedInputs.includes('3.25 9 10'));
  });
});

describe('ToT value verdicts: the exact last line (parsing=reference)', () => {
  // A's verdict is written "sure." and C's "Sure": the reference counts neither.
  const s: Script = { ...BASE, values: { ...BASE.values, '4 4 10': 'sure.', '6 9 13': 'likely', '10 13 13': 'Sure' }, proposals: { ...BASE.proposals, [INPUT]: [A, B, C] } };

  it('counts only a last line that is exactly sure, likely or impossible', async () => {
    const { step } = await runTot({ breadth: 1, steps: 1 }, s);
    assert.deepEqual(step(1).map((n) => n.score), [0, 3, 0]);
    assert.deepEqual(selected(step(1)), [B]);
  });

  it('parsing=lenient reads "sure." and "Sure" as sure', async () => {
    const { step } = await runTot({ breadth: 1, steps: 1, parsing: 'lenient' }, s);
    assert.deepEqual(step(1).map((n) => n.score), [60, 3, 60]);
    assert.deepEqual(selected(step(1)), [A]);
  });
});

describe('ToT votes: the last digit after "best choice is " (parsing=reference)', () => {
  const s: Script = { ...BASE, proposals: { ...BASE.proposals, [INPUT]: [A, B, C] }, vote: () => ['The best choice is 1, ahead of choice 3.'] };

  it('reads the vote as the authors\' greedy pattern does', async () => {
    const { step } = await runTot({ evaluate: 'vote', breadth: 1, steps: 1 }, s);
    assert.deepEqual(step(1).map((n) => n.score), [0, 0, 3]);
    assert.deepEqual(selected(step(1)), [C]);
  });

  it('parsing=lenient reads the first number after the phrase', async () => {
    const { step } = await runTot({ evaluate: 'vote', breadth: 1, steps: 1, parsing: 'lenient' }, s);
    assert.deepEqual(step(1).map((n) => n.score), [3, 0, 0]);
    assert.deepEqual(selected(step(1)), [A]);
  });
});

describe('ToT propose requests are sampled again for every kept state', () => {
  it('two kept states with the same numbers each get their own proposals', async () => {
    const X = '10 - 4 = 6 (left: 4 6)';
    const Y = '4 + 4 = 8 (left: 8 10)';
    // The root proposes A twice; both copies are kept (breadth 2), so "4 4 10" is proposed from twice.
    const s: Script = { ...BASE, proposals: { ...BASE.proposals, [INPUT]: [A, A] }, proposalTurns: { '4 4 10': [[X], [Y]] } };
    const { step, requests, report } = await runTot({ breadth: 2, steps: 2 }, s);
    assert.deepEqual(selected(step(1)), [A, A]);
    const proposeRequests = requests.filter((r) => classify(r.prompt) === 'propose' && lastInput(r.prompt) === '4 4 10');
    assert.equal(proposeRequests.length, 2, 'the reference calls the model once per kept state');
    assert.deepEqual(step(2).map((n) => n.text), [X, Y]);
    assert.equal(report.summary.totals.cachedCalls, 0);
  });
});

/** Two puzzles that both reach a state with 4 and 6 left. */
const TWO_PUZZLES: Script = {
  ...BASE,
  proposals: { ...BASE.proposals, [INPUT]: [A], '1 1 4 6': ['1 * 1 = 1 (left: 1 4 6)'], '1 4 6': ['4 * 1 = 4 (left: 4 6)'], '4 4 10': ['10 - 4 = 6 (left: 4 6)'] },
  values: { ...BASE.values, '1 4 6': 'sure' },
};

async function evaluateTot(params: Record<string, unknown>, items: Array<{ index: number; input: string }>, s: Script) {
  script = s;
  const start = server.requests.length;
  const results = await evaluate({ technique: totTechnique, task: game24Task, scorer: findScorer('game24')!, items, model: modelAt(server.baseUrl), params, concurrency: 1 });
  return { results, requests: server.requests.slice(start) };
}

describe('ToT value cache over a whole evaluation (valueCache=evaluation)', () => {
  const items = [
    { index: 0, input: INPUT },
    { index: 1, input: '1 1 4 6' },
  ];
  const valuesOf46 = (requests: typeof server.requests) => requests.filter((r) => classify(r.prompt) === 'value' && lastInput(r.prompt) === '4 6').length;

  it('values "4 6" once for both puzzles, as the reference\'s cache on the task does', async () => {
    const { requests, results } = await evaluateTot({ breadth: 1, steps: 2, valueCache: 'evaluation' }, items, TWO_PUZZLES);
    assert.equal(valuesOf46(requests), 1);
    assert.equal(results.items.length, 2);
  });

  it('valueCache=run (the default) values it once per puzzle', async () => {
    const { requests } = await evaluateTot({ breadth: 1, steps: 2 }, items, TWO_PUZZLES);
    assert.equal(valuesOf46(requests), 2);
  });
});

describe("ToT's final answer: the top-valued state, and the authors' pick beside it", () => {
  // The best-valued final state answers with only two of the numbers; the next one is a correct answer.
  const s: Script = {
    ...BASE,
    proposals: { ...BASE.proposals, [INPUT]: ['Answer: 4 * 6 = 24', 'Answer: (13 - 9) * (10 - 4) = 24'] },
    answers: { '4 * 6': 'sure', '(13 - 9) * (10 - 4)': 'likely' },
  };

  it('a run names the authors\' pick: the first final state whose Answer uses the puzzle\'s numbers', async () => {
    const { report, step } = await runTot({ breadth: 2, steps: 1 }, s);
    assert.equal(report.summary.answer, '4 * 6');
    assert.deepEqual(report.picks, { authors: '(13 - 9) * (10 - 4)' });
    assert.equal(step(1)[1].meta?.authorsPick, true);
  });

  it('an evaluation scores both and its summary names both', async () => {
    const { results } = await evaluateTot({ breadth: 2, steps: 1 }, [{ index: 0, input: INPUT }], s);
    assert.equal(results.summary.correct, 0, 'the top-valued state is wrong');
    assert.deepEqual(results.summary.picks, { authors: { correct: 1, accuracy: 1 } });
    assert.deepEqual(results.items[0].picks, { authors: { answer: '(13 - 9) * (10 - 4)', correct: true } });
    assert.match(summaryText(results), /top-valued state 0\/1 correct; the authors' pick \(first final state whose Answer uses the input numbers\) 1\/1/);
  });
});
