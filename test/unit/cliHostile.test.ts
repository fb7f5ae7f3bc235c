// The built CLI (dist/cli.js) against hostile servers and inputs (issue 16): sane flag ranges, a stall
// that ends at --timeout, Ctrl+C during a Graph of Thoughts blow-up, inputs that never end or are
// binary, special file systems as a rag root, output paths checked before any call and rescued after,
// empty answers, a huge completion. Each asserts the exit code and what the server saw.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const BOMB = join(__dirname, '..', 'fixtures', 'hostile', 'got-bomb.json');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-cli-hostile-'));
const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd: dir, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Per test, what the server does with a prompt that contains the test's tag. */
const replies = new Map<string, (req: FakeRequest) => FakeReply>();
let server: FakeServer;

before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  server = await startFakeServer((req) => {
    const tag = [...replies.keys()].find((t) => req.body.messages.some((m) => m.content.includes(t)));
    // The Graph of Thoughts blow-up's later prompts are its own thoughts: "same text".
    if (!tag) return { choices: [req.prompt === 'same text' ? 'same text' : 'Answer: 4'] };
    return replies.get(tag)!(req);
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Requests the server received for prompts tagged `tag`. */
function sent(tag: string): number {
  return server.requests.filter((r) => r.body.messages.some((m) => m.content.includes(tag))).length;
}

const common = () => ['--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--api-key', 'k'];

function oneLine(r: Result): void {
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('flags in a sane range', () => {
  it('--timeout 1e12 and 0.5, --idle-timeout 99999: exit 2 with one line, nothing sent', async () => {
    const before = server.requests.length;
    for (const flags of [['--timeout', '1e12'], ['--timeout', '0.5'], ['--idle-timeout', '99999']]) {
      const r = await cli(['run', '-t', 'io', '-i', 'q', ...common(), ...flags]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${flags[0]} must be a number from 1 to 3600, got "${flags[1]}"`));
      assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/);
      oneLine(r);
    }
    assert.equal(server.requests.length, before);
  });

  it('-p __proto__=1 is an unknown parameter, not silently ignored', async () => {
    const r = await cli(['run', '-t', 'io', '-i', 'q', ...common(), '-p', '__proto__=1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /__proto__/);
  });
});

describe('a key written into --base-url', () => {
  it('a ?key= query is sent to the server but shown as key=… in messages and traces', async () => {
    replies.set('KEYQ-ok', () => ({ choices: ['Answer: 4'] }));
    replies.set('KEYQ-404', () => ({ status: 404 }));
    const base = `${server.baseUrl}?key=SECRET-IN-QUERY&api-version=2024-10-21`;
    const okOut = join(dir, 'keyq-ok.json');
    const ok = await cli(['run', '-t', 'io', '-i', 'KEYQ-ok', '--base-url', base, '--model', 'gpt-4o-mini', '--out', okOut]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(server.requests.some((r) => r.prompt.includes('KEYQ-ok') && r.url.includes('key=SECRET-IN-QUERY')), 'the key reached the server');
    const failOut = join(dir, 'keyq-404.json');
    const failed = await cli(['run', '-t', 'io', '-i', 'KEYQ-404', '--base-url', base, '--model', 'gpt-4o-mini', '--retries', '0', '--out', failOut]);
    assert.equal(failed.code, 1);
    oneLine(failed);
    assert.match(failed.stderr, /\?key=…&api-version=2024-10-21/);
    for (const text of [ok.stdout, ok.stderr, failed.stdout, failed.stderr, readFileSync(okOut, 'utf8'), readFileSync(failOut, 'utf8')]) assert.doesNotMatch(text, /SECRET-IN-QUERY/);
  });

  it('a user:password@ base URL: exit 2 with one line saying where a key goes, the password not shown, nothing sent', async () => {
    const before = server.requests.length;
    const r = await cli(['run', '-t', 'io', '-i', 'KEYU', '--base-url', server.baseUrl.replace('http://', 'http://alice:SECRET-IN-USERINFO@'), '--model', 'gpt-4o-mini']);
    assert.equal(r.code, 2, r.stderr);
    oneLine(r);
    assert.match(r.stderr, /holds a user name or password[^\n]*--api-key or OPENAI_API_KEY/);
    assert.doesNotMatch(r.stderr, /SECRET-IN-USERINFO|alice/);
    assert.equal(server.requests.length, before);
  });
});

describe('a stalled server ends at --timeout', () => {
  it('headers then silence with --timeout 1 --retries 1: exit 1 after two attempts', async () => {
    replies.set('STALL-CLI', () => ({ stallBody: '{"id":"x",' }));
    const r = await cli(['run', '-t', 'io', '-i', 'STALL-CLI', ...common(), '--timeout', '1', '--retries', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /did not finish within 1 s \(gave up after 2 attempts\)/);
    assert.equal(sent('STALL-CLI'), 2);
  });
});

describe('budgets in the CLI', () => {
  it('--max-usd with a model that has no price: exit 2 before any call', async () => {
    const before = server.requests.length;
    const r = await cli(['run', '-t', 'io', '-i', 'q', '--base-url', server.baseUrl, '--model', 'my-local-model', '--max-usd', '0.5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a budget of \$0\.5 cannot be kept: the price of model "my-local-model" is unknown/);
    oneLine(r);
    assert.equal(server.requests.length, before);
  });

  it('a model named constructor has no price, not $NaN', async () => {
    const r = await cli(['run', '-t', 'io', '-i', 'q', '--base-url', server.baseUrl, '--model', 'constructor']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Cost: price unknown/);
    assert.doesNotMatch(r.stdout, /NaN/);
  });
});

describe('budgets in eval', () => {
  const data = () => {
    const file = join(dir, 'd.jsonl');
    writeFileSync(file, Array.from({ length: 30 }, (_, i) => JSON.stringify({ input: `EVAL-USD q${i}`, expected: '42' })).join('\n'));
    return file;
  };

  it('--max-usd at concurrency 8: the run stops under the budget and the results count every answered request', async () => {
    // Each answer writes 4000 tokens unless max_tokens stops it (as OpenAI documents): $0.0024 each on gpt-4o-mini.
    replies.set('EVAL-USD', (req) => ({ choices: ['Answer: 42'], usage: { prompt_tokens: 10, completion_tokens: Math.min(4000, Number(req.body.max_tokens ?? Infinity)) }, delayMs: 30 }));
    const start = server.requests.length;
    const out = join(dir, 'usd.json');
    const r = await cli(['eval', '--task', 'exact', '-t', 'io', '--data', data(), ...common(), '--concurrency', '8', '--max-usd', '0.01', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /budget of \$0\.01 reached/);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    const calls = results.items.reduce((n: number, i: { calls: number }) => n + i.calls, 0) + (results.meta.unfinishedSpend?.calls ?? 0);
    assert.equal(calls, server.requests.length - start, 'every request the server answered is in the results');
    const usd = (results.summary.costUsd ?? 0) + (results.meta.unfinishedSpend?.costUsd ?? 0);
    assert.ok(usd <= 0.01, `$${usd}`);
    if (results.meta.unfinishedSpend) assert.match(r.stdout, /Also spent on \d+ unfinished items?: /);
  });

  it('--max-usd on an unpriced model, or an --out that cannot be written: exit 2 before any call', async () => {
    const start = server.requests.length;
    const unpriced = await cli(['eval', '--task', 'exact', '-t', 'io', '--data', data(), '--base-url', server.baseUrl, '--model', 'my-local-model', '--max-usd', '0.5', '--out', join(dir, 'u.json')]);
    assert.equal(unpriced.code, 2);
    assert.match(unpriced.stderr, /price of model "my-local-model" is unknown/);
    const badOut = await cli(['eval', '--task', 'exact', '-t', 'io', '--data', data(), ...common(), '--out', '/nonexistent/dir/r.json']);
    assert.equal(badOut.code, 2);
    assert.match(badOut.stderr, /the folder \/nonexistent\/dir does not exist/);
    assert.equal(server.requests.length, start);
  });
});

describe('bounded growth', () => {
  // GoT sends every request (each is salted per operation and thought, as the reference samples
  // again), so the blow-up is paid calls now, and --max-calls holds; cached calls counting against the
  // node limit is covered in growthLimits.test.ts.
  it('a Graph of Thoughts file that multiplies thoughts stops at --max-calls 50, with its trace', async () => {
    replies.set('BOMB-LIMIT', () => ({ choices: ['same text'] }));
    const out = join(dir, 'bomb-limit.json');
    const start = server.requests.length;
    const r = await cli(['run', '-t', 'got', '-p', `file=${BOMB}`, '-i', 'BOMB-LIMIT', ...common(), '--max-calls', '50', '--max-nodes', '5000', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Stopped: budget of 50 calls reached|Stopped: the run reached its limit of 5000 nodes/);
    assert.ok(server.requests.length - start <= 50, `${server.requests.length - start} requests`);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(trace.outcome, 'budget');
    assert.ok(trace.nodes.length <= 5000, `${trace.nodes.length} nodes`);
    assert.ok(trace.totals.calls <= 50, `${trace.totals.calls} calls`);
  });

  it('Ctrl+C during the blow-up stops the run and writes the trace', async () => {
    replies.set('BOMB-SIGINT', () => ({ choices: ['same text'] }));
    const out = join(dir, 'bomb-sigint.json');
    const start = server.requests.length;
    const child = spawn(process.execPath, [CLI, 'run', '-t', 'got', '-p', `file=${BOMB}`, '-i', 'BOMB-SIGINT', ...common(), '--max-nodes', '10000000', '--max-memory-mb', '60000', '--out', out], { env, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Once its second request is out, the thoughts multiply (20 responses per operation): the storm begins.
    while (server.requests.length < start + 2) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Cancelling…/);
    assert.match(stderr, /thoughtscope: Cancelled/);
    assert.match(stdout, /Calls: \d+/);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(trace.outcome, 'cancelled');
    assert.ok(trace.nodes.length > 40, `the storm had begun: ${trace.nodes.length} nodes`);
  });
});

describe('inputs that are too big, never end, or are binary', () => {
  it('--input-file /dev/zero: exit 2 with one line, nothing sent', async () => {
    const before = server.requests.length;
    const r = await cli(['run', '-t', 'io', '--input-file', '/dev/zero', ...common()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--input-file \/dev\/zero is larger than 1 MB \(or never ends\); pass --max-input-mb/);
    oneLine(r);
    assert.equal(server.requests.length, before);
  });

  it('a binary file is refused; a 2 MB text file needs --max-input-mb', async () => {
    const binary = join(dir, 'blob.bin');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0xff, 0xfe]));
    const r = await cli(['run', '-t', 'io', '--input-file', binary, ...common()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /looks binary/);
    const big = join(dir, 'big.txt');
    writeFileSync(big, `${'word '.repeat(400_000)}\nINPUT-BIG`);
    assert.equal((await cli(['run', '-t', 'io', '--input-file', big, ...common()])).code, 2);
    const allowed = await cli(['run', '-t', 'io', '--input-file', big, '--max-input-mb', '3', ...common()]);
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('a rag root on a special file system is refused before any call', async () => {
    const before = server.requests.length;
    const r = await cli(['run', '-t', 'rag', '-i', 'what is here?', '-p', 'root=/proc/self', ...common()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is on the special file system \/proc/);
    oneLine(r);
    assert.equal(server.requests.length, before);
  });
});

describe('outputs are checked before paying, and rescued after', () => {
  it('an --out in a missing folder or a --mermaid that is a folder: exit 2, nothing sent', async () => {
    const before = server.requests.length;
    const missing = await cli(['run', '-t', 'io', '-i', 'q', ...common(), '--out', '/nonexistent/dir/t.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--out \/nonexistent\/dir\/t\.json: the folder \/nonexistent\/dir does not exist/);
    const folder = await cli(['run', '-t', 'io', '-i', 'q', ...common(), '--mermaid', dir]);
    assert.equal(folder.code, 2);
    assert.match(folder.stderr, /is a folder; give a file name/);
    assert.equal(server.requests.length, before);
  });

  it('when the folder goes away during the run, the answer is printed and the trace saved in the temp folder', async () => {
    const gone = join(dir, 'going');
    mkdirSync(gone);
    // The folder is removed while the (paid) call is answered.
    replies.set('RESCUE', () => {
      rmSync(gone, { recursive: true, force: true });
      return { choices: ['Answer: 42'] };
    });
    const r = await cli(['run', '-t', 'io', '-i', 'RESCUE', ...common(), '--out', join(gone, 'trace.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Answer: 42$/m);
    const saved = /saved it to (\S+)/.exec(r.stderr)?.[1];
    assert.ok(saved, r.stderr);
    assert.ok(saved.startsWith(tmpdir()));
    assert.equal(JSON.parse(readFileSync(saved, 'utf8')).answer, '42');
    unlinkSync(saved);
  });
});

describe('empty is not success, huge is kept', () => {
  it('no choices, or --stream ignored: exit 1 with a clear message', async () => {
    replies.set('NO-CHOICES', () => ({ noChoices: true }));
    const none = await cli(['run', '-t', 'io', '-i', 'NO-CHOICES', ...common()]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /answered with no choices/);
    replies.set('IGNORES-STREAM', () => ({ choices: ['Answer: 4'], ignoreStream: true }));
    const ignored = await cli(['run', '-t', 'io', '-i', 'IGNORES-STREAM', ...common(), '--stream']);
    assert.equal(ignored.code, 1);
    assert.match(ignored.stderr, /streamed no choices: it may not support streaming \(run without --stream/);
  });

  it('a 40 MB completion: the answer and trace keep its first 2,000,000 characters, marked as cut', async () => {
    replies.set('HUGE', () => ({ contentChars: 40 * 1024 * 1024 }));
    const out = join(dir, 'huge.json');
    const r = await cli(['run', '-t', 'io', '-i', 'HUGE', ...common(), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    const response: string = trace.nodes.flatMap((n: { calls: Array<{ responses: string[] }> }) => n.calls)[0].responses[0];
    assert.ok(response.startsWith('A'.repeat(2_000_000)));
    assert.match(response, /\[… truncated by Thoughtscope: 39943040 more characters not kept\]$/);
  });
});
