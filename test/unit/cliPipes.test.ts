// The built CLI (dist/cli.js) as a shell tool: `--version`, and readers that go away early
// (`thoughtscope … | head`): a quiet exit 0, no EPIPE stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const elsewhere = mkdtempSync(join(tmpdir(), 'thoughtscope-pipes-'));

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` (argv) from a folder outside the repository. `closeEarly` names the streams whose
 * reading end the test closes at once, before the CLI has written anything: its next write there fails.
 */
function run(command: string[], closeEarly: Array<'stdout' | 'stderr'> = []): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' };
    const child = spawn(command[0], command.slice(1), { cwd: elsewhere, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) {
      if (closeEarly.includes(name)) child[name].destroy();
      else child[name].on('data', (chunk: Buffer) => (out[name] += chunk.toString()));
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}

const cli = (...args: string[]) => [process.execPath, CLI, ...args];

let server: FakeServer;
before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  server = await startFakeServer(() => ({ choices: ['Step by step. Answer: 42'] }));
});
after(() => server.close());

describe('thoughtscope --version', () => {
  it('prints the version in package.json, from any folder, as --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run(cli(flag));
      assert.deepEqual(r, { code: 0, stdout: `${version}\n`, stderr: '' }, flag);
    }
  });
});

describe('a reader that goes away early', () => {
  it('stdout closed (`thoughtscope techniques | head`): exit 0, nothing on stderr', async () => {
    const r = await run(cli('techniques'), ['stdout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no EPIPE stack trace');
  });

  it('stderr shares the closed pipe with stdout (`2>&1 | head`): exit 0 even where it would say exit 2', async () => {
    const r = await run(['bash', '-c', 'exec "$0" "$1" dance 2>&1', process.execPath, CLI], ['stdout']);
    assert.equal(r.code, 0);
  });

  it('stderr alone closed: its messages are dropped and the answer still reaches stdout', async () => {
    // A profile whose key variable is unset makes the CLI warn on stderr before the run.
    const profiles = join(elsewhere, 'profiles.json');
    writeFileSync(profiles, JSON.stringify([{ name: 'local', baseUrl: server.baseUrl, model: 'm', apiKeyEnv: 'THOUGHTSCOPE_TEST_UNSET_KEY' }]));
    const r = await run(cli('run', '-t', 'cot', '--profiles', profiles, '--profile', 'local', '-i', 'What is 6*7?'), ['stderr']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Answer: 42$/m);
  });
});
