// Experiment files: the published schema is the one the loader checks with, bad files get one line
// naming the file, line and field, and thresholds parse and judge as written.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { experimentItems } from '../../src/core/experiment/items';
import { loadExperiment, parseExperiment } from '../../src/core/experiment/load';
import { experimentSchema } from '../../src/core/experiment/schema';
import { checkThresholds, parseThreshold } from '../../src/core/experiment/thresholds';
import { SCORERS } from '../../src/core/eval/scorers';
import { summarize } from '../../src/core/eval/summary';
import type { EvalResults, ItemResult } from '../../src/core/eval/types';
import { allTasks, isTaskFileName } from '../../src/core/tasks/registry';
import { TECHNIQUES } from '../../src/core/techniques/registry';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-expfile-'));

/** The one-line error of loading `text` as thoughtscope.yaml, or '' when it loads. */
function errorOf(text: string, hostProfiles?: string[]): string {
  try {
    parseExperiment(text, join(dir, 'thoughtscope.yaml'), { hostProfiles });
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

const VALID = `task: numeric
dataset: questions.jsonl
techniques:
  - cot
  - technique: tot
    params:
      breadth: 3
`;

describe('the published schema', () => {
  it('schemas/experiment.schema.json is what the declarations generate (npm run gen:schemas)', () => {
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'schemas', 'experiment.schema.json'), 'utf8')), experimentSchema());
  });

  it('names every task and technique, and each technique’s parameters with their bounds', () => {
    const schema = experimentSchema() as { properties: Record<string, { enum?: string[]; items?: { anyOf: Array<Record<string, unknown>> } }> };
    const task = schema.properties.task as unknown as { anyOf: [{ enum: string[] }, { pattern: string }] };
    assert.deepEqual(task.anyOf[0].enum, [...SCORERS.map((s) => s.id), ...allTasks().filter((t) => t.spec.scorer && t.id !== 'game24').map((t) => t.id)]);
    // Either a known id or a task file's path: what tasks/registry.ts takes for a file.
    const taskFile = new RegExp(task.anyOf[1].pattern);
    for (const name of ['units.task.yaml', 'tasks/x.task.yml', '../a.task.json']) assert.ok(taskFile.test(name) && isTaskFileName(name), name);
    for (const name of ['units.yaml', 'units.task.yaml.bak', 'task.yaml']) assert.ok(!taskFile.test(name) && !isTaskFileName(name), name);
    const object = schema.properties.techniques.items!.anyOf[1] as { allOf: Array<{ if: { properties: { technique: { const: string } } }; then: { properties: { params: { properties: Record<string, { minimum?: number; maximum?: number }> } } } }> };
    assert.deepEqual(object.allOf.map((c) => c.if.properties.technique.const), TECHNIQUES.map((t) => t.id));
    const tot = TECHNIQUES.find((t) => t.id === 'tot')!;
    const breadth = tot.params.find((p) => p.name === 'breadth') as { min: number; max: number };
    const totParams = object.allOf.find((c) => c.if.properties.technique.const === 'tot')!.then.properties.params.properties;
    assert.equal(totParams.breadth.minimum, breadth.min);
    assert.equal(totParams.breadth.maximum, breadth.max);
    assert.ok(new Ajv({ strict: false }).compile(experimentSchema()));
  });

  it('package.json contributes it for thoughtscope.yaml and thoughtscope.json, and the .vsix ships it', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: Record<string, Array<{ fileMatch: string[]; url: string }>> };
    assert.ok(manifest.contributes.yamlValidation.some((v) => v.fileMatch.includes('thoughtscope.yaml') && v.url === './schemas/experiment.schema.json'));
    assert.ok(manifest.contributes.jsonValidation.some((v) => v.fileMatch.includes('thoughtscope.json') && v.url === './schemas/experiment.schema.json'));
    assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!schemas\/\*\*$/m);
  });
});

describe('one-line errors naming file, line and field', () => {
  it('a valid file loads with its defaults', () => {
    const exp = parseExperiment(VALID, join(dir, 'thoughtscope.yaml'));
    assert.equal(exp.name, 'thoughtscope');
    assert.deepEqual(exp.techniques.map((t) => [t.label, t.params]), [['cot', {}], ['tot', { breadth: 3 }]]);
    assert.equal(exp.concurrency, 4);
    assert.equal(exp.output, join(dir, '.thoughtscope', 'experiments', 'thoughtscope'));
  });

  const cases: Array<[string, string, string]> = [
    ['a parameter out of its bounds', VALID.replace('breadth: 3', 'breadth: 99'), 'thoughtscope.yaml:7: techniques[1].params.breadth: must be <= 20'],
    ['an unknown parameter', VALID.replace('breadth: 3', 'width: 3'), 'thoughtscope.yaml:7: techniques[1].params.width: unknown field "width"'],
    ['an unknown technique', VALID.replace('  - cot', '  - cott'), 'thoughtscope.yaml:4: techniques[0]: must be one of '],
    ['an unknown technique in an object', VALID.replace('technique: tot', 'technique: tott'), 'thoughtscope.yaml:5: techniques[1].technique: must be one of io, cot, tot,'],
    ['an unknown task', VALID.replace('task: numeric', 'task: numerc'), 'thoughtscope.yaml:1: task: must be one of game24, exact, numeric'],
    ['a task file that is not there', VALID.replace('task: numeric', 'task: ./x.task.yaml'), 'thoughtscope.yaml:1: task: no such task file ./x.task.yaml'],
    ['a templates folder with no templates', `${VALID}templates: nowhere\n`, 'thoughtscope.yaml:8: templates: nowhere: no <name>.liquid templates there'],
    ['a misspelt field', `${VALID}thresholdz: []\n`, 'thoughtscope.yaml:8: thresholdz: unknown field "thresholdz"'],
    ['a missing field', 'task: numeric\n', 'thoughtscope.yaml:1: (top level): "techniques" is required'],
    ['a key in the file', `${VALID}server:\n  baseUrl: https://api.openai.com/v1\n  apiKey: sk-123\n`, 'thoughtscope.yaml:10: server.apiKey: "apiKey" is not allowed: keys never go in an experiment file; name the environment variable that holds it with apiKeyEnv'],
    ['a wrong type with alternatives', VALID.replace('dataset: questions.jsonl', 'dataset: 5'), 'thoughtscope.yaml:2: dataset: must be string or object'],
    ['YAML that does not parse', 'task: numeric\ntechniques: [cot\n', 'thoughtscope.yaml:'],
    ['a duplicate key', 'task: numeric\ntask: exact\ntechniques: [cot]\n', 'thoughtscope.yaml:2: Map keys must be unique'],
    ['two runs with one label', `${VALID}  - cot\n`, 'thoughtscope.yaml:8: techniques[2]: a second run labelled "cot" (also techniques[0]); give each a different label'],
    ['an unknown profile', `${VALID}models:\n  - gpt-4o-mini\n  - profile: big\n`, 'thoughtscope.yaml:10: models[1].profile: no profile named "big"; known: (none: add "profiles" to this file)'],
    ['a bad threshold', `${VALID}thresholds:\n  - "tot accuracy at least 0.6"\n`, 'thoughtscope.yaml:9: thresholds[0]: must read "[label] metric op value"'],
    ['an unknown metric', `${VALID}thresholds:\n  - "tot speed >= 0.6"\n`, 'thoughtscope.yaml:9: thresholds[0]: "tot speed >= 0.6": unknown metric "speed"'],
    ['a threshold naming no run', `${VALID}thresholds:\n  - "got accuracy >= 0.6"\n`, 'thoughtscope.yaml:9: thresholds[0]: no technique labelled "got"; labels: cot, tot'],
    ['a task for another technique', 'task: got-sorting\ntechniques: [cot]\n', 'thoughtscope.yaml:2: techniques[0]: the got-sorting task runs the got technique'],
    ['a bad inline profile', `${VALID}profiles:\n  - name: big\n    baseUrl: http://x/v1\n`, 'thoughtscope.yaml:9: profiles[0]: profiles profile "big": "model" is required'],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      const message = errorOf(text);
      assert.ok(message.startsWith(expected), `got: ${message}`);
      assert.ok(!message.includes('\n'), 'one line');
    });
  }

  it('a profile the host has (VS Code settings) is known', () => {
    assert.equal(errorOf(`${VALID}models:\n  - profile: big\n`, ['big']), '');
  });

  it('a file that cannot be read says so', () => {
    assert.throws(() => loadExperiment(join(dir, 'nope.yaml')), /nope\.yaml: cannot read the experiment file: no such file/);
  });

  it('a profiles file relative to the experiment is read and checked', () => {
    writeFileSync(join(dir, 'profiles.json'), JSON.stringify([{ name: 'big', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4o', apiKeyEnv: 'BIG_KEY' }]));
    const exp = parseExperiment(`${VALID}profiles: profiles.json\nmodels:\n  - profile: big\n`, join(dir, 'thoughtscope.yaml'));
    assert.deepEqual(exp.models, [{ profile: 'big' }]);
    assert.equal(exp.profiles[0].apiKeyEnv, 'BIG_KEY');
  });
});

describe('a task file as the task', () => {
  // In a folder of its own, below the experiment's, so a path taken from the current directory would miss it.
  const home = mkdtempSync(join(tmpdir(), 'thoughtscope-exptaskfile-'));
  mkdirSync(join(home, 'tasks'));
  mkdirSync(join(home, 'prompts', 'units'), { recursive: true });
  writeFileSync(join(home, 'prompts', 'units', 'cot.liquid'), 'UNITS {{ input }}');
  writeFileSync(join(home, 'tasks', 'units.jsonl'), ['1 km in m?', '2 km in m?', '3 km in m?', '4 km in m?'].map((q, i) => JSON.stringify({ input: q, expected: String(1000 * (i + 1)) })).join('\n'));
  const taskYaml = (extra = '') => `id: units\ndescription: Unit conversions\ndefaultSteps: 2\ntemplates:\n  cot: units/cot\nscorer:\n  type: numeric\n  tolerance: 0.001\ndata:\n  file: units.jsonl\n  range: [1, 3]\n${extra}`;
  writeFileSync(join(home, 'tasks', 'units.task.yaml'), taskYaml());
  const load = (text: string) => parseExperiment(text, join(home, 'thoughtscope.yaml'));

  it('is read relative to the experiment file, with its scorer, default steps, templates and data', () => {
    const exp = load('task: tasks/units.task.yaml\ntemplates: prompts\ntechniques: [cot]\n');
    assert.equal(exp.task.id, 'units');
    assert.equal(exp.task.defaultSteps, 2);
    assert.equal(exp.scorer.id, 'units');
    assert.equal(exp.scorer.score({ index: 0, input: 'q', expected: '1000' }, '1000.5'), true, 'the file’s tolerance');
    assert.equal(exp.scorer.score({ index: 0, input: 'q', expected: '1000' }, '1002'), false);
    assert.equal(exp.task.cotPrompt('5 km in m?', false).text, 'UNITS 5 km in m?');
    assert.equal(exp.templates.get('units/cot')?.source, 'user');
    // No dataset in the experiment: the task file's data file and its default rows [1, 3).
    const { items, dataset } = experimentItems(exp, home);
    assert.deepEqual(items.map((i) => i.expected), ['2000', '3000']);
    assert.equal(dataset, 'units.jsonl rows 1-2');
    // Rows of the experiment's own win over the file's.
    assert.equal(experimentItems(load('task: tasks/units.task.yaml\ntemplates: prompts\ndataset: { from: 0, to: 3 }\nitems: 3\ntechniques: [cot]\n'), home).dataset, 'units.jsonl rows 0-2');
  });

  it('a template the task file names must exist: one line naming the experiment, the task file and the slot', () => {
    assert.throws(
      () => load('task: tasks/units.task.yaml\ntechniques: [cot]\n'),
      (err: Error) => err.message.startsWith('thoughtscope.yaml:1: task: tasks/units.task.yaml: templates.cot: no template named "units/cot"') && !err.message.includes('\n'),
    );
  });

  it('the task file’s own schema error keeps its file and line', () => {
    writeFileSync(join(home, 'tasks', 'broken.task.yaml'), taskYaml('scorer2: 1\n'));
    assert.throws(() => load('techniques: [cot]\ntask: tasks/broken.task.yaml\n'), { message: 'thoughtscope.yaml:2: task: tasks/broken.task.yaml:12: unknown field "scorer2"' });
  });

  it('a built-in task with a scorer is a task too, with its shipped data', () => {
    const exp = load('task: crosswords\ntechniques: [cot]\nitems: 2\n');
    assert.equal(exp.scorer.id, 'crosswords');
    assert.equal(experimentItems(exp, home).items.length, 2);
  });
});

describe('thresholds', () => {
  it('parse as written', () => {
    assert.deepEqual(parseThreshold('tot accuracy >= 0.6'), { text: 'tot accuracy >= 0.6', label: 'tot', metric: 'accuracy', op: '>=', value: 0.6 });
    assert.deepEqual(parseThreshold('cost per item <= $0.01'), { text: 'cost per item <= $0.01', metric: 'cost per item', op: '<=', value: 0.01 });
    assert.deepEqual(parseThreshold('tot-b5@gpt-4o median errors < 3'), { text: 'tot-b5@gpt-4o median errors < 3', label: 'tot-b5', model: 'gpt-4o', metric: 'median errors', op: '<', value: 3 });
    assert.deepEqual(parseThreshold('cot accuracy ≥ 60%'), { text: 'cot accuracy ≥ 60%', label: 'cot', metric: 'accuracy', op: '>=', value: 0.6 });
    assert.throws(() => parseThreshold('accuracy >= $1'), /a \$ amount is for cost per item/);
  });

  it('judge each run they name; cost per item counts replayed answers at their first cost', () => {
    const item = (correct: boolean, costUsd: number, replayedUsd = 0): ItemResult => ({
      index: 0, input: 'q', answer: 'a', correct, samples: [{ answer: 'a', correct }], calls: 1, promptTokens: 10, completionTokens: 5, costUsd, wallMs: 1,
      ...(replayedUsd ? { replayed: { calls: 2, promptTokens: 20, completionTokens: 10, costUsd: replayedUsd } } : {}),
    });
    const results = (items: ItemResult[]): EvalResults => ({ meta: { technique: 'x', task: 'exact', model: 'm', params: {}, dataset: 'd', requested: items.length, unfinished: 0, resumed: 0, elapsedMs: 1 }, items, summary: summarize(items) });
    const runs = [
      { label: 'cot', model: 'm', results: results([item(true, 0.001), item(false, 0.001)]) },
      // Paid almost nothing now: its answers were replayed, first paid $0.04 per item.
      { label: 'tot', model: 'm', results: results([item(true, 0, 0.04), item(true, 0.001, 0.039)]) },
    ];
    const checks = checkThresholds([parseThreshold('tot accuracy >= 0.6'), parseThreshold('cost per item <= $0.01'), parseThreshold('accuracy > 50%')], runs);
    assert.deepEqual(checks.map((c) => [c.threshold, c.label, c.pass]), [
      ['tot accuracy >= 0.6', 'tot', true],
      ['cost per item <= $0.01', 'cot', true],
      ['cost per item <= $0.01', 'tot', false],
      ['accuracy > 50%', 'cot', false],
      ['accuracy > 50%', 'tot', true],
    ]);
    assert.equal(checks[2].detail, 'tot on m: cost per item $0.0400, needs <= $0.0100');
  });
});

describe('the README', () => {
  it('its complete example is a valid experiment file', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /```yaml\n(# thoughtscope\.yaml:[^]*?)```/.exec(readme);
    assert.ok(example, 'the README has an example starting "# thoughtscope.yaml:"');
    const exp = parseExperiment(example[1], join(dir, 'thoughtscope.yaml'));
    assert.equal(exp.name, 'game24-tot');
    assert.deepEqual(exp.models, [{ name: 'gpt-4o-mini' }, { profile: 'big' }]);
    assert.deepEqual(exp.techniques.map((t) => t.label), ['io', 'cot', 'tot', 'tot-b1']);
    assert.equal(exp.thresholds.length, 3);
  });
});
