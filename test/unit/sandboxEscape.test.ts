// The escape suite: programs that attack the sandbox the way an attacker would, through every object
// the host hands in, run against the built sandbox that ships (dist/sandbox, `npm test` builds it).
// Each test asserts on the host's state: a marker file that must not exist, a loopback listener that
// must get no connection, an environment canary that must not appear in any output. The attacks reach
// the process's JavaScript realm on purpose (Pyodide's FFI allows it); the control test shows the same
// payload does harm when Deno allows it, so a refusal here is the walls' doing.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DenoSandbox, locateSandboxFiles } from '../../src/core/sandbox/sandbox';
import type { ExecutionResult, ProgramLanguage } from '../../src/core/sandbox/types';

const execFileAsync = promisify(execFile);
const CANARY = `canary-${Math.random().toString(36).slice(2)}`;
// Secrets the host process holds, as a user's would be: the attack must not see them.
process.env.THOUGHTSCOPE_TEST_CANARY = CANARY;
process.env.OPENAI_API_KEY = `sk-${CANARY}`;

const scratch = mkdtempSync(join(tmpdir(), 'thoughtscope-escape-'));
const MARKER = join(scratch, 'escaped.txt');
const files = locateSandboxFiles();
const sandbox = new DenoSandbox();
// A process of the user's that an attack tries to kill.
const startVictim = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
let victim = startVictim();
let server: Server;
let port = 0;
let connections = 0;
/** Every output the sandbox gave, checked for the canary at the end and after each test. */
const outputs: string[] = [];

before(async () => {
  server = createServer((socket) => {
    connections++;
    socket.on('error', () => undefined);
    socket.end('HTTP/1.0 200 OK\r\n\r\nsecret-from-server');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  victim.kill('SIGKILL');
  sandbox.dispose();
  rmSync(scratch, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function run(language: ProgramLanguage, code: string, limits: { timeMs?: number; memoryBytes?: number; outputBytes?: number } = {}): Promise<ExecutionResult> {
  const result = await sandbox.execute({ language, code, limits: { timeMs: 8000, memoryBytes: 128 * 1024 * 1024, outputBytes: 256 * 1024, ...limits } });
  outputs.push(JSON.stringify(result));
  return result;
}

/** The host is untouched: no marker, no connection, no canary in anything the sandbox returned. */
function assertHostUntouched(): void {
  assert.equal(existsSync(MARKER), false, 'the program wrote a file on the host');
  assert.equal(existsSync('escaped.txt'), false, 'the program wrote escaped.txt in the working directory');
  assert.equal(connections, 0, 'the program reached the loopback listener');
  assert.equal(victim.exitCode ?? victim.signalCode, null, "the program killed one of the user's processes");
  for (const text of outputs) assert.ok(!text.includes(CANARY), `an environment secret reached the output: ${text.slice(0, 200)}`);
}

async function stillWorks(language: ProgramLanguage): Promise<void> {
  const result = await run(language, language === 'python' ? 'print(6 * 7)' : 'console.log(6 * 7)');
  assert.equal(result.ok, true, `a normal ${language} program failed after a hostile one: ${result.error}`);
  assert.equal(result.stdout.trim(), '42');
}

// A JavaScript payload run in whatever realm an attack reaches: it tries every capability and prints
// one line per attempt ("<what>: ALLOWED" or "<what>: refused <error name>"), including what happens
// to its promises (printed from their callbacks, which the runner waits one turn for).
function payload(): string {
  return `
    const out = (line) => print(line);
    const G = globalThis;
    const attempt = (what, f) => {
      try { const v = f(); out(what + ': ALLOWED ' + String(v).slice(0, 60)); }
      catch (e) { out(what + ': refused ' + (e && e.name)); }
    };
    const pending = [];
    const later = (what, f) => {
      try { pending.push(Promise.resolve(f()).then(() => out(what + ': ALLOWED'), (e) => out(what + ': refused ' + (e && e.name)))); }
      catch (e) { out(what + ': refused ' + (e && e.name)); }
    };
    attempt('run', () => new G.Deno.Command('/usr/bin/id').outputSync().stdout.length);
    attempt('env', () => JSON.stringify(G.Deno.env.toObject()));
    attempt('process.env', () => JSON.stringify(G.process.env));
    attempt('environ', () => G.Deno.readTextFileSync('/proc/self/environ'));
    attempt('passwd', () => G.Deno.readTextFileSync('/etc/passwd'));
    attempt('write', () => G.Deno.writeTextFileSync(${JSON.stringify(MARKER)}, 'escaped'));
    attempt('write-cwd', () => G.Deno.writeTextFileSync('escaped.txt', 'escaped'));
    attempt('ffi', () => G.Deno.dlopen('libc.so.6', {}));
    attempt('sys', () => G.Deno.hostname());
    attempt('kill', () => G.Deno.kill(${victim.pid}, 'SIGTERM'));
    later('connect', () => G.Deno.connect({ hostname: '127.0.0.1', port: ${port} }));
    later('fetch', () => G.fetch('http://127.0.0.1:${port}/'));
    later('import', () => import('https://esm.sh/left-pad'));
    later('child_process', () => import('node:child_process').then((cp) => cp.execSync('id')));
    later('node-fs', () => import('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(MARKER)}, 'x')));
    later('node-net', () => import('node:net').then((net) => new Promise((ok, fail) => { const s = net.connect(${port}, '127.0.0.1'); s.on('connect', ok); s.on('error', fail); })));
    return Promise.allSettled(pending);
  `;
}

/**
 * Python that runs `payload()` in the realm it reached, handing it Python's print for its report, and
 * keeps the process alive until every attempt has settled, as an attacker would.
 */
function pythonDelivering(how: string): string {
  return `
import pyodide_js, js
from pyodide.ffi import create_proxy, run_sync
PAYLOAD = ${JSON.stringify(payload())}
out = create_proxy(print)
settled = ${how}
run_sync(settled)
`;
}

function refusedEverything(stdout: string): void {
  const lines = stdout.split('\n').filter((l) => /: (ALLOWED|refused)/.test(l));
  // The ten synchronous attempts and the network, import and Node-module ones (their promises settle within the turn the runner waits).
  for (const what of ['run', 'env', 'environ', 'passwd', 'write', 'write-cwd', 'ffi', 'sys', 'kill', 'connect', 'fetch', 'import', 'child_process', 'node-fs', 'node-net']) {
    assert.ok(lines.some((l) => l.startsWith(`${what}: `)), `the payload reported its "${what}" attempt:\n${stdout}`);
  }
  assert.ok(lines.length >= 10, `the payload ran in the process's realm and reported its attempts:\n${stdout}`);
  assert.deepEqual(lines.filter((l) => l.includes('ALLOWED')), [], `every capability was refused:\n${stdout}`);
}

describe('the sandbox walls', () => {
  it('control: the same payload, with Deno allowing everything, does write the marker and reach the listener', async () => {
    // Proves the payload is a working attack, so the refusals below come from the sandbox's flags.
    const probe = join(scratch, 'control.mjs');
    writeFileSync(probe, `const print = console.log; await (async () => { ${payload()} })(); await new Promise((r) => setTimeout(r, 500)); Deno.exit(0);`);
    try {
      const control = await execFileAsync(files.deno, ['run', '--allow-all', '--no-config', probe], { cwd: scratch, encoding: 'utf8', timeout: 30_000 });
      assert.match(control.stdout, /write: ALLOWED/, control.stdout + control.stderr);
      assert.match(control.stdout, /connect: ALLOWED/, control.stdout);
      assert.equal(existsSync(MARKER), true);
      assert.ok(connections > 0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(victim.signalCode, 'SIGTERM', 'the control killed the victim');
    } finally {
      rmSync(MARKER, { force: true });
      rmSync(join(scratch, 'escaped.txt'), { force: true });
      connections = 0;
      victim.kill('SIGKILL');
      victim = startVictim();
    }
  });

  it("python: the issue's program (an error object's Function constructor, through pyodide_js._api) is refused", async () => {
    const program = `
import pyodide_js
from pyodide.ffi import create_proxy
def escape(err):
    Function = err.constructor.constructor
    Function("""
      const cp = process.getBuiltinModule('child_process');
      const fs = process.getBuiltinModule('fs');
      fs.writeFileSync(${JSON.stringify(MARKER)}, cp.execSync('id').toString() + JSON.stringify(process.env));
    """)()
pyodide_js._api.loadBinaryFile('/x').then(None, create_proxy(escape))
print(42)
`;
    const result = await run('python', program);
    assert.equal(result.stdout.trim(), '42');
    assertHostUntouched();
    await stillWorks('python');
  });

  it('python: the Function constructor reached through pyodide_js, js and pyodide.code finds every capability refused', async () => {
    const routes = {
      pyodide_js: `pyodide_js.constructor.constructor('print', PAYLOAD)(out)`,
      js: `js.constructor.constructor('print', PAYLOAD)(out)`,
      _module: `pyodide_js._module.constructor.constructor('print', PAYLOAD)(out)`,
      'an error object': `pyodide_js._api.loadBinaryFile('/x').then(None, create_proxy(lambda err: err.constructor.constructor('print', PAYLOAD)(out)))`,
    };
    for (const [route, how] of Object.entries(routes)) {
      const result = await run('python', pythonDelivering(how));
      assert.equal(result.ok, true, `${route}: ${result.error}`);
      refusedEverything(result.stdout);
      assertHostUntouched();
    }
    // pyodide.code.run_js evaluates with the globals `import js` sees, which are empty: no eval to call.
    const runJs = await run('python', pythonDelivering('__import__("pyodide.code").code.run_js("(print) => {" + PAYLOAD + "}")(out)'));
    assert.equal(runJs.ok, false);
    assert.match(runJs.error ?? '', /cannot import name 'eval' from 'js'/);
    assertHostUntouched();
    await stillWorks('python');
  });

  it('python: globalThis and constructor-chain walks from every object handed in reach no host object', async () => {
    // What Python is given: the pyodide_js module, the js module, and the stdout/stderr writers.
    const program = `
import pyodide_js, js
seen = []
for name, obj in [('pyodide_js', pyodide_js), ('js', js), ('_api', pyodide_js._api), ('_module', pyodide_js._module)]:
    g = obj.constructor.constructor('return globalThis')()
    seen.append(name + ':' + ','.join(sorted(k for k in ['require', 'process', 'Deno', 'module', '__dirname'] if hasattr(g, k))))
    seen.append(name + ':pid=' + str(getattr(getattr(g, 'process', None), 'pid', None)))
print('\\n'.join(seen))
`;
    const result = await run('python', program);
    assert.equal(result.ok, true, result.error);
    assert.doesNotMatch(result.stdout, /require|__dirname/, 'no Node require or module scope');
    assert.doesNotMatch(result.stdout, new RegExp(`pid=${process.pid}\\b`), "the realm is not the host process's");
    assertHostUntouched();
  });

  it('python: /proc/self/environ, /etc/passwd, writing files, os.system, subprocess, sockets and HTTP all fail', async () => {
    const cases: Array<[string, string]> = [
      ['environ', 'print(open("/proc/self/environ").read())'],
      ['passwd', 'print(open("/etc/passwd").read())'],
      ['write', `open(${JSON.stringify(MARKER)}, "w").write("x")\nprint(open(${JSON.stringify(MARKER)}).read())`],
      ['os.system', `import os\nprint(os.system("touch ${MARKER}"))`],
      ['subprocess', 'import subprocess\nprint(subprocess.run(["id"], capture_output=True).stdout)'],
      ['socket', `import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=1).recv(100)`],
      ['http', `import urllib.request\nprint(urllib.request.urlopen("http://127.0.0.1:${port}/").read())`],
      ['os.fork', 'import os\nprint(os.fork())'],
    ];
    for (const [what, code] of cases) {
      const result = await run('python', code);
      assert.doesNotMatch(result.stdout, /root:|uid=|secret-from-server/, what);
      if (what !== 'write' && what !== 'os.system') assert.equal(result.ok, false, `${what} should fail: ${result.stdout}`);
      assertHostUntouched();
    }
    await stillWorks('python');
  });

  it('python: infinite loops, memory bombs, a JavaScript memory bomb, 1 GB of output and deep recursion are stopped', async () => {
    const loop = await run('python', 'while True:\n    pass', { timeMs: 1000 });
    assert.equal(loop.limit, 'time');
    assert.match(loop.error ?? '', /ran longer than the 1 s time limit/);

    const bomb = await run('python', 'blocks = []\nwhile True:\n    blocks.append(bytearray(10**7))');
    assert.equal(bomb.limit, 'memory', bomb.error);

    // Past Python's heap cap, in the process's JavaScript: the host's watch on the process is the wall.
    const jsBomb = await run('python', 'import js\njs.constructor.constructor("const a = []; for (;;) a.push(new Uint8Array(1 << 24).fill(1));")()', { timeMs: 30_000 });
    assert.equal(jsBomb.ok, false);
    assert.equal(jsBomb.limit, 'memory', jsBomb.error);

    const flood = await run('python', 'for _ in range(1000):\n    print("x" * 1_000_000)', { timeMs: 30_000 });
    assert.equal(flood.limit, 'output');
    assert.ok(flood.stdout.length <= 256 * 1024);

    // Raw bytes written straight to the process's stdout (the host's pipe), past the framing.
    const raw = await run('python', 'import js\njs.constructor.constructor("const b = new Uint8Array(1 << 20).fill(65); for (let i = 0; i < 1024; i++) Deno.stdout.writeSync(b);")()', { timeMs: 30_000 });
    assert.equal(raw.ok, false);
    assert.ok((raw.stdout + raw.stderr).length <= 256 * 1024, 'raw output is not kept');

    const deep = await run('python', 'import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\nf(0)');
    assert.equal(deep.ok, false);
    await stillWorks('python');
    assertHostUntouched();
  });

  it('python: a fork bomb of JavaScript workers ends with its process, which the host kills at the time limit', async () => {
    const before = sandboxProcesses();
    const result = await run('python', 'import js\njs.constructor.constructor("for (;;) new Worker(URL.createObjectURL(new Blob([\'for(;;){}\'], { type: \'text/javascript\' })), { type: \'module\' });")()', { timeMs: 2000 });
    assert.equal(result.ok, false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(sandboxProcesses() <= before + 1, 'no sandbox process outlived its program (one spare may be waiting)');
    assertHostUntouched();
  });

  it('python: a program cannot leave anything behind for the next one', async () => {
    await run('python', 'import json, builtins, sys\njson.leftover = "dirty"\nbuiltins.print = lambda *a, **k: None\nsys.modules["math"].pi = 3');
    const result = await run('python', 'import json, math\nprint(getattr(json, "leftover", "clean"), math.pi)');
    assert.equal(result.stdout.trim(), 'clean 3.141592653589793');
  });
});

describe('javascript in QuickJS', () => {
  it('constructor chains from every object handed in (console.log, print, console) stay in QuickJS', async () => {
    const result = await run(
      'javascript',
      `const found = [];
       for (const [name, obj] of [['console.log', console.log], ['print', print], ['console', console]]) {
         const g = obj.constructor.constructor('return this')();
         found.push(name + ':' + ['process', 'require', 'Deno', 'fetch', 'std', 'os'].filter((k) => typeof g[k] !== 'undefined').join(','));
       }
       console.log(found.join('\\n'));
       console.log(typeof console.log(), Object.getPrototypeOf(console.log) === Function.prototype);`,
    );
    assert.equal(result.ok, true, result.error);
    // (The inner console.log() prints an empty line; it returns undefined, not a host value.)
    assert.deepEqual(result.stdout.trim().split('\n'), ['console.log:', 'print:', 'console:', '', 'undefined true']);
    assertHostUntouched();
  });

  it('infinite loops, promise loops, getter loops, memory bombs and output floods are stopped', async () => {
    const loop = await run('javascript', 'for (;;) {}', { timeMs: 1000 });
    assert.equal(loop.limit, 'time');
    const promises = await run('javascript', 'const spin = () => Promise.resolve().then(spin); spin();', { timeMs: 1000 });
    assert.equal(promises.ok, false, 'a promise loop is not a success');
    assert.ok(promises.limit === 'time' || promises.limit === 'memory', `a promise loop is stopped by a limit: ${promises.error}`);
    const getter = await run('javascript', 'var result = { get x() { for (;;) {} } };', { timeMs: 1000 });
    assert.equal(getter.ok, false, 'a getter loop is not a success');
    const bomb = await run('javascript', 'const blocks = []; for (;;) blocks.push(new Uint8Array(1 << 20));');
    assert.equal(bomb.ok, false);
    assert.ok(bomb.limit === 'memory' || bomb.limit === 'time', bomb.error);
    const flood = await run('javascript', 'console.log("x".repeat(10000000))');
    assert.equal(flood.limit, 'output');
    const deep = await run('javascript', 'function f(n) { return f(n + 1) + 1; } f(0)');
    assert.equal(deep.ok, false);
    await stillWorks('javascript');
    assertHostUntouched();
  });
});

describe('the sandbox process', () => {
  it('gets an empty environment, a scratch folder it cannot write and that is gone afterwards', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('thoughtscope-sandbox-')));
    const result = await run('python', 'import js\ng = js.constructor.constructor("return globalThis")()\nprint(g.Deno.cwd())\ng.Deno.writeTextFileSync("here.txt", "x")');
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /NotCapable: Requires write access/);
    const cwd = result.stdout.trim();
    assert.ok(cwd.startsWith(join(tmpdir(), 'thoughtscope-sandbox-')), `the working directory is a scratch folder: ${cwd}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const leftover = readdirSync(tmpdir()).filter((n) => n.startsWith('thoughtscope-sandbox-') && !before.has(n));
    assert.ok(leftover.length <= 1, `scratch folders are removed (a spare's may exist): ${leftover.join(', ')}`);
    assert.equal(existsSync(cwd), false, 'the scratch folder is gone');
    if (process.platform === 'linux') {
      const spare = sandboxPids()[0];
      if (spare !== undefined) {
        const environ = readFileSync(`/proc/${spare}/environ`, 'utf8');
        assert.ok(!environ.includes(CANARY) && !environ.includes('OPENAI_API_KEY'), 'no secret in the process environment');
      }
    }
    assertHostUntouched();
  });
});

/** Live sandbox processes (Linux: /proc; elsewhere 0). */
function sandboxPids(): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(files.runner);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function sandboxProcesses(): number {
  return sandboxPids().length;
}
