// Graph of Thoughts: presets, user graph files and their validation, against the loopback server.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { genericTask } from '../../src/core/tasks/generic';
import { gotTechnique } from '../../src/core/techniques/got';
import { keywordCountErrors, setIntersectionErrors, sortErrors } from '../../src/core/techniques/got/functions';
import { parseLlmScore, splitResponse } from '../../src/core/techniques/got/operations';
import { ParamError } from '../../src/core/techniques/params';
import { PRESETS, presetGraph } from '../../src/core/techniques/got/presets';
import { TemplateLibrary } from '../../src/core/templates/library';
import { startFakeServer, type FakeHandler, type FakeReply, type FakeServer } from '../support/fakeOpenAI';
import { scripted as script } from '../support/gotModels';
import { runAt } from '../support/runHelpers';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-got-'));

let server: FakeServer;
let handler: FakeHandler = () => ({ choices: ['unscripted'] });
before(async () => {
  server = await startFakeServer((req) => handler(req));
});
after(() => server.close());

const SORTING_SCRIPT: Array<[RegExp, FakeReply]> = [
  [/^Split the list of 8 numbers/, { choices: ['{"List 1": [5, 1, 4, 2], "List 2": [8, 3, 7, 6]}'] }],
  [/^Sort the list[\s\S]*Input: \[5, 1, 4, 2\]$/, { choices: ['[1, 4, 2, 5]', '[1, 2, 4, 5]'] }],
  [/^Sort the list[\s\S]*Input: \[8, 3, 7, 6\]$/, { choices: ['[3, 6, 7, 8]', '[3, 7, 6, 8]'] }],
  // Both merges have one error: a pair out of order, a number lost.
  [/^Merge the sorted lists/, { choices: ['[1, 2, 3, 4, 6, 5, 7, 8]', '[1, 2, 3, 4, 5, 6, 7]'] }],
  [/^The second list below was meant to be/, { choices: ['[1, 2, 4, 3, 5, 6, 7, 8]', '[1, 2, 3, 4, 5, 6, 7, 8]'] }],
];

describe('got sorting preset', () => {
  it('splits, sorts the parts, merges and improves the merge', async () => {
    handler = script(SORTING_SCRIPT);
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: gotTechnique, task: genericTask, input: '[5, 1, 4, 2, 8, 3, 7, 6]', run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, '[1, 2, 3, 4, 5, 6, 7, 8]');

    // split, sort part 1, sort part 2, merge, improve: five requests with the reference's response counts.
    const sent = server.requests.slice(start);
    assert.deepEqual(sent.map((r) => r.body.n ?? 1), [1, 5, 5, 10, 10]);
    const { nodes, edges } = run.graph.snapshot();
    const question = nodes.find((n) => n.kind === 'question')!;
    // split + 2 x (select, sort, score, keep best) + merge, score, keep best, improve, score, keep best + ground truth
    assert.equal(question.meta?.operations, 16);

    const byOp = (op: string) => nodes.filter((n) => n.meta?.operation === op);
    assert.deepEqual(byOp('split').map((n) => n.text), ['[5, 1, 4, 2]', '[8, 3, 7, 6]']);
    // The error count, operation by operation: sorted parts 0 (best of 5), merge 1, improve 0.
    const bestScore = (op: string) => Math.min(...byOp(op).map((n) => n.score!));
    assert.equal(bestScore('solve 1'), 0);
    assert.equal(bestScore('solve 2'), 0);
    assert.equal(bestScore('merge 1'), 1);
    assert.equal(bestScore('improve 1'), 0);
    assert.ok(byOp('solve 1').some((n) => n.score === 1 && n.status === 'pruned'), 'the worse sort is dropped by keep best');

    // The merge is one node with an edge from each sorted part; the improve prompt shows the list to sort
    // (the whole input: this merge covers all of it) and the wrong answer, never an error count.
    const merged = byOp('merge 1')[0];
    const into = edges.filter((e) => e.to === merged.id);
    assert.equal(into.length, 2);
    assert.ok(into.every((e) => e.kind === 'aggregate' && e.label === 'aggregate: merge 1'));
    assert.deepEqual(merged.calls.map((c) => c.role), ['aggregate: merge 1', 'generate: improve 1'], 'merging and improving calls are recorded on the merged node');
    assert.doesNotMatch(sent[4].prompt, /out of order|missing|extra|mistakes/);
    assert.match(sent[4].prompt, /\nList: \[5, 1, 4, 2, 8, 3, 7, 6\]\nWrongly sorted: \[1, 2, 3, 4, 6, 5, 7, 8\]$/);

    const final = nodes.find((n) => n.text === '[1, 2, 3, 4, 5, 6, 7, 8]' && n.kind === 'thought')!;
    assert.equal(final.meta?.correct, true, 'ground truth: sorted');
    const answer = nodes.find((n) => n.kind === 'answer')!;
    assert.ok(edges.some((e) => e.from === final.id && e.to === answer.id && e.kind === 'answer'));
    assert.equal(answer.meta?.correct, true);
    // Tokens and cost sit on the nodes that made the calls and add up to the run's totals.
    assert.equal(nodes.reduce((s, n) => s + n.usage.promptTokens, 0), report.summary.totals.promptTokens);
  });

  it('improves even a correct merge (the reference always does), keeping it when nothing is better; `branches` replaces the response counts', async () => {
    handler = script([[/^Merge the sorted lists/, { choices: ['[1, 2, 3, 4, 5, 6, 7, 8]'] }], [/^The second list below was meant to be/, { choices: ['[1, 2, 3, 4, 5, 6, 8]'] }], ...SORTING_SCRIPT]);
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: gotTechnique, task: genericTask, input: '[5, 1, 4, 2, 8, 3, 7, 6]', params: { branches: '2' }, run });
    assert.equal(report.summary.answer, '[1, 2, 3, 4, 5, 6, 7, 8]', 'the worse improvements do not replace the correct merge');
    assert.deepEqual(server.requests.slice(start).map((r) => r.body.n ?? 1), [1, 2, 2, 2, 2]);
  });

  it('keeps the graph so far when cancelled mid-run', async () => {
    const run = runAt(server.baseUrl);
    handler = script([[/^Merge the sorted lists/, { hang: true }], ...SORTING_SCRIPT]);
    const start = server.requests.length;
    const pending = runTechnique({ technique: gotTechnique, task: genericTask, input: '[5, 1, 4, 2, 8, 3, 7, 6]', run });
    while (!server.requests.slice(start).some((r) => /^Merge the sorted lists/.test(r.prompt))) await new Promise((r) => setTimeout(r, 5));
    run.cancel();
    const report = await pending;
    assert.equal(report.summary.outcome, 'cancelled');
    const nodes = run.graph.nodes();
    assert.equal(nodes.filter((n) => n.meta?.operation === 'solve 1').length, 5, 'the sorted parts are kept');
    assert.ok(nodes.every((n) => n.status !== 'running' && n.status !== 'pending'));
  });

  it('rejects an input the preset cannot work on before any call', async () => {
    handler = script([]);
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    await assert.rejects(
      runTechnique({ technique: gotTechnique, task: genericTask, input: 'no numbers here', run }),
      (err: Error) => err instanceof ParamError && /technique "got": the sorting preset needs a list of at least 2 numbers/.test(err.message),
    );
    assert.equal(run.graph.nodes().length, 0, 'no graph was started');
    assert.equal(server.requests.length, start);
  });
});

describe('got presets', () => {
  it('every preset builds a valid graph for a suitable input', () => {
    const inputs: Record<(typeof PRESETS)[number], string> = {
      sorting: Array.from({ length: 40 }, (_, i) => (i * 7) % 10).join(' '),
      'set-intersection': '[1, 2, 3, 4]\n[3, 4, 5, 6]',
      'keyword-counting': 'Keywords: Paris, Rome\nParis is big. Rome is old. Paris is lit. Rome has hills. So does Paris.',
      'document-merging': 'Doc one.\n---\nDoc two.',
    };
    for (const name of PRESETS) assert.ok(presetGraph(name, inputs[name]).operations.length > 3, name);
    // 40 numbers: 3 parts, merged pairwise (two merges), each merge improved.
    const sort = presetGraph('sorting', inputs.sorting);
    assert.equal(sort.operations.filter((o) => o.type === 'aggregate').length, 2);
    assert.equal(sort.operations.filter((o) => o.type === 'generate' && o.id.startsWith('improve')).length, 2);
    assert.throws(() => presetGraph('set-intersection', 'just [1, 2]'), /needs two lists/);
    assert.throws(() => presetGraph('document-merging', 'one doc'), /separated by lines of ---/);
  });

  it('error functions count errors as in the paper', () => {
    assert.equal(sortErrors.errors('[1, 3, 2]', '[3, 2, 1, 1]', ''), 2, 'one pair out of order, one 1 missing');
    assert.equal(sortErrors.errors('[1, 1, 2, 3]', '[3, 2, 1, 1]', ''), 0);
    const input = '[1, 2, 3, 4]\n[3, 4, 5, 6]';
    assert.equal(setIntersectionErrors.errors('[3, 4]', input, input), 0);
    assert.equal(setIntersectionErrors.errors('[3, 5, 5]', input, input), 3, 'missing 4, 5 not common, 5 repeated');
    assert.equal(setIntersectionErrors.errors('[4]', '[4, 5]', input), 0, 'a part is judged against its own numbers');
    const kw = 'Keywords: Paris, Rome\nParis and paris, and Rome.';
    assert.equal(keywordCountErrors.errors('{"Paris": 2, "rome": 1}', kw, kw), 0);
    assert.equal(keywordCountErrors.errors('{"Paris": 1, "Oslo": 1}', kw, kw), 3);
    assert.equal(keywordCountErrors.errors('no json', kw, kw), 3, 'unreadable counts claim nothing: every true count is an error');
    assert.equal(keywordCountErrors.errors('{"France": 1}', 'I love France.', 'I love France.'), 0, 'countries by default');
  });

  it('reads split responses and model scores leniently', () => {
    assert.deepEqual(splitResponse('Here:\n```json\n{"List 1": [1,2], "List 2": [3]}\n```', 'json'), ['[1, 2]', '[3]']);
    assert.equal(splitResponse('not json', 'json'), undefined);
    assert.deepEqual(splitResponse('1. a\n- b\n\n', 'lines'), ['a', 'b']);
    assert.equal(parseLlmScore('Redundancy: 6\nRetained: 3'), 4);
    assert.equal(parseLlmScore('Score: 2\nactually Score: 7.5'), 7.5);
    assert.equal(parseLlmScore('great'), undefined);
  });
});

describe('got graph files', () => {
  function file(name: string, content: unknown): string {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    return name;
  }

  it('runs a user graph: generate lines, model scores, keep best, aggregate, validate and improve', async () => {
    const path = file('fruit.json', {
      name: 'fruit salad',
      operations: [
        { id: 'ideas', type: 'generate', prompt: 'List fruit for {input}', split: 'lines' },
        { id: 'rate', type: 'score', scorer: 'llm', prompt: 'Rate {thought}; end with Score: 0-10' },
        { id: 'top', type: 'keepBest', n: 2 },
        { id: 'combine', type: 'aggregate', prompt: 'Combine:\n{thoughts}' },
        { id: 'check', type: 'validateAndImprove', validator: 'llm', validatePrompt: 'Check: {thought}', prompt: 'Fix "{thought}": {feedback}', tries: 2 },
      ],
    });
    const scores: Record<string, number> = { apples: 9, pears: 3, plums: 7 };
    handler = script([
      [/^List fruit/, { choices: ['- apples\n- pears\n- plums'] }],
      ...Object.entries(scores).map(([fruit, s]): [RegExp, FakeReply] => [new RegExp(`^Rate ${fruit};`), { choices: [`Tasty. Score: ${s}`] }]),
      [/^Combine:\nPart 1:\napples\n\nPart 2:\nplums$/, { choices: ['apples and plums'] }],
      [/^Check: apples and plums$/, { choices: ['invalid: add a verb'] }],
      [/^Fix "apples and plums": invalid: add a verb$/, { choices: ['eat apples and plums'] }],
      [/^Check: eat apples and plums$/, { choices: ['Valid.'] }],
    ]);
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: gotTechnique, task: genericTask, input: 'a salad', params: { file: path }, run, host: { baseDir: dir } });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, 'eat apples and plums');
    assert.equal(server.requests.length - start, 8);
    const nodes = run.graph.nodes();
    const node = (text: string) => nodes.find((n) => n.text === text && n.kind === 'thought')!;
    assert.equal(node('pears').status, 'pruned');
    assert.equal(node('apples').score, 9);
    const combined = node('apples and plums');
    assert.deepEqual(run.graph.parentsOf(combined.id).sort(), [node('apples').id, node('plums').id].sort());
    assert.equal(combined.meta?.valid, false);
    assert.equal(node('eat apples and plums').meta?.valid, true);
    assert.equal(nodes.find((n) => n.kind === 'question')!.meta?.graph, 'fruit salad');
  });

  it('renders template prompts from the run\'s library: built-in, overridden, or the user\'s own, recorded with each call', async () => {
    const templatesDir = mkdtempSync(join(tmpdir(), 'thoughtscope-got-templates-'));
    mkdirSync(join(templatesDir, 'got', 'sorting'), { recursive: true });
    mkdirSync(join(templatesDir, 'mine'), { recursive: true });
    writeFileSync(join(templatesDir, 'got', 'sorting', 'sort.liquid'), 'ORDER {{ thought }} ({{ size }} numbers)');
    writeFileSync(join(templatesDir, 'mine', 'rate.liquid'), 'RATE {{ thought }} for {{ input }}; end with Score: 0-{{ top }}');
    const templates = TemplateLibrary.builtIn().withDir(templatesDir, 'workspace');
    const path = file('templated.json', {
      operations: [
        { id: 'sort', type: 'generate', prompt: { template: 'got/sorting/sort', variables: { size: 3 } }, responses: 2 },
        { id: 'rate', type: 'score', scorer: 'llm', prompt: { template: 'mine/rate', variables: { top: 10 } } },
        { id: 'best', type: 'keepBest', n: 1 },
        { id: 'merge', type: 'aggregate', prompt: { template: 'got/sorting/merge' } },
      ],
    });
    handler = script([
      [/^ORDER \[3, 1, 2\] \(3 numbers\)$/, { choices: ['[1, 2, 3]', '[2, 1, 3]'] }],
      [/^RATE \[1, 2, 3\] for \[3, 1, 2\]; end with Score: 0-10$/, { choices: ['Score: 9'] }],
      [/^RATE \[2, 1, 3\] for/, { choices: ['Score: 2'] }],
      [/^Merge the sorted lists[\s\S]*\nPart 1:\n\[1, 2, 3\]$/, { choices: ['[1, 2, 3]'] }],
    ]);
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: gotTechnique, task: genericTask, input: '[3, 1, 2]', params: { file: path }, run, host: { baseDir: dir, templates } });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, '[1, 2, 3]');
    const uses = run.graph.nodes().flatMap((n) => n.calls.flatMap((c) => c.templates ?? []));
    const byName = new Map(uses.map((u) => [u.name, u]));
    assert.deepEqual([...byName.keys()].sort(), ['got/sorting/merge', 'got/sorting/sort', 'mine/rate']);
    assert.equal(byName.get('got/sorting/sort')!.source, 'workspace');
    assert.equal(byName.get('got/sorting/sort')!.variables.size, '3');
    assert.equal(byName.get('got/sorting/merge')!.source, 'built-in');
    assert.equal(byName.get('mine/rate')!.hash, TemplateLibrary.builtIn().withDir(templatesDir, 'workspace').get('mine/rate')!.hash);
  });

  it('a preset renders its templates/got prompts, and a workspace override that reads an unknown variable stops it before any call', async () => {
    const templatesDir = mkdtempSync(join(tmpdir(), 'thoughtscope-got-override-'));
    mkdirSync(join(templatesDir, 'got', 'sorting'), { recursive: true });
    writeFileSync(join(templatesDir, 'got', 'sorting', 'improve.liquid'), 'FIX {{ thought }} against {{ source }} by {{ deadline }}');
    const templates = TemplateLibrary.builtIn().withDir(templatesDir, 'workspace');
    handler = script(SORTING_SCRIPT);
    const start = server.requests.length;
    await assert.rejects(
      runTechnique({ technique: gotTechnique, task: genericTask, input: '[5, 1, 4, 2, 8, 3, 7, 6]', run: runAt(server.baseUrl), host: { templates } }),
      (err: Error) => {
        assert.match(err.message, /^technique "got": operations\[\d+\] \("improve 1"\)\.prompt: template "got\/sorting\/improve" \(\S*improve\.liquid\) reads "deadline", which this operation does not give/);
        return true;
      },
    );
    assert.equal(server.requests.length, start, 'no request was sent');
    const run = runAt(server.baseUrl);
    const before = server.requests.length;
    await runTechnique({ technique: gotTechnique, task: genericTask, input: '[5, 1, 4, 2, 8, 3, 7, 6]', run });
    // The split prompt, whole: the JSON shape is written by a loop over the parts.
    assert.equal(
      server.requests[before].prompt,
      'Split the list of 8 numbers below into 2 lists of about equal length, keeping the numbers in their order. ' +
        'Reply with only a JSON object {"List 1": ..., "List 2": ...} whose values are lists of numbers.\nInput: [5, 1, 4, 2, 8, 3, 7, 6]',
    );
    const names = run.graph.nodes().flatMap((n) => n.calls.map((c) => c.templates?.[0]?.name));
    assert.deepEqual([...new Set(names)], ['got/sorting/split', 'got/sorting/sort', 'got/sorting/merge', 'got/sorting/improve']);
  });

  it('rejects malformed files before any call, naming the field', async () => {
    handler = script([]);
    const gen = { id: 'g', type: 'generate', prompt: 'x {input}' };
    const cases: Array<[string | unknown, RegExp]> = [
      ['{ "operations": [ }', /not valid JSON \(/],
      [[gen], /the file must hold a JSON object with an "operations" list, got a list/],
      [{ operations: [] }, /"operations" must hold 1 to 200 operations, got 0/],
      [{ operation: [gen] }, /unknown top-level field "operation"/],
      [{ operations: [{ prompt: 'x' }] }, /operations\[0\]\.type must be one of generate, select, score, keepBest, aggregate, refine, validateAndImprove, groundTruth, got undefined/],
      [{ operations: [gen, { id: 'sort', type: 'generate', prompt: 'y', responses: 0 }] }, /operations\[1\] \("sort"\)\.responses must be a whole number from 1 to 30, got 0/],
      [{ operations: [{ type: 'generate', prompt: 'sort {thougth}' }] }, /operations\[0\]\.prompt uses the unknown placeholder \{thougth\}; allowed here: \{input\}, \{thought\}, \{source\}/],
      [{ operations: [{ type: 'aggregate', prompt: 'merge {thought}' }] }, /operations\[0\]\.prompt uses the unknown placeholder \{thought\}; allowed here: \{input\}, \{thoughts\}/],
      [{ operations: [gen, { type: 'aggregate', from: ['g', 'nope'], prompt: '{thoughts}' }] }, /operations\[1\]\.from names "nope", which is not "input" or the id of an earlier operation/],
      [{ operations: [gen, { type: 'keepBest', n: 1 }] }, /operations\[1\] \("op2"\) is a keepBest whose input thoughts are not all scored/],
      [{ operations: [{ ...gen, respones: 3 }] }, /operations\[0\] \("g"\): unknown field "respones" for a generate operation/],
      [{ operations: [gen, { type: 'score', scorer: 'count-errors' }] }, /operations\[1\]\.scorer must be "llm" or one of sort-errors, set-intersection-errors, keyword-count-errors, keyword-merge-errors, got "count-errors"/],
      [{ operations: [gen, { type: 'score', scorer: 'llm' }] }, /operations\[1\]\.prompt must be a non-empty prompt text or \{"template": \.\.\.\}, got nothing/],
      // Template prompts: the template must exist and read only what the operation and its variables give.
      [{ operations: [{ type: 'generate', prompt: { template: 'got/sorting/sorrt' } }] }, /operations\[0\]\.prompt\.template: no template named "got\/sorting\/sorrt"; got\/ has [^;]*got\/sorting\/sort/],
      [{ operations: [{ type: 'generate', prompt: { template: 'got/sorting/split' } }] }, /operations\[0\]\.prompt: template "got\/sorting\/split" \(\S*split\.liquid\) reads "count", "parts", which this operation does not give \(it gives: input, thought, source\)/],
      [{ operations: [{ type: 'generate', prompt: { template: 'got/sorting/sort', variables: { thought: 'x' } } }] }, /operations\[0\]\.prompt\.variables: "thought" is given by the operation itself/],
      [{ operations: [{ type: 'generate', prompt: { template: 'got/sorting/split', variables: { count: { n: 1 }, parts: 2 } } }] }, /operations\[0\]\.prompt\.variables\.count must be text, a number, true\/false or a list/],
      [{ operations: [{ type: 'generate', prompt: { template: 'got/sorting/sort', vars: {} } }] }, /operations\[0\]\.prompt: unknown field "vars"; a template prompt has template and variables/],
      [{ operations: [gen, { id: 'g', type: 'score', scorer: 'sort-errors' }] }, /operations\[1\] \("g"\)\.id "g" is used twice/],
      [{ operations: [gen, { type: 'groundTruth' }] }, /operations\[1\]\.check must be one of sort-errors/],
    ];
    const start = server.requests.length;
    for (const [i, [content, pattern]] of cases.entries()) {
      const path = file(`bad${i}.json`, content);
      await assert.rejects(
        runTechnique({ technique: gotTechnique, task: genericTask, input: 'x', params: { file: path }, run: runAt(server.baseUrl), host: { baseDir: dir } }),
        (err: Error) => {
          assert.equal(err.name, 'ParamError');
          assert.match(err.message, new RegExp(`^technique "got" parameter "file": bad${i}\\.json: `));
          assert.match(err.message, pattern);
          assert.doesNotMatch(err.message, /\n/);
          return true;
        },
      );
    }
    await assert.rejects(
      runTechnique({ technique: gotTechnique, task: genericTask, input: 'x', params: { file: 'missing.json' }, run: runAt(server.baseUrl), host: { baseDir: dir } }),
      /parameter "file": cannot read .*missing\.json \(no such file\)/,
    );
    assert.equal(server.requests.length, start, 'no request was sent');
  });
});
