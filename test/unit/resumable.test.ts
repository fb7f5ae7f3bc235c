// Resuming an evaluation from its sidecar (<name>.source.json) and checkpoint: the sidecar's format and
// its one-line errors, finding evaluations with unfinished items in a folder, reloading their items,
// and a cancelled evaluation finished by a resume against the loopback server.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPuzzlesPath } from '../../src/cli/puzzlesPath';
import { openCheckpoint } from '../../src/core/eval/checkpoint';
import { loadGame24Range } from '../../src/core/eval/dataset';
import { evaluate } from '../../src/core/eval/evaluate';
import {
  evalPaths,
  explainRefusal,
  listResumable,
  loadSourceItems,
  planResume,
  readEvalSource,
  ResumeError,
  writeEvalSource,
  type EvalSourceRecord,
} from '../../src/core/eval/resumable';
import { findScorer } from '../../src/core/eval/scorers';
import { taskData } from '../../src/core/eval/evalTask';
import { findTask } from '../../src/core/tasks/registry';
import { summarize } from '../../src/core/eval/summary';
import type { EvalResults, EvalSetup, ItemResult } from '../../src/core/eval/types';
import { game24Task } from '../../src/core/tasks/game24';
import { TemplateLibrary } from '../../src/core/templates/library';
import { ioTechnique } from '../../src/core/techniques/io';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';
import { solve24 } from '../support/solve24';

const root = mkdtempSync(join(tmpdir(), 'thoughtscope-resume-'));
let folders = 0;
const freshDir = () => {
  const dir = join(root, `d${folders++}`);
  mkdirSync(dir);
  return dir;
};

const game24Record = (from: number, to: number): EvalSourceRecord => ({
  technique: 'io',
  scorer: 'game24',
  dataset: `24.csv rows ${from}-${to}`,
  source: { kind: 'game24', path: defaultPuzzlesPath(), from, to },
  total: to - from + 1,
});

/** A one-line ResumeError whose message names `file` and matches `problem`. */
function clearError(file: string, problem: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ResumeError, `a ResumeError, got ${String(err)}`);
    assert.ok(err.message.includes(file), `"${err.message}" names ${file}`);
    assert.match(err.message, problem);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  };
}

const item = (index: number, correct = true): ItemResult => ({
  index,
  input: `q${index}`,
  answer: 'a',
  correct,
  samples: [{ answer: 'a', correct }],
  calls: 1,
  promptTokens: 10,
  completionTokens: 2,
  costUsd: 0.001,
  wallMs: 5,
});

/** Items appended to a checkpoint by hand, then a torn line as a kill mid-write leaves it. */
function appendItems(path: string, items: ItemResult[]) {
  writeFileSync(path, `${readFileSync(path, 'utf8')}${items.map((i) => `${JSON.stringify(i)}\n`).join('')}{"index":9`);
}

/** An evaluation as the VS Code command leaves it: checkpoint (real format), results unless omitted, sidecar unless omitted. */
function leaveEvaluation(dir: string, name: string, opts: { finished: number[]; total: number; results?: boolean; sidecar?: boolean; stopped?: string }) {
  const paths = evalPaths(dir, name);
  const setup: EvalSetup = { technique: 'cot', task: 'exact', model: 'gpt-4o-mini', params: {}, dataset: 'qa.jsonl' };
  const checkpoint = openCheckpoint(paths.checkpoint, setup, false);
  const items = opts.finished.map((i) => item(i));
  for (const it of items) checkpoint.append(it);
  if (opts.results !== false) {
    const unfinished = opts.total - items.length;
    const results: EvalResults = {
      meta: { ...setup, requested: opts.total, unfinished, resumed: 0, elapsedMs: 1, ...(opts.stopped ? { stopped: opts.stopped } : {}) },
      items,
      summary: summarize(items),
    };
    writeFileSync(paths.results, JSON.stringify(results));
  }
  if (opts.sidecar !== false) {
    writeEvalSource(paths.source, { technique: 'cot', scorer: 'exact', dataset: 'qa.jsonl', source: { kind: 'file', path: 'qa.jsonl' }, total: opts.total });
  }
  return paths;
}

describe('the sidecar', () => {
  it('round-trips, and an existing one is never replaced', () => {
    const dir = freshDir();
    const path = evalPaths(dir, 'x').source;
    assert.equal(path, join(dir, 'x.source.json'));
    const record = game24Record(900, 999);
    writeEvalSource(path, record);
    assert.deepEqual(readEvalSource(path), record);
    const file = { technique: 'cot', scorer: 'exact', dataset: 'd/qa.csv', source: { kind: 'file' as const, path: '/data/qa.csv' }, total: 3 };
    const before = readFileSync(path, 'utf8');
    assert.throws(() => writeEvalSource(path, file), clearError(path, /already exists/));
    assert.equal(readFileSync(path, 'utf8'), before);
    const other = evalPaths(dir, 'y').source;
    writeEvalSource(other, file);
    assert.deepEqual(readEvalSource(other), file);
  });

  it('a task file\'s data keeps its format and rows, so Resume chooses the same items (creative writing: one per line)', () => {
    const dir = freshDir();
    const own = taskData(findTask('creative-writing')!)!;
    assert.equal(own.format, 'lines');
    const record = { technique: 'cot', scorer: 'creative-writing', dataset: 'cw', source: { kind: 'file' as const, path: own.path, format: 'lines' as const, from: 3, to: 5 }, total: 3 };
    const path = evalPaths(dir, 'cw').source;
    writeEvalSource(path, record);
    assert.deepEqual(readEvalSource(path), record);
    const items = loadSourceItems(readEvalSource(path).source, false);
    assert.deepEqual(items.map((i) => i.index), [3, 4, 5]);
    assert.deepEqual(items.map((i) => i.input), readFileSync(own.path, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(3, 6).map((l) => l.trim()));
  });

  it('a missing or malformed sidecar is a one-line message naming the file and the problem', () => {
    const dir = freshDir();
    const path = join(dir, 'bad.source.json');
    assert.throws(() => readEvalSource(path), clearError(path, /is missing, so the items cannot be chosen again/));
    const cases: Array<[string, RegExp]> = [
      ['{"technique": "io",\n', /is not valid JSON/],
      ['[1, 2]', /is not a Thoughtscope evaluation source file/],
      ['{"technique":"io"}', /is not a Thoughtscope evaluation source file/],
    ];
    const good = { 'thoughtscope-eval-source': 1, ...game24Record(900, 909) };
    const broken: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...good, scorer: '' }, /"scorer" must be non-empty text/],
      [{ ...good, total: 0 }, /"total" must be a whole number/],
      [{ ...good, source: { kind: 'game24', path: 'x.csv', from: 10, to: 2 } }, /"source.from" and "source.to" must be row numbers/],
      [{ ...good, source: { kind: 'url', path: 'x' } }, /"source.kind" must be "game24" or "file", got "url"/],
      [{ ...good, source: { kind: 'file' } }, /"source" must be an object with a "path"/],
      [{ ...good, source: { kind: 'file', path: 'x.txt', format: 'yaml' } }, /"source.format" must be "lines" or "crosswords", got "yaml"/],
      [{ ...good, source: { kind: 'file', path: 'x.txt', from: 4 } }, /"source.from" and "source.to" must be row numbers/],
    ];
    for (const [value, problem] of broken) cases.push([JSON.stringify(value), problem]);
    for (const [text, problem] of cases) {
      writeFileSync(path, text);
      assert.throws(() => readEvalSource(path), clearError(path, problem), text);
    }
  });
});

describe('listResumable', () => {
  it('finds evaluations with unfinished items, counts their finished items from the checkpoint, and skips complete ones', () => {
    const dir = freshDir();
    const cancelled = leaveEvaluation(dir, 'cancelled', { finished: [0, 1, 2], total: 10, stopped: 'cancelled' });
    // Items finished after the results were written (a later session) count: the checkpoint is the record.
    appendItems(cancelled.checkpoint, [item(3), item(3)]);
    leaveEvaluation(dir, 'complete', { finished: [0, 1, 2, 3], total: 4 });
    leaveEvaluation(dir, 'crashed', { finished: [0], total: 5, results: false });
    const cli = leaveEvaluation(dir, 'cli', { finished: [0, 1], total: 4, sidecar: false });
    writeFileSync(join(dir, 'report.md'), '# report\n');
    writeFileSync(join(dir, 'notes.json'), '{"not": "results"}');

    const found = new Map(listResumable(dir).map((r) => [r.name, r]));
    assert.deepEqual([...found.keys()].sort(), ['cancelled', 'cli', 'crashed']);
    const c = found.get('cancelled')!;
    assert.deepEqual({ ...c, updated: undefined }, { name: 'cancelled', technique: 'cot', model: 'gpt-4o-mini', dataset: 'qa.jsonl', finished: 4, total: 10, stopped: 'cancelled', updated: undefined });
    assert.deepEqual([found.get('crashed')!.finished, found.get('crashed')!.total, found.get('crashed')!.problem], [1, 5, undefined]);
    const noSidecar = found.get('cli')!;
    assert.equal(noSidecar.finished, 2);
    assert.equal(noSidecar.total, 4, 'from the results when there is no sidecar');
    assert.ok(noSidecar.problem?.includes(cli.source) && /is missing/.test(noSidecar.problem), noSidecar.problem);
    assert.deepEqual(listResumable(join(dir, 'nowhere')), []);
    // Newest first, by when the checkpoint last changed.
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(cancelled.checkpoint, old, old);
    assert.equal(listResumable(dir).at(-1)?.name, 'cancelled');
    assert.deepEqual(listResumable(dir).at(-1)?.updated, old);
  });

  it('a results file with unfinished items but no checkpoint is listed as not resumable', () => {
    const dir = freshDir();
    const paths = leaveEvaluation(dir, 'lost', { finished: [0], total: 3 });
    renameSync(paths.checkpoint, join(dir, 'elsewhere.jsonl.bak'));
    const [lost] = listResumable(dir);
    assert.equal(lost.name, 'lost');
    assert.ok(lost.problem?.includes(paths.checkpoint) && /resuming would run every item again/.test(lost.problem), lost.problem);
    assert.throws(() => planResume(dir, 'lost'), clearError(paths.checkpoint, /is missing/));
  });
});

describe('planResume', () => {
  it('reloads the items from a JSONL file, a CSV file (relative to the sidecar) and a 24.csv range', () => {
    const dir = freshDir();
    const jsonl = join(dir, 'qa.jsonl');
    writeFileSync(jsonl, '{"input":"2+2?","expected":4}\n{"question":"Capital of France?","answer":"Paris"}\n');
    writeFileSync(join(dir, 'qa.csv'), 'input,expected\n"a, b",c\nd,e\n');
    const common = { technique: 'cot', scorer: 'exact', dataset: 'qa', total: 2 };
    leaveEvaluation(dir, 'j', { finished: [], total: 2, sidecar: false });
    writeEvalSource(evalPaths(dir, 'j').source, { ...common, source: { kind: 'file', path: jsonl } });
    leaveEvaluation(dir, 'c', { finished: [], total: 2, sidecar: false });
    writeEvalSource(evalPaths(dir, 'c').source, { ...common, source: { kind: 'file', path: 'qa.csv' } });
    leaveEvaluation(dir, 'g', { finished: [], total: 3, sidecar: false });
    writeEvalSource(evalPaths(dir, 'g').source, game24Record(900, 902));

    const j = planResume(dir, 'j');
    assert.deepEqual(j.items, [
      { index: 0, input: '2+2?', expected: '4' },
      { index: 1, input: 'Capital of France?', expected: 'Paris' },
    ]);
    assert.equal(j.technique.id, 'cot');
    assert.equal(j.scorer.id, 'exact');
    assert.equal(j.task.id, 'generic');
    assert.equal(j.paths.checkpoint, join(dir, 'j.checkpoint.jsonl'));
    assert.deepEqual(planResume(dir, 'c').items, [
      { index: 0, input: 'a, b', expected: 'c' },
      { index: 1, input: 'd', expected: 'e' },
    ]);
    const g = planResume(dir, 'g');
    assert.deepEqual(g.items, [
      { index: 900, input: '4 5 6 10' },
      { index: 901, input: '1 2 4 7' },
      { index: 902, input: '2 5 8 11' },
    ]);
    assert.equal(g.task.id, 'game24');
    assert.equal(g.record.dataset, '24.csv rows 900-902');
  });

  it('an evaluation scored by a task file (VS Code: thoughtscope.task) resumes with that file, rendering from the templates given', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'qa.jsonl'), '{"input":"2+2?","expected":"4"}\n');
    writeFileSync(join(dir, 'sums.task.yaml'), 'id: sums\ndescription: d\ntemplates:\n  io: sums/ask\nscorer:\n  type: numeric\n  tolerance: 0.5\n');
    mkdirSync(join(dir, 'templates', 'sums'), { recursive: true });
    writeFileSync(join(dir, 'templates', 'sums', 'ask.liquid'), 'SUMS {{ input }}');
    leaveEvaluation(dir, 't', { finished: [], total: 1, sidecar: false });
    writeEvalSource(evalPaths(dir, 't').source, { technique: 'io', scorer: join(dir, 'sums.task.yaml'), dataset: 'qa.jsonl', source: { kind: 'file', path: 'qa.jsonl' }, total: 1 });
    const plan = planResume(dir, 't', TemplateLibrary.builtIn().withDir(join(dir, 'templates'), 'workspace'));
    assert.equal(plan.scorer.id, 'sums');
    assert.equal(plan.scorer.score({ index: 0, input: '2+2?', expected: '4' }, '4.4'), true, 'the file’s tolerance');
    assert.equal(plan.task.ioPrompt('2+2?').text, 'SUMS 2+2?');
    // Without the templates it names, the task file cannot be used: one line naming the sidecar and the file.
    assert.throws(() => planResume(dir, 't'), clearError(evalPaths(dir, 't').source, /sums\.task\.yaml: templates\.io: no template named "sums\/ask"/));
  });

  it('a data file that moved or changed, or an unknown technique, is a one-line message naming the file', () => {
    const dir = freshDir();
    const data = join(dir, 'qa.jsonl');
    writeFileSync(data, '{"input":"a","expected":"b"}\n{"input":"c","expected":"d"}\n');
    leaveEvaluation(dir, 'e', { finished: [0], total: 2, sidecar: false });
    const source = evalPaths(dir, 'e').source;
    const record: EvalSourceRecord = { technique: 'cot', scorer: 'exact', dataset: 'qa.jsonl', source: { kind: 'file', path: data }, total: 2 };
    writeEvalSource(source, record);
    assert.equal(planResume(dir, 'e').items.length, 2);

    renameSync(data, join(dir, 'moved.jsonl'));
    assert.throws(() => planResume(dir, 'e'), clearError(data, /does not exist \(moved or deleted\?\)/));
    assert.throws(() => planResume(dir, 'e'), clearError(source, /says the items came from/));

    writeFileSync(data, '{"input":"a","expected":"b"}\n{"input":"c","expected":"d"}\n{"input":"e","expected":"f"}\n');
    assert.throws(() => planResume(dir, 'e'), clearError(data, /now has 3 items where the evaluation had 2: the data changed/));
    writeFileSync(data, '{"input":"a","expected":"b"}\n{"input":"c"}\n');
    assert.throws(() => planResume(dir, 'e'), clearError(data, /cannot load the items again: .*line 2: no expected answer/));

    writeFileSync(source, JSON.stringify({ 'thoughtscope-eval-source': 1, ...record, technique: 'nope' }));
    assert.throws(() => planResume(dir, 'e'), clearError(source, /no technique "nope"/));
    writeFileSync(source, JSON.stringify({ 'thoughtscope-eval-source': 1, ...record, scorer: 'nope' }));
    assert.throws(() => planResume(dir, 'e'), clearError(source, /no scorer "nope"/));
  });
});

describe('resuming a cancelled evaluation', () => {
  let server: FakeServer;
  // Rows divisible by 3 get a wrong answer: 900, 903, 906, 909 of 900-909.
  const rowOf = new Map(loadGame24Range(defaultPuzzlesPath(), 900, 909).map((i) => [i.input, i.index]));
  const puzzleOf = (prompt: string) => {
    const lines = prompt.split('\n').filter((l) => l.startsWith('Input:'));
    return lines[lines.length - 1].slice('Input:'.length).trim();
  };
  before(async () => {
    server = await startFakeServer((req) => {
      const puzzle = puzzleOf(req.prompt);
      const row = rowOf.get(puzzle);
      if (row === undefined) return { status: 400 };
      return { choices: [row % 3 === 0 ? 'Answer: 1 + 2 + 3 + 4 = 24' : `Answer: ${solve24(puzzle)} = 24`], delayMs: 5 };
    });
  });
  after(() => server.close());

  it('runs only the unfinished items, and the results then cover every item', async () => {
    const dir = freshDir();
    const name = 'io-gpt-4o-mini-test';
    const paths = evalPaths(dir, name);
    const record = game24Record(900, 909);
    // The first session, as "Evaluate on Dataset" runs it: the sidecar, then evaluate(), cancelled
    // once 4 items are done (with 2 at a time, an item in flight then is cancelled too), then the results.
    writeEvalSource(paths.source, record);
    assert.throws(() => planResume(dir, name), clearError(paths.checkpoint, /is missing/));
    const stop = new AbortController();
    const firstStart = server.requests.length;
    const first = await evaluate({
      technique: ioTechnique,
      task: game24Task,
      scorer: findScorer('game24')!,
      items: loadSourceItems(record.source, false),
      model: modelAt(server.baseUrl),
      concurrency: 2,
      checkpoint: paths.checkpoint,
      dataset: record.dataset,
      signal: stop.signal,
      onItem: (_item, p) => {
        if (p.done === 4) stop.abort();
      },
    });
    writeFileSync(paths.results, JSON.stringify(first));
    assert.equal(first.meta.stopped, 'cancelled');
    assert.ok(first.items.length >= 4 && first.meta.unfinished > 0, `${first.items.length} finished`);
    assert.ok(server.requests.length - firstStart < 10, 'the cancel stopped the first session');
    const finishedFirst = new Set(first.items.map((i) => i.input));

    const [listed] = listResumable(dir);
    assert.deepEqual([listed.name, listed.finished, listed.total, listed.problem], [name, first.items.length, 10, undefined]);

    // Resume: the items from the sidecar's source, the same checkpoint, resume: true.
    const plan = planResume(dir, name);
    const checkpointBefore = readFileSync(paths.checkpoint, 'utf8');
    // Requests of this session are marked: a request the cancel cut off may reach the server late.
    const resumeWith = (model: string) =>
      evaluate({
        technique: plan.technique,
        task: plan.task,
        scorer: plan.scorer,
        items: plan.items,
        model: modelAt(server.baseUrl, { model, headers: { 'x-session': 'resume' } }),
        concurrency: 2,
        checkpoint: plan.paths.checkpoint,
        resume: true,
        dataset: plan.record.dataset,
      });
    // Another model in the settings: refused before any request, named, and the checkpoint untouched.
    const resumed = () => server.requests.filter((r) => r.headers['x-session'] === 'resume');
    const refusal = await resumeWith('gpt-4o').then(
      () => assert.fail('a different model must be refused'),
      (err) => explainRefusal(err, name),
    );
    assert.ok(refusal instanceof ResumeError);
    assert.equal(refusal.message, `cannot resume ${name}: the settings differ from its checkpoint's (model was "gpt-4o-mini", now "gpt-4o"); set them back to resume it`);
    assert.equal(resumed().length, 0);
    assert.equal(readFileSync(paths.checkpoint, 'utf8'), checkpointBefore);
    const other = new Error('x');
    assert.equal(explainRefusal(other, name), other);

    const done = await resumeWith('gpt-4o-mini');
    const asked = resumed().map((r) => puzzleOf(r.prompt)).sort();
    const unfinished = plan.items.filter((i) => !finishedFirst.has(i.input)).map((i) => i.input).sort();
    assert.deepEqual(asked, unfinished, 'each unfinished item once, no finished one');
    assert.equal(done.meta.resumed, first.items.length);
    assert.equal(done.meta.unfinished, 0);
    assert.deepEqual(done.items.map((i) => i.index), [900, 901, 902, 903, 904, 905, 906, 907, 908, 909]);
    assert.equal(done.summary.total, 10);
    assert.equal(done.summary.correct, 6);
    for (const it of first.items) assert.deepEqual(done.items.find((i) => i.index === it.index), it, `item ${it.index} kept from the first session`);
    writeFileSync(paths.results, JSON.stringify(done));
    assert.deepEqual(listResumable(dir), [], 'a complete evaluation is not listed');
  });
});
