// The built CLI (dist/cli.js) with templates and task files, run as a user would in a folder of their own:
// `templates` and `templates show`, workspace and --templates overrides, `import-prompts` feeding a task
// file, one-line errors for bad task files, and eval with a task file's scorers against the loopback server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { templateHash } from '../../src/core/templates/library';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const cwd = mkdtempSync(join(tmpdir(), 'thoughtscope-cli-templates-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '' };
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

function write(path: string, text: string): void {
  mkdirSync(join(cwd, path, '..'), { recursive: true });
  writeFileSync(join(cwd, path), text);
}

const VALUE = 'Workspace value for {{ numbers }}\n';

let server: FakeServer;
before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  server = await startFakeServer((req) => {
    if (req.prompt.startsWith('Clues:')) return { choices: [req.prompt.includes('An agendum') ? 'AGEND\nMOTOR\nARTSY\nSALLE\nSLEER' : 'AAAAA\nBBBBB\nCCCCC\nDDDDD\nEEEEE'] };
    if (req.prompt.startsWith('Double:')) return { choices: [`Answer: ${Number(/\d+/.exec(req.prompt)![0]) * 2}`] };
    return { choices: ['Answer: 42'] };
  });
  write('.thoughtscope/templates/game24/value.liquid', VALUE);
  write('mine/generic/io.liquid', 'User io: {{ input }}');
});
after(() => server.close());

describe('thoughtscope templates', () => {
  it('lists every template with its source and variables: built-in, workspace, user', async () => {
    const r = await cli(['templates', '--templates', 'mine', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ name: string; source: string; variables: string[]; hash: string; file?: string }>;
    const row = (name: string) => rows.find((x) => x.name === name)!;
    assert.deepEqual([row('game24/value').source, row('game24/value').variables, row('game24/value').file], ['workspace', ['numbers'], join('.thoughtscope', 'templates', 'game24', 'value.liquid')]);
    assert.equal(row('game24/value').hash, templateHash(VALUE));
    assert.deepEqual([row('generic/io').source, row('generic/io').file], ['user', join('mine', 'generic', 'io.liquid')]);
    assert.equal(row('game24/propose').source, 'built-in');
    const text = await cli(['templates']);
    assert.match(text.stdout, /^game24\/value +workspace +numbers +\.thoughtscope\/templates\/game24\/value\.liquid$/m);
  });

  it('show prints the text in effect, byte for byte; an unknown name is a one-line error', async () => {
    assert.equal((await cli(['templates', 'show', 'game24/value'])).stdout, VALUE);
    assert.equal((await cli(['templates', 'show', 'game24/propose'])).stdout, readFileSync(join(__dirname, '..', '..', 'templates', 'game24', 'propose.liquid'), 'utf8'));
    const bad = await cli(['templates', 'show', 'game24/valu']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^thoughtscope: no template named "game24\/valu"; game24\/ has game24\/cot, game24\/cot-steps, .*\n$/);
    const missing = await cli(['templates', '--templates', 'nowhere']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'thoughtscope: --templates nowhere: no <name>.liquid templates there\n');
  });

  it('run uses the --templates override and records the template in the trace', async () => {
    const before = server.requests.length;
    const r = await cli(['run', '--technique', 'io', '--task', 'generic', '--templates', 'mine', '--input', 'Why?', '--base-url', server.baseUrl, '--model', 'm', '--out', 'trace.json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requests[before].prompt, 'User io: Why?');
    const trace = JSON.parse(readFileSync(join(cwd, 'trace.json'), 'utf8'));
    const call = trace.nodes.flatMap((n: { calls: unknown[] }) => n.calls)[0];
    assert.deepEqual([call.templates[0].name, call.templates[0].source, call.templates[0].hash], ['generic/io', 'user', templateHash('User io: {{ input }}')]);
  });
});

describe('import-prompts and task files', () => {
  it('imports a Python module into the workspace templates; a task file names them; run sends them', async () => {
    write('prompts.py', "standard_prompt = '''Double: {input}\n'''\nnot_a_prompt = 3\n");
    const imported = await cli(['import-prompts', 'prompts.py', '--prefix', 'paper', '--rename', 'input=question']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^paper\/standard-prompt {2}\(standard_prompt, line 1\) {2}question {2}→ \.thoughtscope\/templates\/paper\/standard-prompt\.liquid$/m);
    assert.match(imported.stderr, /^skipped not_a_prompt \(line 3\): not a string literal$/m);
    write('double.task.yaml', 'id: double\ndescription: Doubles a number\ntemplates:\n  io: paper/standard-prompt\nvariables:\n  question: "21"\nscorer:\n  type: javascript\n  function: "return Number(answer) === 2 * Number(expected);"\n');
    const before = server.requests.length;
    const r = await cli(['run', '--technique', 'io', '--task', 'double.task.yaml', '--input', 'ignored', '--base-url', server.baseUrl, '--model', 'm']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requests[before].prompt, 'Double: 21\n');
    assert.match(r.stdout, /^Answer: 42$/m);
  });

  it('eval with the task file: its JavaScript scorer runs in the QuickJS sandbox', async () => {
    write('numbers.jsonl', `${JSON.stringify({ input: 'x', expected: 21 })}\n${JSON.stringify({ input: 'y', expected: 5 })}\n`);
    const r = await cli(['eval', '--task', 'double.task.yaml', '--technique', 'io', '--data', 'numbers.jsonl', '--out', 'double.json', '--base-url', server.baseUrl, '--model', 'm', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(readFileSync(join(cwd, 'double.json'), 'utf8'));
    assert.deepEqual(results.items.map((i: { correct: boolean; metric: number }) => [i.correct, i.metric]), [[true, 1], [false, 0]]);
  });

  it('eval --task crosswords reads the shipped boards and reports letters, words and games', async () => {
    write('.thoughtscope/templates/crosswords/io.liquid', 'Clues:\n{{ input }}');
    const r = await cli(['eval', '--task', 'crosswords', '--technique', 'io', '--from', '0', '--to', '1', '--out', 'cw.json', '--base-url', server.baseUrl, '--model', 'm', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^io on data\/crosswords\/mini0505_0_100_5\.json rows 0-1 \(crosswords, m\): 1\/2 correct/m);
    const results = JSON.parse(readFileSync(join(cwd, 'cw.json'), 'utf8'));
    assert.equal(results.summary.measures.game, 0.5);
    assert.ok(results.summary.measures.letters > 0.5 && results.summary.measures.letters < 1);
    assert.match(r.stdout, /^Measures \(mean per item\): letters \d+\.\d% · words \d+\.\d% · game 50\.0%$/m);
  });

  it('a task file that breaks the schema, or a broken workspace template, is a one-line error naming file and line', async () => {
    write('bad.task.yaml', 'id: bad\ndescription: d\nscorer:\n  type: numeric\n  tolerance: -1\n');
    const r = await cli(['run', '--technique', 'io', '--task', 'bad.task.yaml', '--input', 'q', '--base-url', server.baseUrl, '--model', 'm']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'thoughtscope: bad.task.yaml:5: scorer.tolerance must be >= 0\n');
    write('broken/generic/cot.liquid', '{% for x in y %}');
    const t = await cli(['templates', '--templates', 'broken']);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /^thoughtscope: .*broken\/generic\/cot\.liquid:1: .*not closed.* \(template generic\/cot\)\n$/);
  });
});
