// Algorithm of Thoughts: the search-trace reader, and the technique against the loopback server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { evaluateExpression, game24Task, judgeGame24 } from '../../src/core/tasks/game24';
import { genericTask } from '../../src/core/tasks/generic';
import { aotTechnique } from '../../src/core/techniques/aot';
import { aotPrompt } from '../../src/core/techniques/aot/prompts';
import { parseSearchTrace } from '../../src/core/techniques/aot/searchTrace';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

/** A search over 4 9 10 13: two dead ends under step 1, a jump without a Backtrack line, then a solution. */
const TRACE = `Let me search.
1. 13 - 9 = 4 (left: 4 4 10)
1.1. 4 + 4 = 8 (left: 8 10) -> 18, 2, 80, 1.25: no 24, dead end.
Backtrack to 1.
1.2. 10 - 4 = 6 (left: 4 6)
   4 + 6 = 10, 6 - 4 = 2: no 24 yet
   4 * 6 = 24 -> solved.
Answer: (13 - 9) * (10 - 4) = 24`;

const WANDERING = `**Search:**
- **Step 1:** 10 - 4 = 6 (left: 6 9 13)
- 1.1) 13 - 9 = 4 (left: 4 6) -> 4 * 6 = 24: solved
2. 9 + 10 = 19 (left: 4 13 19)
2.3. 19 - 13 = 6 (left: 4 6)
Backtrack
3.1 4 + 9 = 13 (left: 10 13 13) -> dead end
Answer: (10 - 4) * (13 - 9) = 24`;

describe('AoT search-trace reader', () => {
  it('turns a scripted search into branches, dead ends and backtracks', () => {
    const t = parseSearchTrace(TRACE);
    assert.equal(t.parsed, true);
    assert.deepEqual(t.branches.map((b) => [b.path, b.parent, b.outcome]), [
      ['1', null, 'open'],
      ['1.1', 0, 'dead-end'],
      ['1.2', 0, 'solved'],
    ]);
    assert.match(t.branches[2].text, /^10 - 4 = 6 \(left: 4 6\)\n4 \+ 6 = 10/);
    assert.deepEqual(t.backtracks, [{ from: 1, to: 0, inferred: false }]);
    assert.equal(t.solved, 2);
    assert.equal(t.answerLine, '(13 - 9) * (10 - 4) = 24');
  });

  it('tolerates markdown, prefixes, missing parents and jumps without a Backtrack line', () => {
    const t = parseSearchTrace(WANDERING);
    assert.deepEqual(t.branches.map((b) => [b.path, b.parent, b.outcome]), [
      ['1', null, 'open'],
      ['1.1', 0, 'solved'],
      ['2', null, 'dead-end'],
      ['2.3', 2, 'dead-end'],
      ['3.1', null, 'dead-end'],
    ]);
    // 1.1 -> start (inferred: the model went on to step 2); 2.3 -> 2 (bare "Backtrack": one level up);
    // 2 -> start (inferred: "3.1" has no written parent, so it hangs from the start).
    assert.deepEqual(t.backtracks, [
      { from: 1, to: null, inferred: true },
      { from: 3, to: 2, inferred: false },
      { from: 2, to: null, inferred: true },
    ]);
    assert.equal(t.solved, 1, 'the last branch marked solved');
  });

  it('keeps the retraced solution apart from the branches, and reads a dead end then a sibling as a written backtrack', () => {
    const t = parseSearchTrace(
      '1. 13 - 9 = 4 (left: 10 4 4)\n1.1. 4 + 4 = 8 (left: 10 8) -> 18, 2, 80, 1.25: dead end.\n1.2. 10 - 4 = 6 (left: 6 4) -> 6 * 4 = 24: solved.\n' +
        'Retracing the solution:\nStep 1: 13 - 9 = 4\nStep 2: 10 - 4 = 6\nStep 3: 6 * 4 = 24\nAnswer: (13 - 9) * (10 - 4) = 24',
    );
    assert.deepEqual(t.branches.map((b) => [b.path, b.outcome]), [
      ['1', 'open'],
      ['1.1', 'dead-end'],
      ['1.2', 'solved'],
    ]);
    assert.deepEqual(t.retraced, ['Step 1: 13 - 9 = 4', 'Step 2: 10 - 4 = 6', 'Step 3: 6 * 4 = 24']);
    assert.deepEqual(t.backtracks, [{ from: 1, to: 0, inferred: false }]);
    assert.equal(t.answerLine, '(13 - 9) * (10 - 4) = 24');
  });

  it('reports text without numbered branches as unparsed, and never throws on junk', () => {
    assert.equal(parseSearchTrace('I think the answer is 42.\nAnswer: 42').parsed, false);
    assert.equal(parseSearchTrace('8 - 6 = 2 (left: 2 4 4)\n2 * 4 = 8').parsed, false, 'a step without a path is not a branch');
    for (const junk of ['', '\n\n', 'Backtrack to 9.9', '1.', '1.2.3.4.5.6 x\nBacktrack to start\nBacktrack to 1', '```\n1) ]]"><script>\n```']) {
      assert.doesNotThrow(() => parseSearchTrace(junk));
    }
  });
});

describe('AoT prompt', () => {
  it('teaches the trace format the reader reads, with its own examples per task', () => {
    const p24 = aotPrompt(game24Task, ' 4  9 10 13 ').text;
    assert.match(p24, /Backtrack to start/);
    assert.match(p24, /Input: 4 9 10 13\nSearch:\n$/);
    // The worked examples parse into searches with dead ends, backtracks, a solution and its retracing.
    for (const prompt of [p24, aotPrompt(genericTask, 'q').text]) {
      const example = prompt.split('\n\n').find((block) => /\nSearch:\n1\./.test(block))!;
      const t = parseSearchTrace(example.slice(example.indexOf('Search:')));
      assert.ok(t.branches.length >= 3 && t.backtracks.length >= 1 && t.solved !== null, example);
      assert.ok(t.backtracks.every((b) => !b.inferred), 'the examples write every backtrack (a dead end announces one)');
      assert.ok(t.retraced.length >= 2, 'the solution is retraced before the answer');
    }
    assert.match(aotPrompt(genericTask, 'How many?').text, /Problem: How many\?\nSearch:\n$/);
  });

  it('Game of 24 does what the paper describes: heuristics, pair checks, promising first steps, every operation on the last two, retracing', () => {
    const prompt = aotPrompt(game24Task, '1 2 3 4').text;
    const rules = prompt.slice(0, prompt.indexOf('Input: '));
    // Heuristics come before the examples.
    assert.match(rules, /negative or a fraction/);
    assert.match(rules, /descending order/);
    assert.match(rules, /Do not give up/);
    // Quick checks of pairs: all four operations on two numbers, found or not.
    const checks = [...rules.matchAll(/^ {2}\((\d+) (\d+)\): (.*)$/gm)];
    assert.ok(checks.length >= 4);
    assert.ok(checks.some((c) => /found/.test(c[3])) && checks.some((c) => /: no\.$/.test(c[3])));
    const examples = prompt.split('\n\n').filter((block) => /^Input: \d/.test(block) && /\nSearch:\n1\./.test(block));
    assert.equal(examples.length, 2);
    for (const example of examples) {
      const puzzle = example.split('\n')[0].slice('Input: '.length);
      const t = parseSearchTrace(example.slice(example.indexOf('Search:')));
      // First steps are tried in order of promise, each saying why it is promising.
      for (const first of t.branches.filter((b) => b.parent === null)) assert.match(first.text, /promising: /);
      // A step that leaves two numbers tries every operation on them (or stops at the one that makes 24).
      for (const b of t.branches.filter((x) => /\(left: \d+ \d+\)/.test(x.text))) {
        const [, x, y] = /\(left: (\d+) (\d+)\)/.exec(b.text)!;
        const ops = ['+', '-', '*', '/'].filter((op) => b.text.includes(`${x} ${op} ${y}`));
        assert.ok(ops.length === 4 || b.outcome === 'solved', `${b.text} tries ${ops.join(' ')}`);
        // The numbers left are in descending order.
        assert.ok(Number(x) >= Number(y), b.text);
      }
      // The written arithmetic is right, and the answer solves the puzzle.
      for (const [, a, op, b, r] of example.matchAll(/(\d+) ([-+*/]) (\d+) = (\d+)/g)) {
        assert.equal(evaluateExpression(`${a} ${op} ${b}`)!.value.n, BigInt(r), `${a} ${op} ${b} = ${r}`);
      }
      assert.equal(judgeGame24(puzzle, t.answerLine!), true, t.answerLine);
      assert.match(example, /Retracing the solution:\nStep 1: /);
    }
  });
});

describe('aot technique', () => {
  let server: FakeServer;
  let replies: string[] = [];
  before(async () => {
    server = await startFakeServer(() => ({ choices: [replies.shift() ?? 'nothing'] }));
  });
  after(() => server.close());

  it('draws the written search with one call and judges the answer', async () => {
    replies = [TRACE];
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: aotTechnique, task: game24Task, input: '4 9 10 13', run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(report.summary.answer, '(13 - 9) * (10 - 4)');
    assert.equal(server.requests.length - start, 1, 'one generation');
    const req = server.requests[start];
    assert.equal(req.body.max_tokens, 2048);
    assert.equal(req.body.temperature, 0);
    assert.match(req.prompt, /Input: 4 9 10 13\nSearch:\n$/);

    const { nodes, edges } = run.graph.snapshot();
    const branch = (path: string) => nodes.find((n) => n.meta?.path === path)!;
    const search = nodes.find((n) => n.meta?.attempt === 1)!;
    assert.equal(search.calls.length, 1);
    assert.ok(search.usage.promptTokens > 0, 'the generation carries the tokens');
    assert.match(search.text, /3 branches, 1 dead ends, 1 backtracks, solved/);
    assert.equal(branch('1.1').status, 'pruned');
    assert.equal(branch('1').status, 'selected');
    assert.equal(branch('1.2').status, 'selected');
    assert.ok(edges.some((e) => e.kind === 'expand' && e.from === search.id && e.to === branch('1').id));
    assert.ok(edges.some((e) => e.kind === 'expand' && e.from === branch('1').id && e.to === branch('1.1').id));
    assert.deepEqual(edges.filter((e) => e.kind === 'backtrack').map((e) => [e.from, e.to]), [[branch('1.1').id, branch('1').id]]);
    const answer = nodes.find((n) => n.kind === 'answer')!;
    assert.equal(answer.status, 'selected');
    assert.equal(answer.meta?.correct, true);
    assert.ok(edges.some((e) => e.kind === 'answer' && e.from === branch('1.2').id && e.to === answer.id));
  });

  it('keeps unparseable output as one plain thought; with attempts > 1 the first answer stands, unjudged', async () => {
    replies = ['I could not search.\nAnswer: 4 + 9 + 10 + 13 = 24', TRACE];
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: aotTechnique, task: game24Task, input: '4 9 10 13', params: { attempts: '3', temperature: '0.8' }, run });
    assert.equal(server.requests.length - start, 1, 'an answer ends the attempts: the task judge is not consulted');
    assert.equal(report.summary.answer, '4 + 9 + 10 + 13');
    assert.deepEqual(report.candidates, ['4 + 9 + 10 + 13']);
    const first = run.graph.nodes().find((n) => n.meta?.attempt === 1)!;
    assert.equal(first.meta?.parsed, false);
    assert.match(first.text, /^I could not search/);
  });

  it('useJudge=true retries after a wrong answer and answers with a correct one (pass@k)', async () => {
    replies = ['I could not search.\nAnswer: 4 + 9 + 10 + 13 = 24', TRACE];
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: aotTechnique, task: game24Task, input: '4 9 10 13', params: { attempts: '3', temperature: '0.8', useJudge: 'true' }, run });
    assert.equal(server.requests.length - start, 2, 'stopped after the first correct answer');
    assert.equal(report.summary.answer, '(13 - 9) * (10 - 4)');
    assert.deepEqual(report.candidates, ['4 + 9 + 10 + 13', '(13 - 9) * (10 - 4)']);
  });

  it('an attempt that ends without an answer is followed by another, without the judge', async () => {
    replies = ['1. 13 - 9 = 4 (left: 4 4 10) -> dead end', 'I could not search.\nAnswer: 4 + 9 + 10 + 13 = 24', TRACE];
    const start = server.requests.length;
    const report = await runTechnique({ technique: aotTechnique, task: game24Task, input: '4 9 10 13', params: { attempts: '3', temperature: '0.8' }, run: runAt(server.baseUrl) });
    assert.equal(server.requests.length - start, 2);
    assert.equal(report.summary.answer, '4 + 9 + 10 + 13');
  });

  it('a search that never answers gives an empty answer, not a guessed line', async () => {
    replies = ['1. try this -> dead end\nBacktrack to start\n2. try that -> dead end'];
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: aotTechnique, task: genericTask, input: 'unsolvable?', run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(report.summary.answer, '');
    assert.equal(run.graph.nodes().filter((n) => n.status === 'pruned').length, 2);
  });

  it('rejects bad parameters before any call', async () => {
    const start = server.requests.length;
    await assert.rejects(
      runTechnique({ technique: aotTechnique, task: genericTask, input: 'x', params: { attempts: '0' }, run: runAt(server.baseUrl) }),
      /parameter "attempts" must be between 1 and 5, got 0/,
    );
    assert.equal(server.requests.length, start);
  });
});
