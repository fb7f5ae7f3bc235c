// The GoT paper's measure in evaluations: the shipped datasets (data/got/, the reference's files), the
// error-count scorers, the document-merging score, `thoughtscope eval --task got-…` and the report of
// errors against cost that the paper's figure shows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summaryText } from '../../src/cli/evalCommand';
import { loadDataset, loadDatasetRange } from '../../src/core/eval/dataset';
import { evaluate } from '../../src/core/eval/evaluate';
import { keywordErrors } from '../../src/core/eval/gotScorers';
import { findScorer } from '../../src/core/eval/scorers';
import type { EvalResults } from '../../src/core/eval/types';
import { buildReport, reportMarkdown } from '../../src/core/report/pareto';
import { genericTask } from '../../src/core/tasks/generic';
import { gotTechnique } from '../../src/core/techniques/got';
import { COUNTRIES, countKeywords } from '../../src/core/techniques/got/functions';
import { startFakeServer, type FakeHandler, type FakeServer } from '../support/fakeOpenAI';
import { listsOf, scripted, sortingModel } from '../support/gotModels';
import { modelAt } from '../support/runHelpers';

const ROOT = join(__dirname, '..', '..');
const DATA = join(ROOT, 'data', 'got');
const CLI = join(ROOT, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-evalgot-'));
const ascending = (list: readonly number[]) => [...list].sort((a, b) => a - b);

let server: FakeServer;
let handler: FakeHandler = () => ({ status: 400 });
before(async () => {
  server = await startFakeServer((req) => handler(req));
});
after(() => server.close());

describe('the GoT datasets shipped in data/got', () => {
  it('hold the reference files, read in their own CSV forms', () => {
    for (const size of ['032', '064', '128']) {
      const sorting = loadDataset(join(DATA, `sorting_${size}.csv`), true);
      assert.equal(sorting.length, 100);
      for (const item of sorting) {
        const [list] = listsOf(item.input);
        assert.equal(list.length, Number(size));
        assert.deepEqual(listsOf(item.expected!)[0], ascending(list));
      }
      const sets = loadDataset(join(DATA, `set_intersection_${size}.csv`), true);
      assert.equal(sets.length, 100);
      for (const item of sets) {
        const [first, second] = listsOf(item.input);
        assert.equal(second.length, Number(size));
        assert.deepEqual(listsOf(item.expected!)[0], ascending(first.filter((x) => second.includes(x))));
      }
    }
    const documents = loadDataset(join(DATA, 'documents.csv'), false);
    assert.equal(documents.length, 100);
    assert.ok(documents.every((d) => d.input.split('\n---\n').length === 4));
    for (const name of ['README.md', 'LICENSE']) assert.ok(existsSync(join(DATA, name)), name);
    assert.match(readFileSync(join(DATA, 'LICENSE'), 'utf8'), /Copyright \(c\) 2023 ETH Zurich/);
  });

  it("keyword counting: Thoughtscope's country count agrees with the dataset's label on every row", () => {
    const items = loadDataset(join(DATA, 'countries.csv'), true);
    assert.equal(items.length, 100);
    for (const item of items) {
      const truth = Object.fromEntries(countKeywords(COUNTRIES, item.input));
      assert.deepEqual(truth, JSON.parse(item.expected!), `row ${item.index}`);
      assert.equal(keywordErrors(item, `Output: ${item.expected}`), 0);
    }
    const [first] = items;
    const wrong = JSON.parse(first.expected!) as Record<string, number>;
    const [name] = Object.keys(wrong);
    assert.equal(keywordErrors(first, JSON.stringify({ ...wrong, [name]: wrong[name] + 2, Atlantis: 1 })), 3);
  });
});

async function evaluateGot(scorerId: string, approach: string, items: ReturnType<typeof loadDataset>, model: FakeHandler): Promise<EvalResults> {
  handler = model;
  return evaluate({ technique: gotTechnique, task: genericTask, scorer: findScorer(scorerId)!, items, model: modelAt(server.baseUrl), params: { approach }, concurrency: 2 });
}

describe('eval --task got-sorting: the error count per item', () => {
  const items = loadDatasetRange(join(DATA, 'sorting_032.csv'), false, 0, 2);

  it('counts each answer\'s errors, summarises them as box-plot numbers, and reports them against cost', async () => {
    // IO drops the largest number of every list: one error per item. GoT gets them right.
    const io = await evaluateGot('got-sorting', 'io', items, sortingModel({ sort: (list) => [`[${ascending(list).slice(0, -1).join(', ')}]`] }));
    assert.deepEqual(io.items.map((i) => i.metric), [1, 1, 1]);
    assert.equal(io.summary.correct, 0);
    assert.deepEqual(io.summary.metric, { name: 'errors', better: 'lower', count: 3, mean: 1, median: 1, q1: 1, q3: 1, min: 1, max: 1 });
    assert.match(summaryText(io), /Errors per item \(lower is better\): median 1, mean 1, quartiles 1–1, range 1–1/);

    const got = await evaluateGot('got-sorting', 'got', items, sortingModel());
    assert.deepEqual(got.items.map((i) => i.metric), [0, 0, 0]);
    assert.equal(got.summary.correct, 3);
    assert.ok(got.summary.costUsd! > io.summary.costUsd!, 'the graph costs more than one answer');

    const report = buildReport([io, got]);
    assert.deepEqual(report.points.map((p) => [p.label, p.onMetricFrontier]), [
      ['got (io) · gpt-4o-mini', true],
      ['got (got) · gpt-4o-mini', true],
    ]);
    const md = reportMarkdown(report);
    assert.match(md, /## Errors against cost \(fewer is better\)/);
    assert.match(md, /\| got \(io\) · gpt-4o-mini \| 3 \| 1 \| 1–1 \| 1 \| 1–1 \| \$[\d.]+ \| yes \|/);
    assert.match(md, /got \(got\) · gpt-4o-mini {2}\[\|\s+\] {2}0 · \$/);
    assert.match(md, /got \(io\) · gpt-4o-mini {3}\[ +\| *\] {2}1 · \$/);
  });
});

describe('eval --task got-document-merging: the model scores each merged document', () => {
  it('asks 3 judgements on the item\'s run and records the harmonic mean of their means', async () => {
    const items = loadDatasetRange(join(DATA, 'documents.csv'), false, 0, 0);
    const model = scripted([
      [/^Merge the 4 documents below/, { choices: ['one merged agreement'] }],
      [/^Rate the merged document/, { choices: ['Redundancy: 9\nRetained: 3', 'Redundancy: 9\nRetained: 5', 'Retained: 7'] }],
    ]);
    const start = server.requests.length;
    const results = await evaluateGot('got-document-merging', 'io', items, model);
    // io: merge, score in the graph (n=3), the evaluation's judgement (n=3).
    assert.deepEqual(server.requests.slice(start).map((r) => r.body.n ?? 1), [1, 3, 3]);
    assert.equal(results.items[0].calls, 3, 'the judgement is counted in the item');
    // Means 9 and 5: harmonic mean 2 * 9 * 5 / 14.
    assert.ok(Math.abs(results.items[0].metric! - 90 / 14) < 1e-9);
    assert.equal(results.summary.metric?.name, 'score');
    assert.match(summaryText(results), /^got on 1 items \(got-document-merging, gpt-4o-mini\): 1 items scored\nScore per item \(higher is better\): median 6\.43/);
  });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('thoughtscope eval --task got-sorting and report: errors against cost', () => {
  it('runs the paper\'s methods on the shipped data and reports their errors against cost', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
    handler = sortingModel({ sort: (list) => [`[${ascending(list).slice(1).join(', ')}]`] });
    const common = ['--task', 'got-sorting', '--technique', 'got', '--size', '64', '--from', '0', '--to', '1', '--base-url', server.baseUrl, '--model', 'gpt-4o-mini'];
    const outs: string[] = [];
    for (const approach of ['io', 'tot', 'got']) {
      const out = join(dir, `${approach}.json`);
      const r = await cli(['eval', ...common, '--param', `approach=${approach}`, '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^got on data/got/sorting_064\\.csv rows 0-1 \\(got-sorting, gpt-4o-mini\\)`));
      assert.match(r.stdout, /Errors per item \(lower is better\): median/);
      outs.push(out);
    }
    const io = JSON.parse(readFileSync(outs[0], 'utf8')) as EvalResults;
    assert.deepEqual(io.items.map((i) => i.metric), [1, 1]);
    assert.equal(io.meta.params.preset, 'sorting', 'the preset follows the task');
    const report = await cli(['report', ...outs]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /## Errors against cost \(fewer is better\)/);
    for (const approach of ['io', 'tot', 'got']) assert.match(report.stdout, new RegExp(`got \\(${approach}\\) · gpt-4o-mini +\\[`));
  });

  it('refuses what the GoT tasks cannot run, with one line', async () => {
    const base = ['eval', '--task', 'got-sorting', '--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--out', join(dir, 'x.json')];
    const cases: Array<[string[], RegExp]> = [
      [['--technique', 'io'], /the got-sorting task runs the got technique \(its "approach" parameter picks the paper's method\), not io/],
      [['--technique', 'got', '--size', '48'], /--size must be one of 32, 64, 128, got 48/],
      [['--technique', 'got', '--param', 'preset=set-intersection'], /the got-sorting task needs the got parameter preset=sorting, got preset=set-intersection/],
      [['--technique', 'got', '--from', '0', '--to', '100'], /has 100 items \(rows 0-99\); row 100 does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...base, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
