// Task files: the schema with one-line errors (file, line, field), the built-in tasks read from tasks/,
// each scorer a task file can declare, the new tasks' data and prompts, and an evaluation whose template
// fails on one item. Model calls go to the loopback server through the real openai SDK.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { loadDataset } from '../../src/core/eval/dataset';
import { evaluate } from '../../src/core/eval/evaluate';
import { chosenLetter, optionsOf, readJudgement, scorerForTask } from '../../src/core/eval/taskScorer';
import { readCheckpoint } from '../../src/core/eval/checkpoint';
import { packageRoot } from '../../src/core/packageRoot';
import { taskOf } from '../../src/core/tasks/builtIn';
import { crosswordScores, parseBoard } from '../../src/core/tasks/crosswordBoard';
import { allTasks, findTask, loadTask, resolveTask } from '../../src/core/tasks/registry';
import { TaskFileError, parseTaskFile } from '../../src/core/tasks/taskFile';
import { cotTechnique } from '../../src/core/techniques/cot';
import { ioTechnique } from '../../src/core/techniques/io';
import { programPrompt } from '../../src/core/techniques/potProgram';
import { totTechnique } from '../../src/core/techniques/tot';
import { TemplateLibrary } from '../../src/core/templates/library';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { modelAt, runAt } from '../support/runHelpers';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-tasks-'));
const genericTaskOf = () => findTask('generic')!;
const root = packageRoot(__dirname);

function taskFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('task file schema', () => {
  const error = (text: string) => {
    try {
      parseTaskFile(text, 'my.task.yaml');
    } catch (err) {
      assert.ok(err instanceof TaskFileError, String(err));
      assert.ok(!err.message.includes('\n'), err.message);
      return err.message;
    }
    assert.fail('no error');
  };

  it('names the file, the line and the field of each problem', () => {
    assert.equal(error('id: t\ndescription: d\nscorer:\n  type: nearly\n'), 'my.task.yaml:4: scorer.type must be one of exact, numeric, multiple-choice, regex, contains, judge, javascript, game24, crosswords');
    assert.equal(error('id: t\ndescription: d\nscorer:\n  type: numeric\n  tolerence: 0.1\n'), 'my.task.yaml:5: scorer: unknown field "tolerence"');
    assert.equal(error('id: t\ndescription: d\ndefaultSteps: 0\n'), 'my.task.yaml:3: defaultSteps must be >= 1');
    assert.equal(error('id: T!\ndescription: d\n'), 'my.task.yaml:1: id must match pattern "^[a-z0-9][a-z0-9-]*$"');
    assert.equal(error('description: d\n'), 'my.task.yaml:1: the file needs "id"');
    assert.equal(error('id: t\ndescription: d\nprogress:\n  left: "(unclosed"\n'), 'my.task.yaml:4: progress.left is not a valid regular expression');
    assert.equal(error('id: t\ndescription: d\ntemplates:\n  proposal: x/y\n'), 'my.task.yaml:4: templates: unknown field "proposal"');
    assert.match(error('id: t\n  description: [\n'), /^my\.task\.yaml:\d+: not valid YAML: /);
  });

  it('a task file gives Program of Thoughts its own program prompts (potPython, potJavascript); without them PoT asks as always', () => {
    const templatesDir = mkdtempSync(join(tmpdir(), 'thoughtscope-pot-templates-'));
    mkdirSync(join(templatesDir, 'choices'));
    writeFileSync(join(templatesDir, 'choices', 'pot.liquid'), 'Write Python that sets ans to the letter of the right option.\n{{ input }}');
    const templates = TemplateLibrary.builtIn().withDir(templatesDir, 'user');
    const path = taskFile('choices.task.yaml', 'id: choices\ndescription: d\ntemplates:\n  potPython: choices/pot\n');
    const task = loadTask(path, '', { baseDir: dir, templates })!;
    const python = programPrompt(task, 'python', 'Q?');
    assert.equal(python.text, 'Write Python that sets ans to the letter of the right option.\nQ?');
    assert.deepEqual(python.templates.map((t) => `${t.name}:${t.source}`), ['choices/pot:user']);
    assert.equal(programPrompt(task, 'javascript', 'Q?').templates[0].name, 'pot/javascript');
    assert.equal(programPrompt(genericTaskOf(), 'python', 'Q?').templates[0].name, 'pot/python');
  });

  it('a task file naming a template that does not exist fails as it loads, naming the nearest ones', () => {
    const path = taskFile('missing.task.yaml', 'id: missing\ndescription: d\ntemplates:\n  cot: game24/cott\n');
    assert.throws(() => loadTask(path, ''), /no template named "game24\/cott"; game24\/ has game24\/cot, game24\/cot-steps/);
  });

  it('the schema is the published one, and the built-in task files follow it', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schemas', 'task.schema.json'), 'utf8'));
    assert.equal(schema.title, 'Thoughtscope task file');
    assert.deepEqual(allTasks().map((t) => t.id), ['generic', 'game24', 'creative-writing', 'crosswords', 'multiple-choice', 'numeric-answer']);
    for (const t of allTasks()) assert.equal(t.file, join(root, 'tasks', `${t.id}.task.yaml`));
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    // (Experiment files have entries of their own beside these.)
    assert.deepEqual(manifest.contributes.yamlValidation.filter((v: { url: string }) => v.url === './schemas/task.schema.json'), [{ fileMatch: ['*.task.yaml', '*.task.yml'], url: './schemas/task.schema.json' }]);
    assert.deepEqual(manifest.contributes.jsonValidation.filter((v: { url: string }) => v.url === './schemas/task.schema.json'), [{ fileMatch: ['*.task.json'], url: './schemas/task.schema.json' }]);
  });

  it('game24 and generic come from their files: auto, default steps and progress rules as before', () => {
    assert.equal(resolveTask('auto', '4 9 10 13')?.id, 'game24');
    assert.equal(resolveTask('auto', 'Why?')?.id, 'generic');
    assert.equal(findTask('game24')!.defaultSteps, 4);
    assert.equal(findTask('generic')!.defaultSteps, 3);
    // progress.final is read from the file: a copy whose final rule is "12" asks for the answer once 12 is left.
    const spec = { ...findTask('game24')!.spec, progress: { ...findTask('game24')!.spec.progress, final: '^12$' } };
    const twelve = taskOf({ spec, file: join(dir, 'g.task.yaml') });
    assert.match(twelve.proposePrompt('4 9 10 13', '13 - 1 = 12 (left: 12)\n').text, /Steps:\n13 - 1 = 12 \(left: 12\)\n$/);
    assert.match(findTask('game24')!.proposePrompt('4 9 10 13', '13 - 1 = 12 (left: 12)\n').text, /Input: 12\nPossible next steps:\n$/);
  });
});

describe('scorers a task file declares', () => {
  const scorerOf = (yaml: string) => scorerForTask(loadTask(taskFile(`s${Math.random().toString(36).slice(2)}.task.yaml`, `id: s\ndescription: d\n${yaml}`), '')!)!;
  const item = (expected: string, input = 'q') => ({ index: 0, input, expected });

  it('numeric: a relative tolerance, or the gold precision with percent forms', () => {
    const tolerant = scorerOf('scorer:\n  type: numeric\n  tolerance: 0.01\n');
    assert.equal(tolerant.score(item('100'), 'Answer: 100.9'), true);
    assert.equal(tolerant.score(item('100'), '102'), false);
    const gold = scorerOf('scorer:\n  type: numeric\n  rounding: gold\n  percent: true\n');
    assert.equal(gold.score(item('0.35'), 'about 0.3512'), true);
    assert.equal(gold.score(item('35'), '0.35'), true, 'a percentage written as a fraction');
    assert.equal(gold.score(item('0.35'), '0.36'), false);
    const plain = scorerOf('scorer:\n  type: numeric\n');
    assert.equal(plain.score(item('18'), '$18.00'), true);
    assert.equal(plain.score(item('18'), 'none'), false);
  });

  it('multiple choice: the letter or the option text, either way round', () => {
    const mc = scorerOf('scorer:\n  type: multiple-choice\n');
    const input = 'Capital of France?\nA) Lyon\nB) Paris\nC) Nice';
    for (const answer of ['B', '(B)', 'B) Paris', 'Option B', 'The answer is B.', 'paris']) assert.equal(mc.score(item('B', input), answer), true, answer);
    for (const answer of ['A', 'Lyon', 'C) Nice', '']) assert.equal(mc.score(item('B', input), answer), false, answer);
    assert.equal(mc.score(item('Paris', input), 'B'), true, 'expected given as the option text');
    assert.deepEqual([...optionsOf(input).keys()], ['A', 'B', 'C']);
    assert.equal(chosenLetter('D', optionsOf(input), 'ABC'), undefined);
  });

  it('regex with {expected}, contains, exact', () => {
    assert.equal(scorerOf('scorer:\n  type: regex\n  pattern: "^x = {expected}$"\n').score(item('3.5'), 'x = 3.5'), true);
    assert.equal(scorerOf('scorer:\n  type: regex\n  pattern: "^x = {expected}$"\n').score(item('3.5'), 'x = 375'), false, 'the expected answer is escaped');
    assert.equal(scorerOf('scorer:\n  type: contains\n').score(item('blue whale'), 'The Blue Whale.'), true);
    assert.equal(scorerOf('scorer:\n  type: exact\n  caseSensitive: true\n').score(item('Paris'), 'paris'), false);
    assert.equal(scorerOf('scorer:\n  type: exact\n').score(item('Paris'), 'paris'), true);
  });

  it('an LLM judge reads "Score: N" or the last number in range', () => {
    assert.equal(readJudgement('Good.\nScore: 8', 1, 10), 8);
    assert.equal(readJudgement('Thus the coherency score is 7', 1, 10), 7);
    assert.equal(readJudgement('I would say 9. Surely not 12.', 1, 10), 9);
    assert.equal(readJudgement('no idea', 1, 10), undefined);
  });
});

describe('the ToT paper tasks and the generic ones', () => {
  it('crosswords: the 20 shipped test boards load as clues and boards; letters, words and game are scored as the paper counts them', () => {
    const items = loadDataset(join(root, 'data', 'crosswords', 'mini0505_0_100_5.json'), true, 'crosswords');
    assert.equal(items.length, 20);
    assert.match(items[0].input, /^h1\. An agendum; something to be done\nh2\. An engine\n[\s\S]*\nv5\. Desiccator; more dry$/);
    assert.equal(items[0].expected, 'AGEND\nMOTOR\nARTSY\nSALLE\nSLEER');
    const gold = parseBoard(items[0].expected!)!;
    assert.deepEqual(crosswordScores(gold, gold), { letters: 1, words: 1, game: 1 });
    // One wrong letter in the middle breaks one across and one down word.
    const off = `${gold.slice(0, 12)}X${gold.slice(13)}`;
    assert.deepEqual(crosswordScores(off, gold), { letters: 24 / 25, words: 8 / 10, game: 0 });
    const scorer = scorerForTask(findTask('crosswords')!)!;
    assert.equal(scorer.score(items[0], 'A G E N D\nM O T O R\nA R T S Y\nS A L L E\nS L E E R'), true);
    assert.deepEqual(scorer.measures!(items[0], 'AGEND\nMOTOR\nARTSY\nSALLE\nSLEEX'), { letters: 24 / 25, words: 8 / 10, game: 0 });
  });

  it('crosswords with ToT: a step fills a word, the state shows the board, the answer is the board', async () => {
    const server = await startFakeServer((req) => {
      if (/List possible answers/.test(req.prompt)) return { choices: [/_____\n_____\n_____\n_____\n_____/.test(req.prompt) ? 'h1. AGEND (certain)\nv1. ASSET (low)' : 'h2. MOTOR (high)'] };
      return { choices: ['sure', 'sure', 'sure'] };
    });
    try {
      const run = runAt(server.baseUrl);
      const report = await runTechnique({ technique: totTechnique, task: findTask('crosswords')!, input: loadDataset(join(root, 'data', 'crosswords', 'mini0505_0_100_5.json'), true, 'crosswords')[0].input, params: { steps: 2, breadth: 1 }, run });
      assert.equal(report.summary.answer, 'AGEND\nMOTOR\n_____\n_____\n_____');
      const second = server.requests.find((r) => r.prompt.includes('AGEND\n_____'))!;
      assert.match(second.prompt, /Filled in:\nh1\. An agendum; something to be done: AGEND\n/);
      assert.match(second.prompt, /v1\. To heap: A____\n/);
    } finally {
      server.close();
    }
  });

  it('creative writing: plan then passage, the answer is the passage, the judge averages coherency 1-10 over its samples', async () => {
    const inputs = loadDataset(join(root, 'data', 'creative-writing', 'data_100_random_text.txt'), false, 'lines');
    assert.equal(inputs.length, 100);
    const server = await startFakeServer((req) => {
      if (req.prompt.includes('coherency score')) return { choices: ['Fine.\nThus the coherency score is 8', 'Thus the coherency score is 6', 'unreadable', 'Thus the coherency score is 7', 'Score: 9'] };
      if (req.prompt.includes('The best choice is')) return { choices: ['The best choice is 1'] };
      if (req.prompt.includes('Plan:\nA plan')) return { choices: ['Passage:\nOne.\n\nTwo.'] };
      return { choices: ['Plan:\nA plan\n\nPassage:\nnot kept at step one'] };
    });
    try {
      const task = findTask('creative-writing')!;
      const results = await evaluate({ technique: totTechnique, task, scorer: scorerForTask(task)!, items: inputs.slice(0, 1), model: modelAt(server.baseUrl), params: { generate: 'sample', evaluate: 'vote', breadth: 1, generateSamples: 1, evaluateSamples: 1 } });
      assert.equal(results.items[0].answer, 'One.\n\nTwo.');
      assert.equal(results.items[0].metric, (8 + 6 + 7 + 9) / 4);
      assert.equal(results.summary.metric?.name, 'score');
      const judge = server.requests.find((r) => r.prompt.includes('coherency score'))!;
      assert.equal(judge.body.n, 5);
      assert.match(judge.prompt, /Passage:\nOne\.\n\nTwo\.$/);
    } finally {
      server.close();
    }
  });

  it('numeric-answer and multiple-choice: few-shot CoT from the file\'s examples, scored by their scorers; options from JSONL', async () => {
    const data = taskFile('mc.jsonl', `${JSON.stringify({ question: 'Which is a prime?', options: ['4', '7', '9'], answer: 'B' })}\n`);
    const items = loadDataset(data, true);
    assert.equal(items[0].input, 'Which is a prime?\nA) 4\nB) 7\nC) 9');
    const server = await startFakeServer((req) => ({ choices: [req.prompt.includes('Which is a prime?') ? '7 has no divisors but 1 and itself.\nAnswer: B' : 'So 12 x 2 = 24.\nAnswer: 24'] }));
    try {
      const mc = findTask('multiple-choice')!;
      const r1 = await evaluate({ technique: cotTechnique, task: mc, scorer: scorerForTask(mc)!, items, model: modelAt(server.baseUrl), params: { fewShot: true } });
      assert.equal(r1.summary.correct, 1);
      assert.match(server.requests[0].prompt, /^Question: Which gas do plants take in for photosynthesis\?\nA\) Oxygen\n[\s\S]*Answer: B\n\n[\s\S]*Question: Which is a prime\?\nA\) 4\nB\) 7\nC\) 9\n/);
      const numeric = findTask('numeric-answer')!;
      const r2 = await evaluate({ technique: ioTechnique, task: numeric, scorer: scorerForTask(numeric)!, items: [{ index: 0, input: 'Twelve pairs of socks: how many socks?', expected: '24' }], model: modelAt(server.baseUrl) });
      assert.equal(r2.summary.correct, 1);
      assert.equal(server.requests[1].prompt, 'Question: Twelve pairs of socks: how many socks?\n\nReply with only the final number, on a line "Answer: <number>".');
    } finally {
      server.close();
    }
  });
});

describe('an evaluation whose template fails on one item', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer(() => ({ choices: ['Answer: 4'] }));
  });
  after(() => server.close());

  it('keeps every finished item, starts no new one and names the file and line', async () => {
    const folder = join(dir, 'boom-templates');
    mkdirSync(join(folder, 'generic'), { recursive: true });
    // Renders for every input but "boom", where it reads a property a string does not have.
    writeFileSync(join(folder, 'generic', 'cot.liquid'), 'Q: {{ input }}\n{% if input == "boom" %}{{ input.size_in_words }}{% endif %}');
    const task = findTask('generic')!.withTemplates(TemplateLibrary.builtIn().withDir(folder, 'user'));
    const scorer = scorerForTask(taskOf({ spec: { id: 'four', description: 'd', scorer: { type: 'numeric' } }, file: join(dir, 'four.task.yaml') }))!;
    const checkpoint = join(dir, 'boom.checkpoint.jsonl');
    const items = [
      { index: 0, input: '2+2', expected: '4' },
      { index: 1, input: 'boom', expected: '4' },
      { index: 2, input: '1+3', expected: '4' },
    ];
    const results = await evaluate({ technique: cotTechnique, task, scorer, items, model: modelAt(server.baseUrl), concurrency: 1, checkpoint });
    assert.deepEqual(results.items.map((i) => [i.index, i.correct]), [[0, true]]);
    assert.equal(results.meta.unfinished, 2);
    assert.match(results.meta.stopped!, /^item 1: .*boom-templates\/generic\/cot\.liquid:2: undefined variable: input\.size_in_words \(template generic\/cot\)$/);
    assert.deepEqual([...readCheckpoint(checkpoint).finished.keys()], [0]);
    assert.equal(server.requests.length, 1, 'the failing item sent nothing and no later item started');
  });
});
