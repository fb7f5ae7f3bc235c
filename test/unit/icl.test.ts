// In-Context Learning: the examples parser, and the technique against the loopback server.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { game24Task } from '../../src/core/tasks/game24';
import { genericTask } from '../../src/core/tasks/generic';
import { iclTechnique } from '../../src/core/techniques/icl';
import { ExamplesError, parseExamples } from '../../src/core/techniques/iclExamples';
import { ParamError } from '../../src/core/techniques/params';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-icl-'));

describe('parseExamples', () => {
  it('reads JSON Lines, a JSON array, and the question/answer and prompt/completion spellings', () => {
    assert.deepEqual(parseExamples('{"input": "2+2", "output": "4"}\n\n{"Question": "3+3", "Answer": 6}\n'), [
      { input: '2+2', output: '4' },
      { input: '3+3', output: '6' },
    ]);
    assert.deepEqual(parseExamples('[{"prompt": "a", "completion": "b"}]'), [{ input: 'a', output: 'b' }]);
  });

  it('reads Markdown pairs spanning lines, bold labels and headings, ignoring text before the first label', () => {
    const md = [
      '# Examples for my task',
      '',
      'Input: Sort 3 1 2',
      'Output: We compare pairs.',
      'Answer: 1 2 3',
      '',
      '---',
      '**Input:** Sort 9 8',
      '**Output:** 8 9',
      '## Input',
      'Sort 5 4 6',
      '## Output',
      '4 5 6',
    ].join('\n');
    assert.deepEqual(parseExamples(md), [
      { input: 'Sort 3 1 2', output: 'We compare pairs.\nAnswer: 1 2 3' },
      { input: 'Sort 9 8', output: '8 9' },
      { input: 'Sort 5 4 6', output: '4 5 6' },
    ]);
    assert.deepEqual(parseExamples('Q: capital of France?\nA: Paris\nQ: of Italy?\nA: Rome'), [
      { input: 'capital of France?', output: 'Paris' },
      { input: 'of Italy?', output: 'Rome' },
    ]);
  });

  it('names the line of a problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"input": "a", "output": "b"}\n{"input": "c", "output": ', /^line 2: not valid JSON/],
      ['{"input": "a"}', /^line 1: expected an object with "input" and "output"/],
      ['{"input": {"x": 1}, "output": "b"}', /^line 1: "input" and "output" must be text/],
      ['Input: a\nOutput: b\nInput: c\n', /^line 3: this example has no "Output:" text/],
      ['Output: b', /no examples found|without an "Input:"/],
      ['Input: a\nOutput: b\nOutput: c', /^line 3: a second "Output:"/],
      ['just some text', /^no examples found: expected "Input:" \/ "Output:" pairs/],
    ];
    for (const [text, pattern] of cases) assert.throws(() => parseExamples(text), (err: Error) => err instanceof ExamplesError && pattern.test(err.message), text);
  });
});

describe('icl technique', () => {
  let server: FakeServer;
  const servers: FakeServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  async function start() {
    server = await startFakeServer(() => ({ choices: ['Answer: (13 - 9) * (10 - 4) = 24'] }));
    servers.push(server);
    return server;
  }

  const jsonl = [
    { input: '1 5 6 8', output: 'Answer: (8 - 5 + 1) * 6 = 24' },
    { input: '2 3 9 10', output: 'Answer: (9 / 3) * (10 - 2) = 24' },
    { input: '2 4 5 12', output: 'Answer: 12 * 2 * (5 - 4) = 24' },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n');
  writeFileSync(join(dir, 'shots.jsonl'), jsonl);

  it('sends the examples then the question, and draws examples → prompt → answer', async () => {
    const s = await start();
    const run = runAt(s.baseUrl);
    const report = await runTechnique({
      technique: iclTechnique,
      task: game24Task,
      input: '4 9 10 13',
      params: { examplesFile: 'shots.jsonl', shots: 2, selection: 'first', instruction: 'Make 24.' },
      host: { baseDir: dir },
      run,
    });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(report.summary.answer, '(13 - 9) * (10 - 4)');
    assert.equal(s.requests.length, 1);
    assert.equal(
      s.requests[0].prompt,
      'Make 24.\n\nInput: 1 5 6 8\nOutput: Answer: (8 - 5 + 1) * 6 = 24\n\nInput: 2 3 9 10\nOutput: Answer: (9 / 3) * (10 - 2) = 24\n\nInput: 4 9 10 13\nOutput:',
    );
    assert.deepEqual(s.requests[0].body.stop, ['\nInput:']);

    const nodes = run.graph.nodes();
    const examples = nodes.filter((n) => n.kind === 'example');
    assert.deepEqual(examples.map((n) => n.text), ['Input: 1 5 6 8\nOutput: Answer: (8 - 5 + 1) * 6 = 24', 'Input: 2 3 9 10\nOutput: Answer: (9 / 3) * (10 - 2) = 24']);
    const prompt = nodes.find((n) => n.calls.length === 1)!;
    const question = nodes.find((n) => n.kind === 'question')!;
    assert.deepEqual(run.graph.parentsOf(prompt.id), [...examples.map((n) => n.id), question.id]);
    assert.ok(prompt.usage.promptTokens > 0 && prompt.costUsd !== null && prompt.costUsd > 0);
    const answer = nodes.find((n) => n.kind === 'answer')!;
    assert.deepEqual(run.graph.parentsOf(answer.id), [prompt.id]);
    assert.equal(answer.meta?.correct, true);
  });

  it('prefers examples stored from a selection, and takes all of them with shots=0', async () => {
    const s = await start();
    const run = runAt(s.baseUrl);
    await runTechnique({
      technique: iclTechnique,
      task: genericTask,
      input: 'Sort 7 3',
      params: { examplesFile: 'shots.jsonl', selection: 'first' },
      host: { baseDir: dir, examples: 'Input: Sort 2 1\nOutput: 1 2\nInput: Sort 9 8 7\nOutput: 7 8 9' },
      run,
    });
    assert.equal(s.requests[0].prompt, 'Input: Sort 2 1\nOutput: 1 2\n\nInput: Sort 9 8 7\nOutput: 7 8 9\n\nInput: Sort 7 3\nOutput:');
    assert.equal(run.graph.nodes().filter((n) => n.kind === 'example').length, 2);
  });

  it('by default draws `shots` examples at random for each question, the same again for the same seed', async () => {
    const s = await start();
    const examples = Array.from({ length: 8 }, (_, i) => JSON.stringify({ input: `q${i + 1}`, output: `a${i + 1}` })).join('\n');
    const shown = async (input: string, seed: number) => {
      const run = runAt(s.baseUrl);
      await runTechnique({ technique: iclTechnique, task: genericTask, input, params: { examples, shots: 3, seed }, run });
      return run.graph.nodes().filter((n) => n.kind === 'example').map((n) => n.meta?.example as number);
    };
    const questions = ['first question', 'second question', 'third question', 'fourth question'];
    const draws = [];
    for (const q of questions) draws.push(await shown(q, 0));
    for (const d of draws) {
      assert.equal(d.length, 3);
      assert.equal(new Set(d).size, 3, 'three different examples');
      assert.ok(d.every((n) => n >= 1 && n <= 8));
    }
    assert.ok(draws.some((d) => d.join() !== '1,2,3'), 'not the first three every time');
    assert.ok(new Set(draws.map((d) => d.join())).size > 1, 'different questions get different examples');
    assert.deepEqual(await shown('first question', 0), draws[0], 'the same seed and question draw the same');
    const reseeded = [];
    for (const q of questions) reseeded.push((await shown(q, 7)).join());
    assert.notDeepEqual(reseeded, draws.map((d) => d.join()), 'another seed draws otherwise');
    // The prompt shows the drawn examples, in the drawn order.
    const last = s.requests[s.requests.length - 1].prompt;
    const order = [...last.matchAll(/^Input: q(\d)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(order, await shown(questions[3], 7));
  });

  it('takes inline examples from the examples parameter', async () => {
    const s = await start();
    await runTechnique({ technique: iclTechnique, task: genericTask, input: 'x', params: { examples: '{"input": "a", "output": "b"}' }, run: runAt(s.baseUrl) });
    assert.equal(s.requests[0].prompt, 'Input: a\nOutput: b\n\nInput: x\nOutput:');
  });

  it('rejects missing or bad examples and too many shots before any call', async () => {
    const s = await start();
    writeFileSync(join(dir, 'broken.md'), 'Input: a\nOutput: b\nInput: c\n');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /technique "icl" needs examples: set parameter "examplesFile"/],
      [{ examplesFile: 'shots.jsonl', shots: 4 }, /parameter "shots" must be between 0 and 3 \(the examples in shots.jsonl\), got 4/],
      [{ examplesFile: 'nope.jsonl' }, /parameter "examplesFile": cannot read .*nope\.jsonl \(no such file\)/],
      [{ examplesFile: 'broken.md' }, /parameter "examplesFile" \(broken\.md\): line 3: this example has no "Output:" text/],
      [{ examples: 'hello' }, /parameter "examples": no examples found/],
      [{ shots: -1 }, /parameter "shots" must be between 0 and 64, got -1/],
    ];
    for (const [params, pattern] of cases) {
      await assert.rejects(
        runTechnique({ technique: iclTechnique, task: genericTask, input: 'q', params, host: { baseDir: dir }, run: runAt(s.baseUrl) }),
        (err: Error) => err instanceof ParamError && pattern.test(err.message) && !err.message.includes('\n'),
        JSON.stringify(params),
      );
    }
    assert.equal(s.requests.length, 0);
  });
});
