// The evaluation engine: scorers, datasets, the Wilson interval, and evaluate() over Game of 24
// puzzles from 24.csv against the loopback server with scripted answers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPuzzlesPath } from '../../src/cli/puzzlesPath';
import { DatasetError, loadDataset, loadGame24Range, parseCsv, parseJsonl } from '../../src/core/eval/dataset';
import { evaluate } from '../../src/core/eval/evaluate';
import { findScorer, parseNumber } from '../../src/core/eval/scorers';
import { wilsonInterval } from '../../src/core/eval/wilson';
import { genericTask } from '../../src/core/tasks/generic';
import { game24Task } from '../../src/core/tasks/game24';
import { ioTechnique } from '../../src/core/techniques/io';
import { startFakeServer, type FakeRequest, type FakeServer } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';
import { solve24 } from '../support/solve24';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-eval-'));
const scorer = (id: string) => findScorer(id)!;

/** The puzzle on the prompt's last "Input:" line. */
function puzzleOf(req: FakeRequest): string {
  const lines = req.prompt.split('\n').filter((l) => l.startsWith('Input:'));
  return lines[lines.length - 1].slice('Input:'.length).trim();
}

describe('wilsonInterval', () => {
  // 5/10, 0/10, 10/10: textbook values; 13/20 and 74/100 worked out by hand from the formula.
  it('matches known values for known counts', () => {
    const close = (actual: [number, number], expected: [number, number]) => {
      assert.ok(Math.abs(actual[0] - expected[0]) < 5e-5 && Math.abs(actual[1] - expected[1]) < 5e-5, `${actual} vs ${expected}`);
    };
    close(wilsonInterval(5, 10), [0.2366, 0.7634]);
    close(wilsonInterval(0, 10), [0, 0.2775]);
    close(wilsonInterval(10, 10), [0.7225, 1]);
    close(wilsonInterval(13, 20), [0.4329, 0.8188]);
    close(wilsonInterval(74, 100), [0.6463, 0.816]);
    assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
    assert.throws(() => wilsonInterval(3, 2), RangeError);
  });
});

describe('scorers', () => {
  it('exact, numeric and contains compare the final answer with the expected one', () => {
    const item = (expected: string) => ({ index: 0, input: 'q', expected });
    assert.equal(scorer('exact').score(item('Paris'), ' **paris.** '), true);
    assert.equal(scorer('exact').score(item('Paris'), 'Paris, France'), false);
    assert.equal(scorer('numeric').score(item('1250.5'), '$1,250.50'), true);
    assert.equal(scorer('numeric').score(item('0.75'), '3/4'), true);
    assert.equal(scorer('numeric').score(item('10'), 'about 11 apples'), false);
    assert.equal(scorer('numeric').score(item('10'), 'no number'), false);
    assert.equal(scorer('contains').score(item('blue whale'), 'The Blue  Whale is largest'), true);
    assert.equal(scorer('contains').score(item('whale'), 'a shark'), false);
    assert.equal(parseNumber('-3.5 degrees'), -3.5);
  });

  it("rounded is PoT's finqa_equal: round to the fewer decimals of the two, and accept percentages ×100 or ÷100", () => {
    const item = (expected: string) => ({ index: 0, input: 'q', expected });
    const rounded = scorer('rounded');
    // One decimal in the gold answer: the prediction counts once rounded to one decimal.
    assert.equal(rounded.score(item('12.5'), '12.5333'), true);
    assert.equal(scorer('numeric').score(item('12.5'), '12.5333'), false, 'the relative tolerance refuses it');
    assert.equal(rounded.score(item('12.5'), '12.6'), false);
    // Percentages: 12.5 may come out as 0.125 or 1250.
    assert.equal(rounded.score(item('12.5'), '0.125'), true);
    assert.equal(rounded.score(item('3'), '300'), true);
    assert.equal(rounded.score(item('3'), '0.03'), true);
    // A whole gold number has 5 decimals of precision; a float prediction's own decimals count too.
    assert.equal(rounded.score(item('25'), '25.0000004'), true);
    assert.equal(rounded.score(item('25'), '25.4'), false);
    assert.equal(rounded.score(item('18.04'), '18'), true, 'an integral prediction prints as 18.0: one decimal');
    assert.equal(rounded.score(item('yes'), 'Yes'), true);
    assert.equal(rounded.score(item('7'), 'no number'), false);
  });

  it('game24 judges the expression against the puzzle', () => {
    assert.equal(scorer('game24').score({ index: 0, input: '4 9 10 13' }, '(13 - 9) * (10 - 4) = 24'), true);
    assert.equal(scorer('game24').score({ index: 0, input: '4 9 10 13' }, '4 * 6 = 24'), false);
  });
});

describe('datasets', () => {
  it('reads JSONL and CSV items with their expected answers', () => {
    const jsonl = parseJsonl('{"input":"2+2?","expected":4}\n\n{"question":"Capital of France?","answer":"Paris"}\n', 'd.jsonl', true);
    assert.deepEqual(jsonl, [
      { index: 0, input: '2+2?', expected: '4' },
      { index: 1, input: 'Capital of France?', expected: 'Paris' },
    ]);
    const csv = parseCsv('input,expected\r\n"Say ""hi"", twice",hi hi\n"two\nlines",x\n', 'd.csv', true);
    assert.deepEqual(csv, [
      { index: 0, input: 'Say "hi", twice', expected: 'hi hi' },
      { index: 1, input: 'two\nlines', expected: 'x' },
    ]);
  });

  it('names the file and line of a bad row', () => {
    assert.throws(() => parseJsonl('{"input":"a","expected":"b"}\n{oops}\n', 'd.jsonl', true), /^DatasetError: d\.jsonl line 2: not valid JSON/);
    assert.throws(() => parseJsonl('{"input":"a"}\n', 'd.jsonl', true), /d\.jsonl line 1: no expected answer/);
    assert.throws(() => parseCsv('question,answer\n,b\n', 'd.csv', true), /d\.csv row 2: no input/);
    assert.throws(() => parseCsv('prompt_text,answer\nx,y\n', 'd.csv', true), /no "input" column \(found: prompt_text, answer\)/);
    assert.throws(() => loadDataset(join(dir, 'missing.jsonl'), false), /cannot read data file .*missing\.jsonl: no such file/);
    assert.throws(() => loadDataset(join(dir, 'x.txt'), false), /must end in \.jsonl or \.csv/);
  });

  it('takes Game of 24 puzzles from 24.csv by row index', () => {
    const items = loadGame24Range(defaultPuzzlesPath(), 900, 902);
    assert.deepEqual(items, [
      { index: 900, input: '4 5 6 10' },
      { index: 901, input: '1 2 4 7' },
      { index: 902, input: '2 5 8 11' },
    ]);
    assert.throws(() => loadGame24Range(defaultPuzzlesPath(), 1300, 1400), (err: Error) => err instanceof DatasetError && /has 1362 puzzles|row 1400 does not exist/.test(err.message));
  });
});

describe('evaluate', () => {
  let server: FakeServer;
  // Puzzles at a row index divisible by 3 get a wrong answer: 13 of rows 900-919 are right.
  const wrongRow = (index: number) => index % 3 === 0;
  const rowOf = new Map<string, number>();
  before(async () => {
    for (const item of loadGame24Range(defaultPuzzlesPath(), 900, 919)) rowOf.set(item.input, item.index);
    server = await startFakeServer((req) => {
      const puzzle = puzzleOf(req);
      const row = rowOf.get(puzzle);
      if (row === undefined) return { status: 400 };
      const right = `Answer: ${solve24(puzzle)} = 24`;
      const wrong = 'Answer: 1 + 2 + 3 + 4 = 24';
      const n = req.body.n ?? 1;
      if (n === 1) return { choices: [wrongRow(row) ? wrong : right], delayMs: 5 };
      // Three samples: the first (the answer) as above; one more right sample on even rows.
      return { choices: [wrongRow(row) ? wrong : right, row % 2 === 0 ? right : wrong, wrong] };
    });
  });
  after(() => server.close());

  it('scores 20 puzzles, sums their tokens and checkpoints every item', async () => {
    const items = loadGame24Range(defaultPuzzlesPath(), 900, 919);
    const checkpoint = join(dir, 'io.checkpoint.jsonl');
    const before = { ...server.reported, requests: server.requests.length };
    const seen: number[] = [];
    const results = await evaluate({
      technique: ioTechnique,
      task: game24Task,
      scorer: scorer('game24'),
      items,
      model: modelAt(server.baseUrl),
      concurrency: 3,
      checkpoint,
      dataset: '24.csv rows 900-919',
      onItem: (_item, p) => seen.push(p.done),
    });
    assert.equal(server.requests.length - before.requests, 20);
    assert.ok(server.maxOpen <= 3, `at most 3 requests in flight, saw ${server.maxOpen}`);
    assert.deepEqual(results.items.map((i) => i.index), items.map((i) => i.index));
    assert.equal(results.summary.total, 20);
    assert.equal(results.summary.correct, 13);
    assert.equal(results.summary.accuracy, 0.65);
    assert.deepEqual(results.summary.accuracyCi95, wilsonInterval(13, 20));
    for (const item of results.items) assert.equal(item.correct, !wrongRow(item.index), `row ${item.index}`);
    assert.equal(results.summary.promptTokens, server.reported.promptTokens - before.promptTokens);
    assert.equal(results.summary.completionTokens, server.reported.completionTokens - before.completionTokens);
    assert.ok(results.summary.costUsd! > 0, 'gpt-4o-mini has a price');
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(results.meta, { ...results.meta, technique: 'io', task: 'game24', model: 'gpt-4o-mini', requested: 20, unfinished: 0, resumed: 0 });
    const lines = readFileSync(checkpoint, 'utf8').trim().split('\n');
    assert.equal(lines.length, 21, 'a header and one line per item');
    assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l).index).sort(), items.map((i) => i.index).sort());
    // Exactly the schema of the issue.
    assert.deepEqual(Object.keys(results.items[0]).sort(), ['answer', 'calls', 'completionTokens', 'correct', 'costUsd', 'index', 'input', 'promptTokens', 'samples', 'wallMs']);
    assert.deepEqual(Object.keys(results.summary).sort(), ['accuracy', 'accuracyCi95', 'anyCorrect', 'completionTokens', 'correct', 'costUsd', 'promptTokens', 'sampleAccuracy', 'total', 'wallMs']);
  });

  it('lists every sample of a sampling technique, with sample accuracy and best of k', async () => {
    const items = loadGame24Range(defaultPuzzlesPath(), 900, 919);
    const results = await evaluate({ technique: ioTechnique, task: game24Task, scorer: scorer('game24'), items, model: modelAt(server.baseUrl), params: { samples: 3 } });
    assert.equal(results.items[0].samples.length, 3);
    // Right samples: 13 first samples, plus 10 even rows' second samples.
    assert.equal(results.summary.sampleAccuracy, 23 / 60);
    // Best of k: 13 rows right first time, plus even rows among the 7 wrong ones (900, 906, 912, 918).
    assert.equal(results.summary.anyCorrect, 17);
    assert.equal(results.summary.correct, 13);
  });

  it('resumes a checkpoint without running its items again, and refuses to overwrite one', async () => {
    const items = loadGame24Range(defaultPuzzlesPath(), 900, 909);
    const checkpoint = join(dir, 'resume.checkpoint.jsonl');
    const common = { technique: ioTechnique, task: game24Task, scorer: scorer('game24'), model: modelAt(server.baseUrl), checkpoint, dataset: 'rows' };
    await evaluate({ ...common, items: items.slice(0, 4) });
    // A torn last line, as a kill mid-write leaves it.
    writeFileSync(checkpoint, `${readFileSync(checkpoint, 'utf8')}{"index":90`);
    await assert.rejects(evaluate({ ...common, items }), /already exists: pass --resume/);
    await assert.rejects(evaluate({ ...common, items, resume: true, params: { temperature: 0 } }), /checkpoint of a different evaluation \(parameters were/);
    const start = server.requests.length;
    const results = await evaluate({ ...common, items, resume: true });
    assert.equal(server.requests.length - start, 6, 'only the 6 unfinished items are sent');
    assert.equal(results.meta.resumed, 4);
    assert.equal(results.summary.total, 10);
    assert.equal(results.summary.correct, 6);
    assert.equal(readFileSync(checkpoint, 'utf8').trim().split('\n').length, 11);
  });

  it('an evaluation with the rounded scorer counts answers the numeric scorer refuses', async () => {
    const server = await startFakeServer((req) => ({ choices: [req.prompt.includes('quarter') ? 'Answer: 0.25' : 'Answer: 33.33%'] }));
    try {
      const items = [
        { index: 0, input: 'One quarter in percent?', expected: '25' },
        { index: 1, input: 'One third in percent, to one decimal?', expected: '33.3' },
      ];
      const common = { technique: ioTechnique, task: genericTask, items, model: modelAt(server.baseUrl) };
      assert.equal((await evaluate({ ...common, scorer: scorer('rounded') })).summary.correct, 2);
      assert.equal((await evaluate({ ...common, scorer: scorer('numeric') })).summary.correct, 0);
    } finally {
      await server.close();
    }
  });

  it('stops at the first failed item, keeping what finished', async () => {
    const failing = await startFakeServer((req) => (req.prompt.includes('What is 3') ? { status: 401 } : { choices: ['Answer: 7'] }));
    try {
      const items = [1, 2, 3, 4, 5].map((k, index) => ({ index, input: `What is ${k}?`, expected: '7' }));
      const checkpoint = join(dir, 'fail.checkpoint.jsonl');
      const results = await evaluate({ technique: ioTechnique, task: genericTask, scorer: scorer('numeric'), items, model: modelAt(failing.baseUrl), concurrency: 1, checkpoint });
      assert.match(results.meta.stopped ?? '', /^item 2: .*HTTP 401/);
      assert.deepEqual(results.items.map((i) => i.index), [0, 1]);
      assert.equal(results.meta.unfinished, 3);
      assert.equal(results.summary.correct, 2);
    } finally {
      await failing.close();
    }
  });

  it('checks the parameters and expected answers before sending anything', async () => {
    const start = server.requests.length;
    const common = { technique: ioTechnique, task: genericTask, model: modelAt(server.baseUrl) };
    await assert.rejects(evaluate({ ...common, scorer: scorer('exact'), items: [{ index: 0, input: 'q', expected: 'a' }], params: { samples: 0 } }), /parameter "samples" must be between/);
    await assert.rejects(evaluate({ ...common, scorer: scorer('exact'), items: [{ index: 0, input: 'q' }] }), /item 0 has no expected answer/);
    assert.equal(server.requests.length, start);
  });
});
