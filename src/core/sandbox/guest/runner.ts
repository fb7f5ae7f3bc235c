// Runs inside one sandbox process: Deno, started by the host with no permission but reading the
// interpreter files (see ../denoCommand.ts). Bundled on its own as dist/sandbox/runner.mjs.
//
// This file is NOT the security boundary. A Python program can reach this JavaScript realm through
// Pyodide's foreign-function interface and do anything this code could do. What it cannot do is what
// Deno refuses every code in the process: read other files, write, run processes, open sockets, read
// the environment. The host also kills the process at the time limit and never trusts what it says.
//
// Protocol (./protocol.ts): the host sends `start` (and, for Python, a memory snapshot of a freshly
// started Pyodide), the process answers `ready`; the host sends `run`, the process streams `output`
// and ends with `result`. One program per process: the next program gets a fresh interpreter.
// With `snapshot` instead, the process starts Pyodide, sends its memory snapshot and stops.
import { encodeFrame, FrameReader, type GuestFrame, type HostFrame } from '../protocol';
import { runPython, snapshotPython, startPython } from './python';
import { runJavaScript, startJavaScript } from './javascript';
import type { OutputWriter } from './output';
import { createOutput } from './output';

declare const Deno: {
  stdin: { read(buffer: Uint8Array): Promise<number | null> };
  stdout: { writeSync(bytes: Uint8Array): number };
  exit(code?: number): never;
};

function send(frame: GuestFrame, payload?: Uint8Array): void {
  for (const part of encodeFrame(frame, payload)) {
    for (let at = 0; at < part.length; ) at += Deno.stdout.writeSync(part.subarray(at));
  }
}

const reader = new FrameReader<HostFrame>(64 * 1024 * 1024, 512 * 1024 * 1024);
const queued: Array<{ header: HostFrame; payload?: Uint8Array }> = [];

async function nextFrame(): Promise<{ header: HostFrame; payload?: Uint8Array }> {
  const buffer = new Uint8Array(1 << 16);
  while (queued.length === 0) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) Deno.exit(0);
    queued.push(...reader.push(buffer.slice(0, n)));
  }
  return queued.shift()!;
}

async function main(): Promise<void> {
  const first = await nextFrame();
  if (first.header.type === 'snapshot') {
    send({ type: 'snapshot', bytes: 0 }, await snapshotPython(first.header.pyodideDir));
    return;
  }
  if (first.header.type !== 'start') throw new Error(`unexpected message ${first.header.type}`);
  const { language, heapMaxBytes, pyodideDir, quickjsWasm } = first.header;
  let output: OutputWriter | undefined;
  const write = (stream: 'stdout' | 'stderr', text: string): boolean => output?.write(stream, text) ?? true;
  const python = language === 'python' ? await startPython(pyodideDir, first.payload!, heapMaxBytes, write) : undefined;
  const quickjs = language === 'javascript' ? await startJavaScript(quickjsWasm) : undefined;
  send({ type: 'ready' });

  const program = await nextFrame();
  if (program.header.type !== 'run') throw new Error(`unexpected message ${program.header.type}`);
  const { code, limits } = program.header;
  output = createOutput(limits.outputBytes, (stream, text) => send({ type: 'output', stream, text }));
  const result = python ? await runPython(python, code) : runJavaScript(quickjs!, code, limits, (text) => write('stdout', text));
  // One turn of the event loop, so the output of promise callbacks a program left behind is kept.
  await new Promise((resolve) => setTimeout(resolve, 0));
  output.flush();
  send({ type: 'result', ...result, limit: result.limit ?? (output.full ? 'output' : undefined) });
}

main().then(
  () => Deno.exit(0),
  (err: unknown) => {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    Deno.exit(1);
  },
);
