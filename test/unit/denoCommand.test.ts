// The sandbox's walls as a command line: what a sandbox process is allowed, read from the launch the
// host builds. (The escape suite shows the walls hold; this pins down that none is dropped.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { denoLaunch, SandboxUnavailableError } from '../../src/core/sandbox/denoCommand';

test('a sandbox process may read only its folder; everything else is denied; the environment is empty', () => {
  process.env.OPENAI_API_KEY = 'sk-test-never-passed-on';
  const launch = denoLaunch('/opt/deno', '/ext/dist/sandbox/runner.mjs', ['/ext/dist/sandbox'], '/tmp/scratch', 256);
  assert.deepEqual(launch.args.filter((a) => a.startsWith('--allow')), ['--allow-read=/ext/dist/sandbox']);
  for (const denied of ['--deny-write', '--deny-net', '--deny-env', '--deny-run', '--deny-ffi', '--deny-sys', '--deny-import', '--no-remote', '--no-npm', '--no-prompt', '--no-config']) {
    assert.ok(launch.args.includes(denied), `${denied} is set`);
  }
  assert.equal(launch.args.at(-1), '/ext/dist/sandbox/runner.mjs', 'the runner is the last argument: nothing after it reaches Deno as a flag');
  assert.deepEqual(Object.keys(launch.env).sort(), ['DENO_DIR', 'DENO_NO_PROMPT', 'DENO_NO_UPDATE_CHECK', 'NO_COLOR']);
  assert.ok(launch.env.DENO_DIR.startsWith('/tmp/scratch'), 'Deno keeps its files in the scratch folder');
  assert.ok(!JSON.stringify(launch).includes('sk-test'), 'no secret from the host environment');
});

test('a folder with a comma (Deno would split the read permission there) is refused with the reason', () => {
  assert.throws(() => denoLaunch('/opt/deno', '/a,b/runner.mjs', ['/a,b'], '/tmp/scratch', 256), (err: Error) => err instanceof SandboxUnavailableError && /comma in its path \(\/a,b\)/.test(err.message));
});
