// icl, sc, cot-sc and constitutional from the built CLI (dist/cli.js), against the loopback server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-cli-seed-'));

function cli(args: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrl, THOUGHTSCOPE_MODEL: 'gpt-4o-mini', THOUGHTSCOPE_CACHE: 'off' };
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let server: FakeServer;
before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  server = await startFakeServer((req) => {
    const p = req.prompt;
    if (p.includes('Critique the response')) return { choices: ['Principle: 1\nToo long.'] };
    if (p.includes('Rewrite the response')) return { choices: ['Short note.'] };
    if (p.endsWith('Output:')) return { choices: ['Paris'] };
    if (p.includes('Think step by step')) return { choices: ['2 and 2 make 4.\nAnswer: 4', 'Maybe 5.\nAnswer: 5', 'Answer: 4.0'] };
    if (p.includes('Reply with the answer only')) return { choices: ['Answer: 7', 'Answer: 8'], ignoreN: true };
    return { choices: ['A long note about everything.'] };
  });
});
after(() => server.close());

describe('CLI: the voting and revising techniques', () => {
  it('sc: answer, confidence and one sample node per sample in the trace', async () => {
    const out = join(dir, 'sc.json');
    const r = await cli(['run', '-t', 'sc', '-p', 'samples=3', '-i', 'What is 3+4?', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    // The server ignores n and answers each request with its first choice: three requests, all "Answer: 7".
    assert.match(r.stdout, /^Answer: 7$/m);
    assert.match(r.stdout, /^Confidence: 100% of the samples agree$/m);
    assert.match(r.stdout, /Calls: 3 /);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(trace.nodes.filter((n: { kind: string }) => n.kind === 'vote').length, 1);
    assert.equal(trace.nodes.filter((n: { kind: string }) => n.kind === 'thought').length, 4, 'the sampling node and three samples');
  });

  it('cot-sc: --json carries the majority answer and its vote share', async () => {
    const r = await cli(['run', '-t', 'cot-sc', '-p', 'samples=3', '-i', 'What is 2+2?', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.answer, '4');
    assert.equal(result.confidence, 2 / 3);
    assert.deepEqual(result.candidates, ['4', '5', '4.0']);
  });

  it('icl: reads a relative examples file from the current directory', async () => {
    writeFileSync(join(dir, 'capitals.md'), 'Input: Italy\nOutput: Rome\n\nInput: Spain\nOutput: Madrid\n');
    const mmd = join(dir, 'icl.mmd');
    const start = server.requests.length;
    const r = await cli(['run', '-t', 'icl', '-p', 'examplesFile=capitals.md', '-p', 'shots=1', '-p', 'selection=first', '-i', 'France', '--mermaid', mmd]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: Paris$/m);
    assert.equal(server.requests[start].prompt, 'Input: Italy\nOutput: Rome\n\nInput: France\nOutput:');
    assert.match(readFileSync(mmd, 'utf8'), /shot 1/);
  });

  it('constitutional: prints the revised answer', async () => {
    const r = await cli(['run', '-t', 'constitutional', '-p', 'rounds=2', '-i', 'Write a note.']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: Short note\.$/m);
    assert.match(r.stdout, /Calls: 5 /);
  });

  it('exits 2 with one line naming the parameter, before any request', async () => {
    const start = server.requests.length;
    const cases: Array<[string[], RegExp]> = [
      [['-t', 'sc', '-p', 'samples=0'], /parameter "samples" must be between 1 and 100, got 0/],
      [['-t', 'cot-sc', '-p', 'samples=101'], /parameter "samples" must be between 1 and 100, got 101/],
      [['-t', 'icl'], /technique "icl" needs examples/],
      [['-t', 'icl', '-p', 'examplesFile=capitals.md', '-p', 'shots=5'], /parameter "shots" must be between 0 and 2/],
      [['-t', 'icl', '-p', 'examplesFile=none.jsonl'], /parameter "examplesFile": cannot read .*none\.jsonl \(no such file\)/],
      [['-t', 'constitutional', '-p', 'rounds=11'], /parameter "rounds" must be between 1 and 10, got 11/],
      [['-t', 'constitutional', '-p', 'principlesFile=gone.md'], /parameter "principlesFile": cannot read/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(['run', ...args, '-i', 'q']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(server.requests.length, start);
  });
});
