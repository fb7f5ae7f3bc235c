// The built CLI's response cache across runs: on by default in its cache folder, --no-cache and
// THOUGHTSCOPE_CACHE=off send everything, the trace marks replayed calls, `thoughtscope cache stats|clear`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Trace } from '../../src/core/trace';
import { closingServers } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const server = closingServers();

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cliIn(cacheDir: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const full = { ...process.env, OPENAI_API_KEY: 'sk-cli-secret-key', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: '', THOUGHTSCOPE_CACHE_DIR: cacheDir, ...env };
    execFile(process.execPath, [CLI, ...args], { env: full, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function answerFiles(cacheDir: string): string[] {
  const root = join(cacheDir, 'responses');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)).map((f) => join(root, shard, f)));
}

describe('thoughtscope run with the response cache', () => {
  it('a second identical run sends nothing; its trace marks the call as replayed with its first cost', async () => {
    const s = await server(() => ({ choices: ['Answer: 4'], usage: { prompt_tokens: 1000, completion_tokens: 100 } }));
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-clicache-'));
    const args = ['run', '-t', 'cot', '-i', 'What is 2+2?', '--base-url', s.baseUrl, '--model', 'gpt-4o-mini'];
    const first = await cliIn(dir, [...args, '--out', join(dir, 'first.json')]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(s.requests.length, 1);
    const second = await cliIn(dir, [...args, '--out', join(dir, 'second.json')]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(s.requests.length, 1, 'answered from the cache');
    assert.match(second.stdout, /Answer: 4/);
    // 1000 × $0.15 + 100 × $0.60 per million = $0.00021.
    assert.match(second.stdout, /Calls: 0 \(\+1 cached, all of them from earlier runs, first paid \$0\.00021\) · Tokens: 0 in \/ 0 out · Cost: \$0 /);
    const trace = JSON.parse(readFileSync(join(dir, 'second.json'), 'utf8')) as Trace;
    const call = trace.nodes.flatMap((n) => n.calls)[0];
    assert.equal(call.cached, true);
    assert.ok(Math.abs((call.replayed?.costUsd ?? 0) - 0.00021) < 1e-12);
    assert.equal(trace.totals.replayed?.calls, 1);
    assert.equal(trace.totals.costUsd, 0);
    // The key went to the server, never to the disk.
    assert.equal(s.requests[0].headers.authorization, 'Bearer sk-cli-secret-key');
    for (const file of answerFiles(dir)) assert.ok(!readFileSync(file, 'utf8').includes('sk-cli-secret-key'));

    const fresh = await cliIn(dir, [...args, '--no-cache']);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(s.requests.length, 2, '--no-cache sends');
    const off = await cliIn(dir, args, { THOUGHTSCOPE_CACHE: 'off' });
    assert.equal(off.code, 0, off.stderr);
    assert.equal(s.requests.length, 3, 'THOUGHTSCOPE_CACHE=off sends');
    assert.equal(answerFiles(dir).length, 1);
  });

  it('cache stats and cache clear', async () => {
    const s = await server((req) => ({ choices: [`Answer: ${req.prompt.length}`] }));
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-clicache-'));
    for (const q of ['one?', 'two?']) assert.equal((await cliIn(dir, ['run', '-t', 'io', '-i', q, '--base-url', s.baseUrl, '--model', 'gpt-4o-mini'])).code, 0);
    const stats = await cliIn(dir, ['cache', 'stats', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const parsed = JSON.parse(stats.stdout) as { dir: string; entries: number; bytes: number; expired: number; storedUsd: number };
    assert.equal(parsed.dir, join(dir, 'responses'));
    assert.equal(parsed.entries, 2);
    assert.ok(parsed.bytes > 0);
    assert.ok(parsed.storedUsd > 0);
    const text = await cliIn(dir, ['cache', 'stats'], { THOUGHTSCOPE_CACHE_MAX_MB: '2', THOUGHTSCOPE_CACHE_MAX_DAYS: '7' });
    assert.match(text.stdout, /^Response cache: .*responses\nAnswers: 2 · 0\.\d+ MB of 2\.0 MB · kept 7 days\n/);
    const cleared = await cliIn(dir, ['cache', 'clear']);
    assert.equal(cleared.code, 0);
    assert.match(cleared.stdout, /^Removed 2 cached answers from /);
    assert.equal(answerFiles(dir).length, 0);
    assert.equal((await cliIn(dir, ['run', '-t', 'io', '-i', 'one?', '--base-url', s.baseUrl, '--model', 'gpt-4o-mini'])).code, 0);
    assert.equal(s.requests.length, 3, 'sent again after clear');
  });

  it('bad cache settings are one-line usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-clicache-'));
    const bad = await cliIn(dir, ['cache', 'stats'], { THOUGHTSCOPE_CACHE_MAX_MB: 'lots' });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'thoughtscope: THOUGHTSCOPE_CACHE_MAX_MB must be a number > 0, got "lots"\n');
    const unknown = await cliIn(dir, ['cache', 'shrink']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'thoughtscope: unknown cache action "shrink"; expected stats or clear\n');
    const env = await cliIn(dir, ['run', '-t', 'io', '-i', 'q', '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1'], { THOUGHTSCOPE_CACHE: 'sometimes' });
    assert.equal(env.code, 2);
    assert.equal(env.stderr, 'thoughtscope: THOUGHTSCOPE_CACHE must be on or off, got "sometimes"\n');
  });
});
