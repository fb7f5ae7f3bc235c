// GoT presets as the reference code runs them (spcl/graph-of-thoughts, examples/*/), point by point,
// against scripted models: response counts, keyword counting's validate-and-improve, document merging's
// carried-over best, combine prompt and score, sorting's improve step and the list it works against,
// error functions that read only the answer, and the paper's IO / CoT / ToT / ToT2 baselines.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { loadDataset } from '../../src/core/eval/dataset';
import { genericTask } from '../../src/core/tasks/generic';
import { gotTechnique } from '../../src/core/techniques/got';
import { setIntersectionErrors, sortErrors } from '../../src/core/techniques/got/functions';
import { presetGraph } from '../../src/core/techniques/got/presets';
import { startFakeServer, type FakeHandler, type FakeServer } from '../support/fakeOpenAI';
import { intersectionModel, listsOf, scripted, sortingModel } from '../support/gotModels';
import { runAt } from '../support/runHelpers';

const DATA = join(__dirname, '..', '..', 'data', 'got');

let server: FakeServer;
let handler: FakeHandler = () => ({ status: 400 });
before(async () => {
  server = await startFakeServer((req) => handler(req));
});
after(() => server.close());

async function runGot(input: string, params: Record<string, unknown>, model: FakeHandler) {
  handler = model;
  const start = server.requests.length;
  const run = runAt(server.baseUrl, { concurrency: 8 });
  const report = await runTechnique({ technique: gotTechnique, task: genericTask, input, params, run });
  assert.equal(report.summary.outcome, 'done', report.summary.message);
  const requests = server.requests.slice(start);
  const sent = (pattern: RegExp) => requests.filter((r) => pattern.test(r.prompt));
  const byOp = (op: string) => run.graph.nodes().filter((n) => n.meta?.operation === op);
  return { report, run, requests, sent, byOp };
}

const shuffled = (n: number) => Array.from({ length: n }, (_, i) => (i * 7 + 3) % 10);
const show = (list: readonly number[]) => `[${list.join(', ')}]`;
const IMPROVE = /^The second list below was meant to be/;

describe('GoT sorting, as the reference runs it', () => {
  it('after the last merge, scores and improves against the original list, not the split parts', async () => {
    // The split loses the 2: the parts' merge has no error against the parts, but one against the input.
    const input = '[5, 1, 4, 2, 8, 3, 7, 6]';
    const { report, sent, byOp } = await runGot(input, {}, sortingModel({ split: ([first, second]) => [first.filter((x) => x !== 2), second] }));
    assert.equal(byOp('merge 1')[0].score, 1, 'one number missing from the whole list');
    const improve = sent(IMPROVE);
    assert.equal(improve.length, 1);
    assert.match(improve[0].prompt, /\nList: \[5, 1, 4, 2, 8, 3, 7, 6\]\nWrongly sorted: \[1, 3, 4, 5, 6, 7, 8\]$/);
    // The improve step is not told what is wrong.
    assert.doesNotMatch(improve[0].prompt, /missing|out of order|extra|error/i);
    assert.equal(report.summary.answer, '[1, 2, 3, 4, 5, 6, 7, 8]');
  });

  it('intermediate improves take 5 responses and the last one 10 (64 and 128 elements)', async () => {
    for (const [size, intermediate] of [[64, 2], [128, 6]] as const) {
      const { sent, report } = await runGot(show(shuffled(size)), {}, sortingModel());
      assert.deepEqual(sent(IMPROVE).map((r) => r.body.n), [...Array(intermediate).fill(5), 10], `${size} elements`);
      assert.ok(sent(/^Merge the sorted lists/).every((r) => r.body.n === 10));
      assert.equal(report.summary.answer, show([...shuffled(size)].sort((a, b) => a - b)));
    }
  });

  it('an improve never makes the kept list worse: the merge it improves is scored beside its improvements', async () => {
    const { report, byOp } = await runGot('[5, 1, 4, 2, 8, 3, 7, 6]', {}, sortingModel({ improve: () => ['[1, 2, 3]'] }));
    assert.equal(byOp('improve 1').length, 10);
    assert.ok(byOp('improve 1').every((n) => n.status === 'pruned'));
    assert.equal(report.summary.answer, '[1, 2, 3, 4, 5, 6, 7, 8]');
  });

  it('error functions read only the answer list', async () => {
    // "Sorted 4 numbers: [...]" is a perfect answer; the 4 in the sentence is not an element.
    const { byOp } = await runGot('[5, 1, 4, 2, 8, 3, 7, 6]', {}, sortingModel({ sort: (list) => (list[0] === 5 ? ['Sorted 4 numbers: [1, 2, 4, 5]', '[1, 4, 2, 5]'] : [show([...list].sort((a, b) => a - b))]) }));
    const kept = byOp('solve 1').find((n) => n.status !== 'pruned')!;
    assert.equal(kept.text, '[1, 2, 4, 5]');
    assert.equal(kept.score, 0);
    assert.equal(sortErrors.errors('Here are the 16 numbers sorted:\n[1, 2]', '[2, 1]', ''), 0);
    assert.equal(sortErrors.errors('Steps:\n[2, 1]\nOutput: [1, 2]', '[2, 1]', ''), 0, 'the list after the last Output line');
    assert.equal(sortErrors.errors('no list here', '[2, 1]', ''), 300, "the reference's charge for an unreadable answer");
    assert.equal(sortErrors.errors('[]', '[2, 1]', ''), 300);
    const sets = '[1, 2, 3]\n[2, 3, 4]';
    assert.equal(setIntersectionErrors.errors('The 2 common ones: [2, 3]', sets, sets), 0);
    assert.equal(setIntersectionErrors.errors('none', sets, sets), 1000);
  });
});

describe('GoT set intersection merges with the reference response counts', () => {
  for (const [file, responses] of [['set_intersection_032.csv', 10], ['set_intersection_064.csv', 10], ['set_intersection_128.csv', 5]] as const) {
    it(`${file}: every merge asks for ${responses} responses`, async () => {
      const [item] = loadDataset(join(DATA, file), false);
      const { sent, report } = await runGot(item.input, { preset: 'set-intersection' }, intersectionModel());
      const merges = sent(/^Combine the lists below/);
      assert.ok(merges.length >= 1);
      assert.ok(merges.every((r) => r.body.n === responses), merges.map((r) => r.body.n).join(' '));
      assert.deepEqual([...(listsOf(report.summary.answer ?? '')[0] ?? [])].sort((a, b) => a - b), listsOf(item.expected ?? '')[0]);
    });
  }
});

describe('GoT keyword counting: 10 counts per passage, merges of 3, each merge validated and improved', () => {
  const COUNTRIES = ['Peru', 'Chile', 'Japan'];
  const text = 'Ana flew from Peru to Chile. In Chile she met a man from Peru. They sailed to Japan together. Japan and Peru stayed with them.';
  const count = (t: string) => Object.fromEntries(COUNTRIES.map((c) => [c, t.split(c).length - 1]).filter(([, n]) => (n as number) > 0));
  const objects = (t: string) => [...t.matchAll(/\{[^{}]*\}/g)].map((m) => JSON.parse(m[0]) as Record<string, number>);
  const add = (list: Array<Record<string, number>>) => {
    const sum: Record<string, number> = {};
    for (const o of list) for (const [k, v] of Object.entries(o)) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  };
  const model = scripted([
    [/^Split the text below into (\d+) passages/, () => ({ choices: [JSON.stringify(Object.fromEntries(text.split(/(?<=\.) /).map((p, i) => [`Passage ${i + 1}`, p])))] })],
    [/^Count how often/, (req) => ({ choices: [`Counting.\nOutput: ${JSON.stringify(count(req.prompt.slice(req.prompt.indexOf('Text:'))))}`] })],
    // Every merge leaves out the second part's counts: only the check after the merge can catch that.
    [/^Add up the JSON objects of counts/, (req) => ({ choices: [JSON.stringify(objects(req.prompt)[0])] })],
    [/^The JSON objects of counts in the parts below were added up/, (req) => ({ choices: [JSON.stringify(add(objects(req.prompt.slice(0, req.prompt.indexOf('Wrong sum:')))))] })],
  ]);

  it('finds the right counts although every merge is wrong', async () => {
    const { report, sent, byOp, run } = await runGot(text, { preset: 'keyword-counting' }, model);
    assert.deepEqual(sent(/^Count how often/).map((r) => r.body.n), [10, 10, 10, 10]);
    assert.deepEqual(sent(/^Add up the JSON objects/).map((r) => r.body.n), [3, 3, 3]);
    // Each of the 3 sums of each of the 3 merges is invalid and is corrected once.
    const fixes = sent(/^The JSON objects of counts in the parts below were added up/);
    assert.equal(fixes.length, 9);
    assert.match(fixes[0].prompt, /Part 1:\n\{"Peru":1,"Chile":1\}\n\nPart 2:\n\{"Peru":1,"Chile":1\}\n\nWrong sum:\n\{"Peru":1,"Chile":1\}$/);
    assert.equal(byOp('check merge 1').filter((n) => n.meta?.valid === true).length, 3);
    assert.deepEqual(JSON.parse(report.summary.answer ?? ''), { Peru: 3, Chile: 2, Japan: 2 });
    assert.equal(run.graph.get(report.summary.answerNodeId!).meta?.correct, true, 'the ground truth check agrees');
    // The last merge covers the whole text: it is scored against the input's counts, as the reference
    // scores a merge of three quarters of the text or more against the dataset's label.
    const merges = presetGraph('keyword-counting', text).operations.filter((o) => o.type === 'aggregate');
    assert.deepEqual(merges.map((o) => (o.type === 'aggregate' ? o.source : '')), ['parts', 'parts', 'input']);
  });
});

describe('GoT document merging', () => {
  const input = 'Doc A: the parties keep secrets.\n---\nDoc B: breaches cost a fee.';
  const rate = (doc: string) =>
    doc === 'merged one'
      ? ['Redundancy: 10\nRetained: 0', 'Redundancy: 0\nRetained: 10', 'Redundancy: 10\nRetained: 10']
      : doc === 'merged two' || doc === 'merged three'
        ? ['Redundancy: 5\nRetained: 5']
        : ['Redundancy: 1\nRetained: 2'];
  const model = scripted([
    [/^Merge the 2 documents below/, { choices: ['merged one', 'merged two', 'merged three', 'merged four', 'merged five'] }],
    [/^Rate the merged document/, (req) => ({ choices: rate(req.prompt.slice(req.prompt.indexOf('Merged document:\n') + 'Merged document:\n'.length)) })],
    [/^Each document in the parts below merges the original documents/, { choices: ['combined'] }],
    [/^Improve the merged document below/, { choices: ['improved'] }],
  ]);

  it('scores the harmonic mean of the mean redundancy and mean retention, keeps the best so far, and shows the originals when combining', async () => {
    const { report, sent, run } = await runGot(input, { preset: 'document-merging' }, model);
    const one = run.graph.nodes().find((n) => n.kind === 'thought' && n.text === 'merged one')!;
    // Means 6.67 and 6.67: harmonic mean 6.67 (the mean of the per-reply harmonic means would be 3.33).
    assert.ok(Math.abs(one.score! - 20 / 3) < 1e-9, String(one.score));
    const combine = sent(/^Each document in the parts below/);
    assert.equal(combine.length, 1);
    assert.match(combine[0].prompt, /Original documents:\nDoc A: the parties keep secrets\.\n---\nDoc B: breaches cost a fee\.$/);
    // Combining and improving only produced worse documents: the first merge is still the answer.
    assert.equal(report.summary.answer, 'merged one');
    assert.match(sent(/^Improve the merged document/)[0].prompt, /Merged document:\nmerged one$/);
  });
});

describe("GoT baselines as the reference writes them (approach=io|cot|tot|tot2)", () => {
  const cases: Array<[number, string, number[]]> = [
    [32, 'io', [1]],
    [32, 'cot', [1]],
    [32, 'tot', [20, 20]],
    [32, 'tot2', [10, 10, 10]],
    [64, 'tot', [20, 20, 20, 20]],
    [64, 'tot2', Array(7).fill(10)],
    [128, 'tot2', Array(10).fill(10)],
  ];
  for (const [size, approach, counts] of cases) {
    it(`sorting ${size} numbers, ${approach}: ${counts.length} request(s) of ${counts[0]}`, async () => {
      const list = shuffled(size);
      const { requests, report } = await runGot(show(list), { approach }, sortingModel());
      assert.deepEqual(requests.map((r) => r.body.n ?? 1), counts);
      if (approach === 'cot') assert.match(requests[0].prompt, /merge sort[\s\S]*"Output: \[a, b, c\]"/);
      if (counts.length > 1) assert.ok(requests.slice(1).every((r) => IMPROVE.test(r.prompt)), 'every later level improves the best so far');
      assert.equal(report.summary.answer, show([...list].sort((a, b) => a - b)));
    });
  }
});
