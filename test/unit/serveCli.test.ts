// `thoughtscope serve` as built (dist/cli.js): the first stdout line, the token, the runs folder,
// refusals with one line and exit code 2, and a clean stop on SIGINT.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

interface Started {
  child: ChildProcess;
  firstLine: string;
  stderr: () => string;
  exit: Promise<number>;
}

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function serveCli(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off', THOUGHTSCOPE_SERVE_TOKEN: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env } });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  const exit = once(child, 'exit').then(([code]) => code as number);
  const lines = createInterface({ input: child.stdout! });
  const first = new Promise<string>((resolve) => {
    lines.once('line', resolve);
    void exit.then(() => resolve(''));
  });
  return first.then((firstLine) => ({ child, firstLine, stderr: () => err, exit }));
}

let upstream: FakeServer;
before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  upstream = await startFakeServer(() => ({ choices: ['Reasoning… Answer: 42'] }));
});
after(() => upstream.close());

describe('thoughtscope serve', () => {
  it('prints "listening http://<host>:<port>" first, answers, saves each run, and stops on SIGINT', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'thoughtscope-serve-runs-'));
    const s = await serveCli(['--base-url', upstream.baseUrl, '--model', 'gpt-4o-mini', '--port', '0', '--no-auth', '--runs-dir', runs]);
    const match = /^listening (http:\/\/127\.0\.0\.1:(\d+))$/.exec(s.firstLine);
    assert.ok(match, `first line: ${JSON.stringify(s.firstLine)}; stderr: ${s.stderr()}`);
    const url = match[1];
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'cot:gpt-4o-mini', messages: [{ role: 'user', content: 'What is 6 * 7?' }] }) });
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }>; thoughtscope: { run_id: string } };
    assert.equal(res.status, 200);
    assert.equal(body.choices[0].message.content, '42');
    const files = readdirSync(runs);
    assert.deepEqual(files, [`${body.thoughtscope.run_id}.json`]);
    assert.equal(JSON.parse(readFileSync(join(runs, files[0]), 'utf8')).trace.input, 'What is 6 * 7?');
    s.child.kill('SIGINT');
    assert.equal(await s.exit, 0);
    assert.doesNotMatch(s.stderr(), /\n\s+at /, 'no stack trace');
  });

  it('makes up a token when none is given, prints it on stderr, and wants it', async () => {
    const s = await serveCli(['--base-url', upstream.baseUrl, '--model', 'gpt-4o-mini', '--port', '0', '--runs-dir', mkdtempSync(join(tmpdir(), 'ts-runs-'))]);
    const url = s.firstLine.replace(/^listening /, '');
    for (let i = 0; i < 100 && !/token/.test(s.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
    const token = /API key[^:]*: (\S+)/.exec(s.stderr())?.[1];
    assert.ok(token && token.length >= 16, s.stderr());
    assert.equal((await fetch(`${url}/v1/models`)).status, 401);
    const ok = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    s.child.kill('SIGTERM');
    assert.equal(await s.exit, 0);
  });

  it('serves a --task file and --templates: requests name the task by its id, and its template is what goes upstream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-serve-task-'));
    mkdirSync(join(dir, 'tpl', 'units'), { recursive: true });
    writeFileSync(join(dir, 'tpl', 'units', 'io.liquid'), 'UNITS QUESTION: {{ input }}\nAnswer: <number>');
    writeFileSync(join(dir, 'units.task.yaml'), 'id: units\ndescription: unit conversions\nkind: generic\ntemplates:\n  io: units/io\nscorer:\n  type: numeric\n');
    const s = await serveCli(['--base-url', upstream.baseUrl, '--model', 'gpt-4o-mini', '--port', '0', '--no-auth', '--task', join(dir, 'units.task.yaml'), '--templates', join(dir, 'tpl'), '--runs-dir', join(dir, 'runs')]);
    const url = s.firstLine.replace(/^listening /, '');
    assert.match(url, /^http:/, s.stderr());
    const ask = (extra: object) => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'io:gpt-4o-mini', messages: [{ role: 'user', content: '3 km in m?' }], ...extra }) });
    const before = upstream.requests.length;
    assert.equal((await ask({})).status, 200);
    assert.equal((await ask({ thoughtscope: { task: 'units' } })).status, 200);
    const sent = upstream.requests.slice(before).map((r) => r.prompt);
    assert.deepEqual(sent, ['UNITS QUESTION: 3 km in m?\nAnswer: <number>', 'UNITS QUESTION: 3 km in m?\nAnswer: <number>']);
    const other = await ask({ thoughtscope: { task: 'nope' } });
    assert.equal(other.status, 400);
    assert.match(((await other.json()) as { error: { message: string } }).error.message, /thoughtscope\.task must be one of units, auto, /);
    s.child.kill('SIGINT');
    assert.equal(await s.exit, 0);
    const broken = await serveCli(['--base-url', upstream.baseUrl, '--model', 'm', '--port', '0', '--no-auth', '--task', join(dir, 'missing.task.yaml')]);
    assert.equal(await broken.exit, 2);
    assert.equal(broken.stderr().trim().split('\n').length, 1, broken.stderr());
    assert.match(broken.stderr(), /missing\.task\.yaml/);
  });

  it('refuses a non-loopback address without a token, and a port in use, in one line with exit code 2', async () => {
    const open = await serveCli(['--base-url', upstream.baseUrl, '--model', 'm', '--host', '0.0.0.0', '--no-auth']);
    assert.equal(await open.exit, 2);
    assert.equal(open.firstLine, '');
    assert.match(open.stderr(), /^thoughtscope: refusing to listen on 0\.0\.0\.0 without a token[^\n]*\n$/);
    const first = await serveCli(['--base-url', upstream.baseUrl, '--model', 'm', '--port', '0', '--no-auth']);
    const port = first.firstLine.split(':').pop()!;
    const second = await serveCli(['--base-url', upstream.baseUrl, '--model', 'm', '--port', port, '--no-auth']);
    assert.equal(await second.exit, 2);
    assert.match(second.stderr(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    first.child.kill('SIGINT');
    assert.equal(await first.exit, 0);
    const both = await serveCli(['--model', 'm', '--token', 'abcdefghij', '--no-auth']);
    assert.equal(await both.exit, 2);
    assert.match(both.stderr(), /either --token .* or --no-auth/);
  });
});
