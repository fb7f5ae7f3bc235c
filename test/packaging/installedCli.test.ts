// The CLI as a user installs it: `npm pack` (prepack makes the production bundles), then
// `npm install -g --prefix <temporary folder>` of the tarball, then the installed `thoughtscope` binary
// (its shebang, not `node dist/cli.js`) run from a folder outside the repository against the loopback
// server. Run by `npm run test:packaging` (in .ci/run after npm test); it rewrites dist/ as production.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadGame24Range } from '../../src/core/eval/dataset';
import type { EvalResults } from '../../src/core/eval/types';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { solve24 } from '../support/solve24';

const ROOT = join(__dirname, '..', '..');
const work = realpathSync(mkdtempSync(join(tmpdir(), 'thoughtscope-install-')));
const prefix = join(work, 'prefix');
const BIN = join(prefix, 'bin', 'thoughtscope');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

const POWER_QUESTION = 'What is 2 to the power 100?';
let packed: string[] = [];
let server: FakeServer;

function sortedList(prompt: string): string {
  const line = prompt.split('\n').find((l) => l.startsWith('Input: ')) ?? '';
  return (line.match(/\d+/g) ?? []).map(Number).sort((a, b) => a - b).join(', ');
}

function installed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' };
    execFile(BIN, args, { cwd: work, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  const out = execFileSync('npm', ['pack', '--pack-destination', work, '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [pack] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = pack.files.map((f) => f.path);
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(work, pack.filename)], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  // Scripted by question: the power of two gets a Python program (pot), Game of 24 puzzles a solution.
  server = await startFakeServer((req) => {
    if (req.prompt.includes(POWER_QUESTION)) return { choices: ['```python\nprint(2 ** 100)\n```'] };
    // GoT sorting (approach io): the list after "Input:", sorted.
    if (req.prompt.startsWith('Sort the list of numbers below')) return { choices: [`[${sortedList(req.prompt)}]`] };
    const inputs = req.prompt.split('\n').filter((l) => l.startsWith('Input:'));
    const puzzle = inputs.at(-1)?.slice(6).trim() ?? '';
    const solution = /^\d+ \d+ \d+ \d+$/.test(puzzle) ? solve24(puzzle) : undefined;
    return { choices: [solution ? `Answer: ${solution} = 24` : 'Thinking it through. Answer: 42'] };
  });
});
after(() => {
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds what the CLI runs, and no sources, tests or source maps', () => {
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/cli.js', 'dist/sandbox/runner.mjs', 'dist/sandbox/pyodide/pyodide.asm.wasm', 'dist/sandbox/pyodide/pyodide.asm.mjs', 'dist/sandbox/quickjs/emscripten-module.wasm', 'data/game24/24.csv', 'data/game24/LICENSE', 'data/got/sorting_128.csv', 'data/got/documents.csv', 'data/got/LICENSE', 'integrations/promptfoo/provider.mjs', 'templates/game24/propose.liquid', 'tasks/game24.task.yaml', 'schemas/task.schema.json']) {
      assert.ok(packed.includes(needed), `${needed} is in the package`);
    }
    // Deno's binary comes through the `deno` dependency for the installing machine's platform, not in the package.
    const unwanted = packed.filter((p) => /^(src|test|bench|scripts|webview|media|\.ci)\//.test(p) || /\.(map|ts)$/.test(p) || p === 'dist/sandbox/deno');
    assert.deepEqual(unwanted, []);
  });
});

describe('the installed thoughtscope', () => {
  it('--version prints the package version', async () => {
    const r = await installed(['--version']);
    assert.deepEqual(r, { code: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  it('techniques --json lists the techniques', async () => {
    const r = await installed(['techniques', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as Array<{ id: string }>).map((t) => t.id);
    for (const id of ['io', 'cot', 'tot', 'got', 'pot']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
  });

  it('runs cot against an OpenAI-compatible server', async () => {
    const r = await installed(['run', '-t', 'cot', '--base-url', server.baseUrl, '-m', 'gpt-4o-mini', '-i', 'What is 6*7?']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: 42$/m);
  });

  it('runs a Program of Thoughts program in its sandbox (the interpreter files are installed)', async () => {
    const r = await installed(['run', '-t', 'pot', '--base-url', server.baseUrl, '-m', 'gpt-4o-mini', '-i', POWER_QUESTION]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: 1267650600228229401496703205376$/m);
  });

  it('evaluates Game of 24 rows from the puzzles it ships, not from the current folder', async () => {
    const out = join(work, 'eval.json');
    const r = await installed(['eval', '--task', 'game24', '--technique', 'io', '--from', '900', '--to', '902', '--base-url', server.baseUrl, '-m', 'gpt-4o-mini', '--out', out, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(readFileSync(out, 'utf8')) as EvalResults;
    const expected = loadGame24Range(join(ROOT, 'data', 'game24', '24.csv'), 900, 902).map((i) => i.input);
    assert.deepEqual(results.items.map((i) => i.input).sort(), [...expected].sort());
    assert.equal(results.summary.correct, 3);
  });

  it('evaluates GoT sorting rows from the data it ships, counting errors', async () => {
    const out = join(work, 'got.json');
    const r = await installed(['eval', '--task', 'got-sorting', '--size', '128', '--technique', 'got', '--param', 'approach=io', '--from', '0', '--to', '1', '--base-url', server.baseUrl, '-m', 'gpt-4o-mini', '--out', out, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(readFileSync(out, 'utf8')) as EvalResults;
    assert.equal(results.meta.dataset, 'data/got/sorting_128.csv rows 0-1');
    assert.deepEqual(results.items.map((i) => i.metric), [0, 0]);
    assert.equal(results.summary.correct, 2);
  });

  it("the promptfoo provider it ships runs the installed CLI", async () => {
    const file = join(prefix, 'lib', 'node_modules', 'thoughtscope', 'integrations', 'promptfoo', 'provider.mjs');
    const { default: Provider } = (await import(pathToFileURL(file).href)) as { default: new (o: unknown) => { callApi(p: string): Promise<{ output?: string; error?: string }> } };
    const provider = new Provider({ config: { technique: 'cot', model: 'gpt-4o-mini', baseUrl: server.baseUrl } });
    const response = await provider.callApi('What is 6*7?');
    assert.equal(response.error, undefined);
    assert.equal(response.output, '42');
  });
});
