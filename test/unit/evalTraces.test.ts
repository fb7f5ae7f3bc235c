// Each evaluated item's run trace: evaluate({ traces }) against the loopback server (one line per
// finished item, appended as items finish; cancel then resume gives exactly one line per item; no API
// key), reading the file lazily (a torn last line skipped), and the Runs view's listing of a folder's
// evaluations with their items and one item's trace (core/history/evaluations.ts).
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPuzzlesPath } from '../../src/cli/puzzlesPath';
import { loadGame24Range } from '../../src/core/eval/dataset';
import { evaluate } from '../../src/core/eval/evaluate';
import { evalPaths, writeEvalSource } from '../../src/core/eval/resumable';
import { findScorer } from '../../src/core/eval/scorers';
import { indexTraceLines, TraceLogError } from '../../src/core/eval/traceLog';
import type { ItemResult } from '../../src/core/eval/types';
import { evaluationItemLabel, evaluationItems, evaluationLabel, listEvaluations, loadEvaluationTrace } from '../../src/core/history/evaluations';
import { snapshotFromTrace } from '../../src/core/history/restore';
import { game24Task } from '../../src/core/tasks/game24';
import { ioTechnique } from '../../src/core/techniques/io';
import type { Trace } from '../../src/core/trace';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';
import { solve24 } from '../support/solve24';

const SECRET = 'sk-eval-traces-secret-42';
const root = mkdtempSync(join(tmpdir(), 'thoughtscope-evaltraces-'));
const freshDir = () => mkdtempSync(join(root, 'd'));
const ITEMS = loadGame24Range(defaultPuzzlesPath(), 900, 909);
// Rows divisible by 4 get a wrong answer: 7 of rows 900-909 are right.
const wrongRow = (index: number) => index % 4 === 0;

/** The `{ index, trace }` lines of a traces file (complete lines only). */
function traceLines(path: string): Array<{ index: number; trace: Trace }> {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { index: number; trace: Trace });
}

function checkpointItems(path: string): ItemResult[] {
  return readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as ItemResult);
}

let server: FakeServer;
/** While set, requests wait for it: the test cancels with items in flight. */
let held: Promise<void> | undefined;
const rowOf = new Map(ITEMS.map((i) => [i.input, i.index]));

before(async () => {
  server = await startFakeServer(async (req) => {
    const inputs = req.prompt.split('\n').filter((l) => l.startsWith('Input:'));
    const puzzle = inputs[inputs.length - 1].slice('Input:'.length).trim();
    const row = rowOf.get(puzzle);
    if (row === undefined) return { status: 400 };
    if (held) await held;
    return { choices: [wrongRow(row) ? 'Answer: 1 + 2 + 3 + 4 = 24' : `Answer: ${solve24(puzzle)} = 24`], delayMs: 5 };
  });
});
after(() => server.close());

const common = (dir: string) => ({
  technique: ioTechnique,
  task: game24Task,
  scorer: findScorer('game24')!,
  model: modelAt(server.baseUrl, { apiKey: SECRET }),
  concurrency: 2,
  dataset: '24.csv rows 900-909',
  ...evalPaths(dir, 'io-run'),
});

describe('evaluate() with traces', () => {
  it('writes one line per finished item holding its run trace, and no API key', async () => {
    const dir = freshDir();
    const { traces, checkpoint } = evalPaths(dir, 'io-run');
    const seen: number[] = [];
    const results = await evaluate({ ...common(dir), items: ITEMS, onItem: () => seen.push(traceLines(traces).length) });
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => i + 1), 'a line is there by the time each item is reported');
    const lines = traceLines(traces);
    assert.deepEqual(lines.map((l) => l.index).sort(), ITEMS.map((i) => i.index));
    for (const { index, trace } of lines) {
      const item = ITEMS.find((i) => i.index === index)!;
      const result = results.items.find((r) => r.index === index)!;
      assert.equal(trace.technique, 'io');
      assert.equal(trace.input, item.input);
      assert.equal(trace.answer, result.answer);
      assert.equal(trace.totals.costUsd, result.costUsd);
      // The graph: the question, and the answer node whose call asked about this puzzle.
      const graph = snapshotFromTrace(trace);
      assert.equal(graph.nodes[0].kind, 'question');
      assert.equal(graph.nodes[0].text, item.input);
      const answer = graph.nodes.find((n) => n.calls.length > 0)!;
      assert.ok(answer.calls[0].prompt.includes(item.input));
      assert.ok(graph.edges.some((e) => e.from === graph.nodes[0].id && e.to === answer.id));
    }
    assert.equal(readFileSync(traces, 'utf8').includes(SECRET), false, 'no API key in the traces');
    assert.deepEqual(checkpointItems(checkpoint).map((i) => i.index).sort(), ITEMS.map((i) => i.index));
  });

  it('cancelled mid-way then resumed: exactly one line per item, the finished ones not run again', async () => {
    const dir = freshDir();
    const { traces } = evalPaths(dir, 'io-run');
    const stop = new AbortController();
    let release = () => {};
    const first = await evaluate({
      ...common(dir),
      items: ITEMS,
      signal: stop.signal,
      // After three items, the rest wait at the server until the cancel has gone through.
      onItem: (_item, p) => {
        if (p.done === 3) {
          held = new Promise((resolve) => (release = resolve));
          setTimeout(() => stop.abort(), 50);
        }
      },
    });
    held = undefined;
    release();
    assert.equal(first.meta.stopped, 'cancelled');
    const finished = first.items.map((i) => i.index);
    assert.ok(finished.length >= 3 && finished.length < 10, `${finished.length} finished before the cancel`);
    assert.deepEqual(traceLines(traces).map((l) => l.index).sort(), [...finished].sort(), 'a line for each finished item, none for cancelled ones');

    // A crash between an item's trace and its checkpoint line, then a kill mid-write: both dropped on resume.
    const unfinished = ITEMS.find((i) => !finished.includes(i.index))!;
    appendFileSync(traces, `${JSON.stringify({ index: unfinished.index, trace: traceLines(traces)[0].trace })}\n{"index":9`);
    const sent = server.requests.length;
    const resumed = await evaluate({ ...common(dir), items: ITEMS, resume: true });
    assert.equal(server.requests.length - sent, 10 - finished.length, 'only the unfinished items are sent');
    assert.equal(resumed.summary.total, 10);
    assert.equal(resumed.summary.correct, 7);
    const lines = traceLines(traces);
    assert.deepEqual(lines.map((l) => l.index).sort(), ITEMS.map((i) => i.index), 'exactly one line per item');
    for (const { index, trace } of lines) assert.equal(trace.input, ITEMS.find((i) => i.index === index)!.input);
    assert.equal(lines.find((l) => l.index === unfinished.index)!.trace.input, unfinished.input, 'the re-run item has its own trace');
  });

  it('refuses an existing traces file without resume, before writing anything', async () => {
    const dir = freshDir();
    const { traces, checkpoint } = evalPaths(dir, 'io-run');
    writeFileSync(traces, '{"index":0,"trace":{}}\n');
    const sent = server.requests.length;
    await assert.rejects(evaluate({ ...common(dir), items: ITEMS }), (err: Error) => err instanceof TraceLogError && err.message.includes(traces) && /already exists: pass --resume/.test(err.message));
    assert.equal(existsSync(checkpoint), false, 'no checkpoint started');
    assert.equal(server.requests.length, sent);
  });
});

describe('reading traces and listing evaluations', () => {
  let dir: string;
  before(async () => {
    dir = freshDir();
    writeEvalSource(evalPaths(dir, 'io-run').source, { technique: 'io', scorer: 'game24', dataset: '24.csv rows 900-909', source: { kind: 'game24', path: defaultPuzzlesPath(), from: 900, to: 909 }, total: 10 });
    await evaluate({ ...common(dir), items: ITEMS.slice(0, 6) });
    // Another evaluation without traces, a results file of no evaluation, a broken checkpoint.
    await evaluate({ ...common(dir), items: ITEMS.slice(0, 2), traces: undefined, checkpoint: evalPaths(dir, 'untraced').checkpoint });
    writeFileSync(join(dir, 'notes.json'), '{"hello": 1}\n');
    writeFileSync(evalPaths(dir, 'broken').checkpoint, 'not a checkpoint\n');
  });

  it('indexes complete lines only: a torn last line is skipped', () => {
    const { traces } = evalPaths(dir, 'io-run');
    const before = indexTraceLines(traces);
    assert.equal(before.size, 6);
    const torn = join(dir, 'torn.traces.jsonl');
    writeFileSync(torn, `${readFileSync(traces, 'utf8')}{"index":906,"trace":{"techn`);
    const index = indexTraceLines(torn);
    assert.deepEqual([...index.keys()].sort(), [...before.keys()].sort());
    assert.deepEqual(index.get(903), before.get(903));
  });

  it('indexes lines longer than its read chunk and starts that fall across chunks', () => {
    const CHUNK = 1 << 20;
    const line = (index: number, length: number) => {
      const head = `{"index":${index},"trace":"`;
      return `${head}${'é'.repeat(Math.floor((length - head.length - 2) / 2))}${'x'.repeat((length - head.length - 2) % 2)}"}`;
    };
    // Byte lengths: the second line starts 9 bytes before the first chunk ends (its start read in two
    // pieces), the third spans two chunks, the fourth is short.
    const lines = [line(3, CHUNK - 10), line(7, 2 * CHUNK + 5), line(12, 40), line(15, 100)];
    const path = join(dir, 'long.traces.jsonl');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const index = indexTraceLines(path);
    let offset = 0;
    for (const [i, text] of lines.entries()) {
      const at = index.get(JSON.parse(text).index);
      assert.deepEqual(at, { offset, length: Buffer.byteLength(text), line: i + 1 }, `line ${i + 1}`);
      offset += Buffer.byteLength(text) + 1;
    }
  });

  it('lists the evaluations with their summary, their items, and loads one item\'s trace', () => {
    const all = listEvaluations(dir);
    assert.deepEqual(all.map((e) => e.name).sort(), ['broken', 'io-run', 'untraced']);
    const run = all.find((e) => e.name === 'io-run')!;
    assert.deepEqual(
      [run.technique, run.model, run.dataset, run.task, run.finished, run.correct, run.total, run.traced, run.problem],
      ['io', 'gpt-4o-mini', '24.csv rows 900-909', 'game24', 6, 4, 10, true, undefined],
    );
    assert.equal(evaluationLabel(run), 'io · gpt-4o-mini · 24.csv rows 900-909 · 4/6 correct');
    assert.ok(run.costUsd! > 0);
    const broken = all.find((e) => e.name === 'broken')!;
    assert.match(broken.problem ?? '', /broken\.checkpoint\.jsonl is not a Thoughtscope evaluation checkpoint/);
    assert.equal(all.find((e) => e.name === 'untraced')!.traced, false);

    const { items, problem } = evaluationItems(dir, 'io-run');
    assert.equal(problem, undefined);
    assert.deepEqual(items.map((i) => [i.index, i.correct, i.traced]), ITEMS.slice(0, 6).map((i) => [i.index, !wrongRow(i.index), true]));
    const wrong = items.find((i) => i.index === 904)!;
    assert.equal(evaluationItemLabel(wrong), '✗ 904 · 1 + 2 + 3 + 4');
    assert.match(evaluationItemLabel(items[1]), /^✓ 901 · [0-9()+*/ -]+$/);

    const trace = loadEvaluationTrace(dir, 'io-run', 904);
    assert.equal(trace.input, ITEMS[4].input);
    assert.equal(trace.answer, wrong.answer);
    assert.equal(trace.totals.costUsd, wrong.costUsd);
    assert.ok(snapshotFromTrace(trace).nodes.length >= 2);
  });

  it('says what is wrong in one line naming the file: no traces kept, an item missing, a bad line', () => {
    const oneLine = (file: string, problem: RegExp) => (err: unknown) => {
      assert.ok(err instanceof TraceLogError, String(err));
      assert.ok(err.message.includes(file), `"${err.message}" names ${file}`);
      assert.match(err.message, problem);
      assert.ok(!err.message.includes('\n'));
      return true;
    };
    const untraced = evalPaths(dir, 'untraced').traces;
    assert.deepEqual(evaluationItems(dir, 'untraced').items.map((i) => i.traced), [false, false]);
    assert.throws(() => loadEvaluationTrace(dir, 'untraced', 900), oneLine(untraced, /is missing: no traces were kept/));
    const { traces } = evalPaths(dir, 'io-run');
    assert.throws(() => loadEvaluationTrace(dir, 'io-run', 909), oneLine(traces, /holds no trace of item 909/));
    // A line whose start is right but whose JSON is not.
    const bad = evalPaths(dir, 'bad');
    writeFileSync(bad.checkpoint, readFileSync(evalPaths(dir, 'io-run').checkpoint));
    writeFileSync(bad.traces, `${readFileSync(traces, 'utf8').split('\n')[0]}\n{"index":905,"trace":{oops}\n`);
    assert.throws(() => loadEvaluationTrace(dir, 'bad', 905), oneLine(bad.traces, /line 2 is not valid JSON/));
    assert.ok(loadEvaluationTrace(dir, 'bad', JSON.parse(readFileSync(traces, 'utf8').split('\n')[0]).index).nodes.length > 0);
    assert.deepEqual(evaluationItems(dir, 'broken'), { items: [], problem: `${evalPaths(dir, 'broken').checkpoint} is not a Thoughtscope evaluation checkpoint` });
  });
});
