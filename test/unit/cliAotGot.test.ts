// `thoughtscope run --technique aot|got` with the built CLI (dist/cli.js) against the loopback server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-cli-aot-got-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' };
    // Run from `dir` so relative --param file=... paths resolve there, as they would for a user.
    execFile(process.execPath, [CLI, ...args], { env, cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const SEARCH = `1. 13 - 9 = 4 (left: 4 4 10)
1.1. 4 + 4 = 8 (left: 8 10) -> no 24, dead end.
Backtrack to 1.
1.2. 10 - 4 = 6 (left: 4 6) -> 4 * 6 = 24: solved.
Answer: (13 - 9) * (10 - 4) = 24`;

let server: FakeServer;
before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  server = await startFakeServer((req) => {
    if (/\nSearch:\n$/.test(req.prompt)) return { choices: [SEARCH] };
    if (/^Shout/.test(req.prompt)) return { choices: ['HELLO'] };
    if (/^Whisper/.test(req.prompt)) return { choices: ['hello'] };
    if (/^Pick/.test(req.prompt)) return { choices: [/HELLO/.test(req.prompt) ? 'Score: 9' : 'Score: 2'] };
    return { choices: ['?'] };
  });
});
after(() => server.close());

const common = () => ['--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--api-key', 'k'];

describe('thoughtscope run --technique aot', () => {
  it('answers Game of 24 with one call and writes the parsed search to the trace and the Mermaid graph', async () => {
    const start = server.requests.length;
    const out = join(dir, 'aot.json');
    const mmd = join(dir, 'aot.mmd');
    const r = await cli(['run', '-t', 'aot', '--task', 'game24', '-i', '4 9 10 13', ...common(), '--out', out, '--mermaid', mmd]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: \(13 - 9\) \* \(10 - 4\)$/m);
    assert.match(r.stdout, /^Judged: correct \(game24\)$/m);
    assert.match(r.stdout, /Calls: 1 /);
    assert.equal(server.requests.length - start, 1);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(trace.technique, 'aot');
    assert.equal(trace.edges.filter((e: { kind: string }) => e.kind === 'backtrack').length, 1);
    assert.equal(trace.nodes.filter((n: { status: string }) => n.status === 'pruned').length, 1, 'the dead end');
    assert.match(readFileSync(mmd, 'utf8'), /-\.->\|"backtrack"\|/);
  });
});

describe('thoughtscope run --technique got', () => {
  it('runs a graph file given by a path relative to the current directory', async () => {
    writeFileSync(
      join(dir, 'plan.json'),
      JSON.stringify({
        operations: [
          { id: 'loud', type: 'generate', prompt: 'Shout {input}' },
          { id: 'quiet', type: 'generate', from: 'input', prompt: 'Whisper {input}' },
          { id: 'rate', type: 'score', from: ['loud', 'quiet'], scorer: 'llm', prompt: 'Pick {thought}' },
          { id: 'best', type: 'keepBest', n: 1 },
        ],
      }),
    );
    const start = server.requests.length;
    const out = join(dir, 'got.json');
    const r = await cli(['run', '-t', 'got', '--param', 'file=plan.json', '-i', 'hello', ...common(), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: HELLO$/m);
    assert.equal(server.requests.length - start, 4);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(trace.params.file, 'plan.json');
    const quiet = trace.nodes.find((n: { text: string; kind: string }) => n.text === 'hello' && n.kind === 'thought');
    assert.equal(quiet.status, 'pruned');
  });

  it('runs the sorting preset by default and exits 2 naming the field of a malformed file, before any call', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ operations: [{ type: 'generate', prompt: 'x', responses: 50 }] }));
    const start = server.requests.length;
    const r = await cli(['run', '-t', 'got', '-p', 'file=bad.json', '-i', 'x', ...common()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /parameter "file": bad\.json: operations\[0\]\.responses must be a whole number from 1 to 30, got 50/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const missing = await cli(['run', '-t', 'got', '-p', 'file=nope.json', '-i', 'x', ...common()]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.json \(no such file\)/);
    const preset = await cli(['run', '-t', 'got', '-p', 'preset=set-intersection', '-i', 'only [1, 2]', ...common()]);
    assert.equal(preset.code, 2, 'an input the preset cannot use is a parameter error, not a failed run');
    assert.match(preset.stderr, /the set-intersection preset needs two lists of numbers/);
    assert.equal(preset.stderr.trim().split('\n').length, 1);
    assert.equal(server.requests.length, start, 'no request was sent');
  });
});
