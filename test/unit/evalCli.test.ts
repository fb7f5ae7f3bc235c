// `thoughtscope eval` from the built CLI: results file, exit codes, and a checkpoint that survives the
// process being killed mid-run, so `--resume` finishes without sending finished items again.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPuzzlesPath } from '../../src/cli/puzzlesPath';
import { loadGame24Range } from '../../src/core/eval/dataset';
import type { EvalResults } from '../../src/core/eval/types';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { solve24 } from '../support/solve24';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-evalcli-'));
const ENV = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' };

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: ENV, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function itemLines(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('{"index"')).length;
}

let server: FakeServer;
/** Slow answers while `slow` is set, so the kill lands mid-run. */
let slow = false;
const rows = new Map(loadGame24Range(defaultPuzzlesPath(), 900, 919).map((i) => [i.input, i.index]));

before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  server = await startFakeServer((req) => {
    const inputs = req.prompt.split('\n').filter((l) => l.startsWith('Input:'));
    const puzzle = inputs[inputs.length - 1].slice(6).trim();
    const row = rows.get(puzzle) ?? 0;
    // Every fourth row gets a wrong answer: 15 of rows 900-919 are right.
    const answer = row % 4 === 0 ? 'Answer: 1 + 1 = 24' : `Answer: ${solve24(puzzle)} = 24`;
    return { choices: [answer], delayMs: slow ? 100 : 0 };
  });
});
after(() => server.close());

const baseArgs = (out: string) => ['eval', '--task', 'game24', '--technique', 'io', '--from', '900', '--to', '919', '--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--concurrency', '2', '--out', out];

describe('thoughtscope eval', () => {
  it('writes results and prints accuracy with its interval', async () => {
    const out = join(dir, 'quick.json');
    const r = await cli(baseArgs(out));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /io on 24\.csv rows 900-919 \(game24, gpt-4o-mini\): 15\/20 correct = 75\.0% \(95% CI 53\.1%–88\.8%\)/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as EvalResults;
    assert.equal(results.summary.correct, 15);
    assert.equal(results.items.length, 20);
    assert.ok(existsSync(join(dir, 'quick.checkpoint.jsonl')));
  });

  it('--traces keeps each item\'s run trace, one line per item', async () => {
    const out = join(dir, 'traced.json');
    const traces = join(dir, 'traced.traces.jsonl');
    const r = await cli([...baseArgs(out), '--traces', traces, '--api-key', 'sk-cli-secret-7']);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(traces, 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { index: number; trace: { input: string; answer: string; nodes: unknown[] } });
    const results = JSON.parse(readFileSync(out, 'utf8')) as EvalResults;
    assert.deepEqual(lines.map((l) => l.index).sort(), [...rows.values()]);
    for (const { index, trace } of lines) {
      const item = results.items.find((i) => i.index === index)!;
      assert.equal(trace.input, item.input);
      assert.equal(trace.answer, item.answer);
      assert.ok(trace.nodes.length >= 2);
    }
    assert.equal(text.includes('sk-cli-secret-7'), false, 'no API key in the traces');
    const again = await cli([...baseArgs(join(dir, 'traced2.json')), '--traces', traces]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /the traces file .*traced\.traces\.jsonl already exists: pass --resume/);
  });

  it('survives a kill mid-run: --resume sends only the unfinished items', async () => {
    const out = join(dir, 'killed.json');
    const checkpoint = join(dir, 'killed.checkpoint.jsonl');
    slow = true;
    const start = server.requests.length;
    const child = spawn(process.execPath, [CLI, ...baseArgs(out)], { env: ENV, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (itemLines(checkpoint) < 5) await sleep(20);
    child.kill('SIGKILL');
    await exited;
    slow = false;
    const finished = itemLines(checkpoint);
    const firstSession = server.requests.length - start;
    assert.ok(finished >= 5 && finished < 20, `killed mid-run with ${finished} items finished`);
    assert.equal(existsSync(out), false, 'the results file is written only at the end');

    const again = await cli(baseArgs(out));
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists: pass --resume/);

    const before = server.requests.length;
    const resumed = await cli([...baseArgs(out), '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(server.requests.length - before, 20 - finished, 'finished items are not sent again');
    assert.ok(firstSession >= finished);
    const results = JSON.parse(readFileSync(out, 'utf8')) as EvalResults;
    assert.equal(results.meta.resumed, finished);
    assert.equal(results.summary.total, 20);
    assert.equal(results.summary.correct, 15);
    assert.deepEqual(results.items.map((i) => i.index), [...rows.values()]);
    assert.match(resumed.stdout, new RegExp(`${finished} items from the checkpoint`));
  });

  it('exits 2 with one line for bad arguments and bad data', async () => {
    const out = join(dir, 'bad.json');
    const badData = join(dir, 'bad.jsonl');
    writeFileSync(badData, '{"input":"a","expected":"b"}\nnot json\n');
    const cases: Array<[string[], RegExp]> = [
      [['eval', '--technique', 'io', '--from', '1', '--to', '2', '--out', out], /--task is required; one of game24, exact, numeric, rounded, contains/],
      [['eval', '--task', 'fuzzy', '-t', 'io', '--data', badData, '--out', out], /unknown --task "fuzzy"/],
      [['eval', '--task', 'exact', '-t', 'io', '--data', badData, '--out', out, '-m', 'm'], /bad\.jsonl line 2: not valid JSON/],
      [['eval', '--task', 'exact', '-t', 'io', '--from', '1', '--to', '2', '--out', out], /--from\/--to select Game of 24 puzzles/],
      [['eval', '--task', 'game24', '-t', 'io', '--from', '900', '--to', '901', '--puzzles', join(dir, 'none.csv'), '--out', out], /cannot read Game of 24 puzzles .*none\.csv: no such file; pass --puzzles/],
      [['eval', '--task', 'game24', '-t', 'io', '--from', '900', '--to', '901', '--out', out, '-m', 'm', '--param', 'samples=0'], /parameter "samples" must be between/],
      [['eval', '--task', 'game24', '-t', 'io', '--from', '900', '--to', '901'], /--out <results\.json> is required/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    }
  });
});
