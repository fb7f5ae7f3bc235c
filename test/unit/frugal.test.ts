// FrugalGPT with scripted cheap and expensive models on two loopback servers: accepted cheap answers
// cost only the cheap price, unsure ones escalate, a named judge can score (never the active model by
// default), scoring cost is shown apart, a saved cascade profile plans the run, and calibration on a
// small labelled file picks the expected thresholds, searches the order, honours a budget and reports
// on held-out items.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { ParamError } from '../../src/core/techniques/params';
import { loadDataset } from '../../src/core/eval/dataset';
import { Run, type RunProfile } from '../../src/core/run/run';
import { genericTask } from '../../src/core/tasks/generic';
import { frugalTechnique } from '../../src/core/techniques/frugal';
import { calibrateCascade, chainsUpTo, chooseThresholds, isCorrect, NEVER, splitItems, type CalibrationPlan } from '../../src/core/techniques/frugal/calibrate';
import { loadTask } from '../../src/core/tasks/registry';
import { closingServers, type FakeHandler } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';

const server = closingServers();
const retry = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };
// Prices per million tokens: cheap $1 in / $2 out, expensive $30 in / $60 out.
const CHEAP = { input: 1, output: 2 };
const EXPENSIVE = { input: 30, output: 60 };
const USAGE = { prompt_tokens: 1000, completion_tokens: 100 };

async function cascade(cheapHandler: FakeHandler, expensiveHandler: FakeHandler = () => ({ choices: ['Answer: 4'], usage: USAGE }), judgeHandler?: FakeHandler) {
  const cheap = await server(cheapHandler);
  const expensive = await server(expensiveHandler);
  const judge = judgeHandler ? await server(judgeHandler) : undefined;
  const profiles: RunProfile[] = [
    { name: 'cheap', model: modelAt(cheap.baseUrl, { model: 'cheap-model' }), price: CHEAP },
    { name: 'expensive', model: modelAt(expensive.baseUrl, { model: 'big-model' }), price: EXPENSIVE },
    { name: 'saved', cascade: { stages: ['cheap', 'expensive'], thresholds: [0.9], scorer: 'agreement', samples: 2 } },
    ...(judge ? [{ name: 'judge', model: modelAt(judge.baseUrl, { model: 'judge-model' }), price: { input: 0, output: 0 } }] : []),
  ];
  const run = new Run({ model: profiles[0].model!, profiles, retry, concurrency: 4 });
  return { run, cheap, expensive, judge };
}

const costOf = (price: { input: number; output: number }, prompt: number, completion: number) => (prompt * price.input + completion * price.output) / 1e6;

describe('FrugalGPT cascade', () => {
  it('an accepted cheap answer costs only the cheap price; the expensive model is never asked', async () => {
    const { run, cheap, expensive } = await cascade(() => ({ choices: ['Answer: 4'], usage: { prompt_tokens: 1000, completion_tokens: 300 } }));
    const report = await runTechnique({ technique: frugalTechnique, task: genericTask, input: '2+2?', params: { stages: 'cheap,expensive', samples: 3, threshold: 0.6 }, run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, '4');
    assert.equal(cheap.requests.length, 1);
    assert.equal(cheap.requests[0].body.n, 3);
    assert.equal(expensive.requests.length, 0);
    assert.ok(Math.abs((report.summary.totals.costUsd ?? -1) - costOf(CHEAP, 1000, 300)) < 1e-12);
    const summary = run.graph.nodes().find((n) => n.meta?.answeredBy && n.kind === 'evaluation')!;
    assert.match(summary.text, /^Stage 1 of 2 \(cheap\) answered\. Spent \$0\.0016 vs ~\$0\.0360 always asking expensive \(96% less\)/);
    // Scoring apart from answering: one answer (1000 prompt + 100 completion tokens) is $0.0012; the two extra samples $0.0004.
    assert.match(summary.text, /Answering \$0\.0012, scoring \$0\.00040 \(agreement\)\.$/);
    assert.ok(Math.abs((summary.meta!.scoringUsd as number) - costOf(CHEAP, 0, 200)) < 1e-12);
    // Baseline: the same request (1000 prompt tokens) with one answer (300 / 3 = 100 tokens) at the expensive price.
    assert.ok(Math.abs((summary.meta!.lastOnlyUsd as number) - costOf(EXPENSIVE, 1000, 100)) < 1e-12);
    assert.equal(report.summary.confidence, 1);
  });

  it('an unsure cheap stage escalates; the expensive answer is taken and both are paid', async () => {
    const { run, cheap, expensive } = await cascade(() => ({ choices: ['Answer: 3', 'Answer: 5', 'Answer: 4'], usage: USAGE }));
    const report = await runTechnique({ technique: frugalTechnique, task: genericTask, input: '2+2?', params: { stages: 'cheap,expensive', samples: 3, threshold: 0.6 }, run });
    assert.equal(report.summary.answer, '4');
    assert.equal(cheap.requests.length, 1);
    assert.equal(expensive.requests.length, 1);
    assert.equal(expensive.requests[0].body.n, undefined, 'the last stage answers once, unscored');
    assert.ok(Math.abs((report.summary.totals.costUsd ?? -1) - (costOf(CHEAP, 1000, 100) + costOf(EXPENSIVE, 1000, 100))) < 1e-12);
    const stages = run.graph.nodes().filter((n) => n.meta?.stage !== undefined && n.kind === 'thought');
    assert.deepEqual(stages.map((n) => n.status), ['pruned', 'selected']);
    assert.match(run.graph.nodes().find((n) => n.meta?.answeredBy && n.kind === 'evaluation')!.text, /^Stage 2 of 2 \(expensive\) answered/);
  });

  it('a judge model’s score decides acceptance against the threshold', async () => {
    let verdict = 'Score: 9';
    const { run, expensive, judge } = await cascade(() => ({ choices: ['Answer: 4'], usage: USAGE }), undefined, () => ({ choices: [verdict] }));
    const params = { stages: 'cheap,expensive', scorer: 'judge', judge: 'judge', thresholds: '0.8' };
    const accepted = await runTechnique({ technique: frugalTechnique, task: genericTask, input: 'q1', params, run });
    assert.equal(accepted.summary.confidence, 0.9);
    assert.equal(expensive.requests.length, 0);
    assert.match(judge!.requests[0].prompt, /Its final answer: 4/);
    verdict = 'Score: 3';
    const second = await cascade(() => ({ choices: ['Answer: 4'], usage: USAGE }), undefined, () => ({ choices: [verdict] }));
    await runTechnique({ technique: frugalTechnique, task: genericTask, input: 'q1', params, run: second.run });
    assert.equal(second.expensive.requests.length, 1);
  });

  it('a saved cascade profile brings its stages, thresholds and samples', async () => {
    const { run, cheap, expensive } = await cascade(() => ({ choices: ['Answer: 4', 'Answer: 5'], usage: USAGE }));
    await runTechnique({ technique: frugalTechnique, task: genericTask, input: 'q', params: { stages: 'saved' }, run });
    assert.equal(cheap.requests[0].body.n, 2);
    assert.equal(expensive.requests.length, 1, 'half agreement is below the saved threshold 0.9');
  });

  it('bad stages, thresholds or judge are parameter errors, found before any call', async () => {
    const { run, cheap } = await cascade(() => ({ choices: ['Answer: 4'] }));
    const rejected = (params: Record<string, unknown>, pattern: RegExp) =>
      assert.rejects(runTechnique({ technique: frugalTechnique, task: genericTask, input: 'q', params, run }), (err: Error) => err instanceof ParamError && pattern.test(err.message));
    await rejected({ stages: 'cheap,huge' }, /parameter "stages": no model profile named "huge"; known profiles: cheap, expensive, saved/);
    await rejected({ stages: 'cheap,expensive', thresholds: '0.5,0.5' }, /"thresholds" needs 1 value \(one per stage but the last\), got 2/);
    await rejected({ stages: 'cheap,expensive', judge: 'oracle' }, /parameter "judge": no model profile named "oracle"/);
    // The judge rates every answer: it is never silently the active (possibly expensive) model.
    await rejected({ stages: 'cheap,expensive', scorer: 'judge' }, /parameter "judge" is empty: scorer=judge needs a judge profile, a cheap one/);
    assert.equal(cheap.requests.length, 0);
    assert.equal(run.graph.nodes().length, 0, 'nothing was started');
  });
});

describe('FrugalGPT calibration', () => {
  it('judges an answer with the task file\'s own scorer when it decides on the spot, else by equal text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-frugal-task-'));
    writeFileSync(join(dir, 'approx.task.yaml'), 'id: approx\ndescription: d\nscorer:\n  type: numeric\n  tolerance: 0.1\n');
    const approx = loadTask(join(dir, 'approx.task.yaml'), '')!;
    const item = { input: 'About how much?', expected: '15' };
    assert.equal(isCorrect(approx, item, 'Roughly 15.5 units'), true, 'within the file\'s 10% tolerance');
    assert.equal(isCorrect(approx, item, '17'), false);
    assert.equal(isCorrect(genericTask, item, 'Roughly 15.5 units'), false, 'the generic task compares the text');
    assert.equal(isCorrect(genericTask, item, '15'), true);
  });

  // Four labelled questions. The cheap model (3 samples): q1 all right (score 1), q2 two of three right
  // (2/3), q3 two of three agree on a wrong answer (2/3), q4 scattered (1/3). The expensive model is always right.
  const cheapScript: Record<string, string[]> = {
    q1: ['Answer: 10', 'Answer: 10', 'Answer: 10'],
    q2: ['Answer: 20', 'Answer: 20', 'Answer: 21'],
    q3: ['Answer: 99', 'Answer: 99', 'Answer: 30'],
    q4: ['Answer: 1', 'Answer: 2', 'Answer: 3'],
  };
  const expected: Record<string, string> = { q1: '10', q2: '20', q3: '30', q4: '40' };
  const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-frugal-'));
  const data = join(dir, 'labelled.jsonl');
  writeFileSync(data, Object.entries(expected).map(([q, a]) => JSON.stringify({ input: `question ${q}`, expected: a })).join('\n') + '\n');
  const idOf = (prompt: string) => /question (q\d)/.exec(prompt)![1];

  async function calibrateWith(tolerance: number, plan: Partial<CalibrationPlan> = {}, names = ['cheap', 'expensive'], file = data) {
    const { run, cheap, expensive } = await cascade(
      (req) => ({ choices: cheapScript[idOf(req.prompt)], usage: USAGE }),
      (req) => ({ choices: [`Answer: ${expected[idOf(req.prompt)]}`], usage: USAGE }),
    );
    const items = loadDataset(file, true);
    const stages = names.map((name) => ({ name, model: run.modelNamed(name) }));
    const result = await calibrateCascade(run, () => genericTask, items, { stages, scorer: 'agreement', samples: 3, temperature: 0.7, tolerance, maxLength: 0, testShare: 0, seed: 0, ...plan });
    return { result, cheap, expensive, items };
  }

  it('with no tolerance, accepts only unanimous cheap answers (accuracy of the best single model)', async () => {
    const { result, cheap, expensive } = await calibrateWith(0);
    assert.equal(cheap.requests.length, 4);
    assert.equal(expensive.requests.length, 4, 'calibration asks every stage on every item');
    assert.deepEqual(result.singles.map((s) => s.accuracy), [0.5, 1]);
    assert.equal(result.bestSingle, 1);
    assert.deepEqual(result.best.thresholds, [1]);
    assert.equal(result.best.accuracy, 1);
    assert.deepEqual(result.best.answeredBy, [1, 3]);
    assert.ok(Math.abs(result.best.costUsd - (4 * costOf(CHEAP, 1000, 100) + 3 * costOf(EXPENSIVE, 1000, 100))) < 1e-12);
  });

  it('with a 25-point tolerance, trusts two-of-three agreement to save more', async () => {
    const { result } = await calibrateWith(0.25);
    assert.ok(Math.abs(result.best.thresholds[0] - 2 / 3) < 1e-12, String(result.best.thresholds));
    assert.equal(result.best.accuracy, 0.75);
    assert.deepEqual(result.best.answeredBy, [3, 1]);
  });

  it('searches which profiles to chain and in what order (the candidates given expensive first)', async () => {
    const { result } = await calibrateWith(0, { maxLength: 2 }, ['expensive', 'cheap']);
    assert.deepEqual(result.best.chain, [1, 0], 'cheap first, then expensive');
    assert.deepEqual(result.best.thresholds, [1]);
    assert.equal(result.best.accuracy, 1);
    assert.deepEqual(chainsUpTo(3, 2).map((c) => c.join('')), ['0', '01', '02', '1', '10', '12', '2', '20', '21']);
  });

  it('with a budget, takes the most accurate cascade whose mean cost per item fits (the paper\'s objective)', async () => {
    const cheapItem = costOf(CHEAP, 1000, 100);
    // Room for the cheap model on every item and the expensive one on one item in four.
    const { result } = await calibrateWith(0, { maxLength: 2, budgetUsd: cheapItem + costOf(EXPENSIVE, 1000, 100) / 4 }, ['expensive', 'cheap']);
    assert.deepEqual(result.best.chain, [1, 0]);
    assert.equal(result.best.accuracy, 0.75, 'escalating only the scattered q4');
    assert.ok(Math.abs(result.best.thresholds[0] - 2 / 3) < 1e-12);
    assert.ok(result.best.costUsd <= result.budgetUsd! * 4 + 1e-12);
  });

  it('fits on the training items and reports the cascade on the held-out ones', async () => {
    // Eight questions: q1..q4 twice over (as q5..q8 with the same scripts).
    const many = join(dir, 'many.jsonl');
    const lines = [];
    for (let k = 1; k <= 8; k++) lines.push(JSON.stringify({ input: `question q${((k - 1) % 4) + 1} (copy ${k})`, expected: expected[`q${((k - 1) % 4) + 1}`] }));
    writeFileSync(many, `${lines.join('\n')}\n`);
    const { result, items } = await calibrateWith(0, { testShare: 0.5, seed: 3 }, ['cheap', 'expensive'], many);
    const { train, test } = splitItems(items, 0.5, 3);
    assert.equal(result.items, 4);
    assert.equal(result.test?.items, 4);
    assert.deepEqual([...train, ...test].map((i) => i.input).sort(), items.map((i) => i.input).sort(), 'a partition of the items');
    // The held-out report counts only the test items: the cheap model alone is right on its q1 and q2 copies.
    const rightCheap = test.filter((i) => /q[12] /.test(i.input)).length;
    assert.equal(result.test!.singles[0].accuracy, rightCheap / 4);
    const trainRight = train.filter((i) => /q[12] /.test(i.input)).length;
    assert.equal(result.singles[0].accuracy, trainRight / 4);
    // Same seed, same split; another seed splits otherwise.
    assert.deepEqual(splitItems(items, 0.5, 3), { train, test });
    assert.notDeepEqual(splitItems(items, 0.5, 4).test, test);
  });

  it('the threshold search prefers the cheaper of equally accurate cascades', () => {
    const o = (score: number | undefined, correct: boolean, cost: number) => ({ answer: 'x', score, costUsd: cost, answerCostUsd: cost, correct, priced: true });
    const observations = [
      [o(0.9, true, 1), o(undefined, true, 10)],
      [o(0.2, false, 1), o(undefined, true, 10)],
    ];
    const r = chooseThresholds(observations, 0);
    assert.deepEqual(r.best.thresholds, [0.9]);
    assert.equal(r.best.costUsd, 12);
    const strict = chooseThresholds([[o(0.9, false, 1), o(undefined, true, 10)]], 0);
    assert.deepEqual(strict.best.thresholds, [NEVER]);
  });
});
