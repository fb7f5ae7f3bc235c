// Programs in the sandbox (a Deno process per program, Pyodide or QuickJS inside), run against the
// built files that ship (dist/sandbox): results, errors and limits as a user sees them, and a normal
// program after a hostile one still runs. The attacks themselves are in sandboxEscape.test.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DenoSandbox } from '../../src/core/sandbox/sandbox';
import type { ExecutionResult, ProgramLanguage } from '../../src/core/sandbox/types';

const sandbox = new DenoSandbox();
const scratch = mkdtempSync(join(tmpdir(), 'thoughtscope-sandbox-test-'));
let server: Server;
let port = 0;
let connections = 0;

before(async () => {
  server = createServer((socket) => {
    connections++;
    socket.end('HTTP/1.0 200 OK\r\n\r\nsecret');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  sandbox.dispose();
  rmSync(scratch, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function run(language: ProgramLanguage, code: string, timeMs = 5000): Promise<ExecutionResult> {
  return sandbox.execute({ language, code, limits: { timeMs, memoryBytes: 128 * 1024 * 1024, outputBytes: 64 * 1024 } });
}

/** A normal program right after a hostile one still gives the right answer. */
async function stillWorks(language: ProgramLanguage): Promise<void> {
  const result = await run(language, language === 'python' ? 'print(6 * 7)' : 'console.log(6 * 7)');
  assert.equal(result.ok, true, `a normal ${language} program failed after a hostile one: ${result.error}`);
  assert.equal(result.stdout.trim(), '42');
}

test('python: exact arithmetic and the result variable', async () => {
  const r = await run('python', 'from fractions import Fraction\nprint(123456789 * 987654321)\nresult = Fraction(1, 3) + Fraction(1, 6)');
  assert.equal(r.ok, true, r.error);
  assert.equal(r.stdout, '121932631112635269\n');
  assert.equal(r.result, '1/2');
  assert.equal(r.engine, 'pyodide');
});

test('python: a raised exception is reported with its line and type', async () => {
  const r = await run('python', 'x = 1\nraise ValueError("bad input")');
  assert.equal(r.ok, false);
  assert.equal(r.error, 'line 2: ValueError: bad input');
  await stillWorks('python');
});

test('python: an infinite loop is stopped at the time limit; every program gets a process of its own', async () => {
  const r = await run('python', 'while True:\n    pass', 1000);
  assert.equal(r.ok, false);
  assert.equal(r.limit, 'time');
  assert.match(r.error ?? '', /ran longer than the 1 s time limit/);
  const startsBefore = sandbox.starts;
  await stillWorks('python');
  await stillWorks('python');
  assert.equal(sandbox.starts, startsBefore + 2, 'two programs, two new processes (each started while the one before ran)');
});

test('python: deep recursion fails that program only; the next one runs (no MemoryError left behind)', async () => {
  const deep = await run('python', 'import sys\nsys.setrecursionlimit(100000)\ndef f(n):\n    return f(n + 1) + 1\nf(0)');
  assert.equal(deep.ok, false);
  await stillWorks('python');
});

test('python: a memory bomb fails at the memory limit', async () => {
  const r = await run('python', 'blocks = []\nwhile True:\n    blocks.append(bytearray(10**7))');
  assert.equal(r.ok, false);
  assert.equal(r.limit, 'memory');
  assert.match(r.error ?? '', /more than the 128 MB memory limit/);
  await stillWorks('python');
});

test('python: printing 100 MB is stopped at the output limit', async () => {
  const r = await run('python', 'for _ in range(100):\n    print("x" * 1_000_000)');
  assert.equal(r.ok, false);
  assert.equal(r.limit, 'output');
  assert.match(r.error ?? '', /printed more than the 64 KB output limit/);
  assert.ok(r.stdout.length <= 64 * 1024);
  await stillWorks('python');
});

test('python: the host file system is not there (/etc/passwd, ~/.ssh, writing files)', async () => {
  const passwd = await run('python', 'print(open("/etc/passwd").read())');
  assert.equal(passwd.ok, false);
  assert.match(passwd.error ?? '', /FileNotFoundError/);
  assert.doesNotMatch(passwd.stdout, /root:/);
  const ssh = await run('python', 'import os\nprint(os.path.exists(os.path.expanduser("~/.ssh")), os.listdir("/"))');
  assert.equal(ssh.ok, true, ssh.error);
  assert.match(ssh.stdout, /^False /);
  assert.doesNotMatch(ssh.stdout, /'etc'|'usr'|'root'|'work'/);
  const target = join(scratch, 'written-by-python');
  const write = await run('python', `open(${JSON.stringify(target)}, "w").write("x")`);
  assert.equal(write.ok, false);
  assert.equal(existsSync(target), false);
  await stillWorks('python');
});

test('python: no processes (os.system, subprocess) and no sockets or HTTP', async () => {
  const marker = join(scratch, 'made-by-os-system');
  const system = await run('python', `import os\nprint(os.system("touch ${marker}"))`);
  assert.equal(system.ok, false, 'os.system is refused');
  assert.match(system.error ?? '', /^the sandbox refused it: NotCapable/);
  assert.equal(existsSync(marker), false, 'the shell command did not run');
  const sub = await run('python', 'import subprocess\nsubprocess.run(["id"])');
  assert.equal(sub.ok, false);
  assert.match(sub.error ?? '', /does not support processes/);
  const sock = await run('python', `import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=1).recv(100)`);
  assert.equal(sock.ok, false);
  const http = await run('python', `import urllib.request\nprint(urllib.request.urlopen("http://127.0.0.1:${port}/").read())`);
  assert.equal(http.ok, false);
  assert.doesNotMatch(http.stdout, /secret/);
  assert.equal(connections, 0, 'nothing reached the local server');
  await stillWorks('python');
});

test('python: no way out to JavaScript, the host process or its globals', async () => {
  const js = await run('python', 'import js\nprint(js.process.env)');
  assert.equal(js.ok, false);
  assert.match(js.error ?? '', /AttributeError: process/);
  const evalJs = await run('python', 'from pyodide.code import run_js\nrun_js("process.exit(7)")');
  assert.equal(evalJs.ok, false);
  // The process's own JavaScript is reachable (Deno's permissions are the walls): ending the process
  // ends only this program.
  const ctor = await run('python', 'import pyodide_js\npyodide_js.constructor.constructor("return Deno")().exit(7)');
  assert.equal(ctor.ok, false);
  assert.match(ctor.error ?? '', /The program stopped the sandbox: the sandbox process stopped with exit code 7/);
  const exit = await run('python', 'import sys\nsys.exit(3)');
  assert.equal(exit.ok, false);
  assert.equal(exit.error, 'SystemExit: 3');
  const touch = await run('python', 'import js\njs.thoughtscopeTouched = 1\nprint("set")');
  assert.equal(touch.ok, true, touch.error);
  assert.equal((globalThis as Record<string, unknown>).thoughtscopeTouched, undefined);
  await stillWorks('python');
});

test('python: a program cannot change the interpreter for the next one', async () => {
  await run('python', 'import builtins\nbuiltins.print = lambda *a, **k: None\nleftover = 1');
  const r = await run('python', 'print(leftover if "leftover" in dir() else "clean")');
  assert.equal(r.stdout.trim(), 'clean');
});

test('javascript: QuickJS runs programs with BigInt and a result variable', async () => {
  const r = await run('javascript', 'console.log(String(123456789n * 987654321n)); var result = 7 * 6;');
  assert.equal(r.ok, true, r.error);
  assert.equal(r.stdout, '121932631112635269\n');
  assert.equal(r.result, '42');
  assert.equal(r.engine, 'quickjs');
});

test('javascript: infinite loop, memory bomb and 100 MB of output are stopped', async () => {
  const loop = await run('javascript', 'for (;;) {}', 1000);
  assert.equal(loop.limit, 'time');
  assert.match(loop.error ?? '', /time limit/);
  await stillWorks('javascript');
  // One allocation past the limit fails at once; a growing bomb near the limit can spend its time
  // in QuickJS's garbage collector on a busy machine, so either limit may be the one that stops it.
  const big = await run('javascript', 'const block = new Uint8Array(512 * 1024 * 1024); block.length');
  assert.equal(big.limit, 'memory', `one large allocation: ${big.error}`);
  const bomb = await run('javascript', 'const blocks = []; for (;;) blocks.push(new Uint8Array(1 << 20));');
  assert.equal(bomb.ok, false);
  assert.ok(bomb.limit === 'memory' || bomb.limit === 'time', `memory bomb: ${bomb.error}`);
  await stillWorks('javascript');
  const flood = await run('javascript', 'console.log("x".repeat(10000000))');
  assert.equal(flood.ok, false);
  assert.equal(flood.limit, 'output');
  await stillWorks('javascript');
});

test('javascript: no process, require, fetch or host globals', async () => {
  const exit = await run('javascript', 'process.exit(1)');
  assert.equal(exit.ok, false);
  assert.match(exit.error ?? '', /'process' is not defined/);
  const req = await run('javascript', 'require("child_process").execSync("id")');
  assert.match(req.error ?? '', /'require' is not defined/);
  const fetched = await run('javascript', `fetch("http://127.0.0.1:${port}/")`);
  assert.match(fetched.error ?? '', /'fetch' is not defined/);
  const touch = await run('javascript', 'globalThis.thoughtscopeTouched = 1; console.log(typeof globalThis.process)');
  assert.equal(touch.stdout.trim(), 'undefined');
  assert.equal((globalThis as Record<string, unknown>).thoughtscopeTouched, undefined);
  assert.equal(connections, 0);
  await stillWorks('javascript');
});
