// The built CLI (dist/cli.js, made by `npm run build`) run as a user would, against the loopback server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TECHNIQUES } from '../../src/core/techniques/registry';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-cli-'));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const cleanEnv = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off', ...env };
    execFile(process.execPath, [CLI, ...args], { env: cleanEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let server: FakeServer;
before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  server = await startFakeServer((req) => {
    if (req.headers.authorization === 'Bearer wrong') return { status: 401 };
    return { choices: [`Thinking about it. Answer: ${req.body.n ?? 1} choice(s)`] };
  });
});
after(() => server.close());

describe('thoughtscope techniques', () => {
  it('--json lists every technique with the parameters they declare', async () => {
    const r = await cli(['techniques', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as Array<{ id: string; params: unknown[] }>;
    assert.deepEqual(list.map((t) => t.id), TECHNIQUES.map((t) => t.id));
    for (const t of TECHNIQUES) assert.deepEqual(list.find((x) => x.id === t.id)!.params, JSON.parse(JSON.stringify(t.params)));
  });
});

describe('thoughtscope run', () => {
  it('prints the answer and totals, and writes the trace and the Mermaid graph', async () => {
    const before = { ...server.reported };
    const out = join(dir, 'trace.json');
    const mmd = join(dir, 'graph.mmd');
    const r = await cli(['run', '--technique', 'cot', '--param', 'samples=2', '--base-url', server.baseUrl, '--model', 'gpt-4o', '--api-key', 'k', '--input', 'What is 2+2?', '--out', out, '--mermaid', mmd]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: 2 choice\(s\)$/m);
    assert.match(r.stdout, /Calls: 1 · Tokens: \d+ in \/ \d+ out · Cost: \$/);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(trace.technique, 'cot');
    assert.equal(trace.params.samples, 2);
    assert.equal(trace.model, 'gpt-4o');
    assert.equal(trace.answer, '2 choice(s)');
    assert.equal(trace.totals.promptTokens, server.reported.promptTokens - before.promptTokens);
    assert.equal(trace.totals.completionTokens, server.reported.completionTokens - before.completionTokens);
    const sum = trace.nodes.reduce((s: number, n: { usage: { promptTokens: number } }) => s + n.usage.promptTokens, 0);
    assert.equal(sum, trace.totals.promptTokens);
    for (const n of trace.nodes) {
      assert.ok(Array.isArray(n.parents) && typeof n.kind === 'string' && typeof n.status === 'string');
      assert.ok('costUsd' in n && 'latencyMs' in n && typeof n.usage.estimated === 'boolean');
    }
    const question = trace.nodes.find((n: { kind: string }) => n.kind === 'question');
    assert.deepEqual(question.parents, []);
    const graph = readFileSync(mmd, 'utf8');
    assert.match(graph, /^flowchart/);
    for (const n of trace.nodes) assert.match(graph, new RegExp(`\\b${n.id}\\b`));
  });

  it('takes the URL and key from OPENAI_BASE_URL and OPENAI_API_KEY', async () => {
    const r = await cli(['run', '-t', 'io', '-m', 'gpt-4o', '-i', 'hi'], { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'from-env' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requests[server.requests.length - 1].headers.authorization, 'Bearer from-env');
  });

  it('exits 2 with one line for bad arguments', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '--technique', 'nope', '-i', 'x', '-m', 'm'], /unknown technique "nope"; known: io, cot, tot/],
      [['run', '-t', 'tot', '-i', 'x', '-m', 'm', '--base-url', server.baseUrl, '--param', 'breadth=0'], /parameter "breadth" must be between 1 and/],
      [['run', '-t', 'io', '-i', 'x', '-m', 'm', '--base-url', server.baseUrl, '--param', 'bogus=1'], /no parameter "bogus"/],
      [['run', '-t', 'io', '-m', 'm'], /an input is required/],
      [['run', '-t', 'io', '-i', 'x', '-m', 'm', '--base-url', 'not a url'], /not a valid URL/],
      [['run', '-t', 'io', '-i', 'x', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['dance'], /unknown command "dance"/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    }
  });

  it('exits 1 with a clear message when the key is wrong or no server answers', async () => {
    const bad = await cli(['run', '-t', 'io', '-i', 'x', '-m', 'gpt-4o', '--base-url', server.baseUrl, '--api-key', 'wrong']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /rejected the API key \(HTTP 401\)/);
    const dead = await cli(['run', '-t', 'io', '-i', 'x', '-m', 'gpt-4o', '--base-url', 'http://127.0.0.1:9/v1', '--retries', '0']);
    assert.equal(dead.code, 1);
    assert.match(dead.stderr, /Cannot reach the server at http:\/\/127\.0\.0\.1:9\/v1/);
    for (const r of [bad, dead]) assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('says how to get a model when nothing answers at Ollama’s default URL', async () => {
    // Only meaningful when no Ollama runs here, as on CI machines.
    const r = await cli(['run', '-t', 'io', '-i', 'x', '--retries', '0', '--timeout', '5']);
    if (r.code === 0) return;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /start Ollama and pull a model.*or set OPENAI_BASE_URL and OPENAI_API_KEY/);
  });

  it('writes what was computed even when the run fails midway', async () => {
    const out = join(dir, 'partial.json');
    writeFileSync(out, '');
    const r = await cli(['run', '-t', 'io', '-i', 'x', '-m', 'gpt-4o', '--base-url', server.baseUrl, '--api-key', 'wrong', '--out', out]);
    assert.equal(r.code, 1);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(trace.outcome, 'failed');
    assert.ok(trace.nodes.some((n: { status: string }) => n.status === 'failed'));
  });
});
