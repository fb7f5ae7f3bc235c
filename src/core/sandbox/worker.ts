// The sandbox worker thread (bundled on its own as dist/sandboxWorker.js). It owns the interpreters,
// runs one program at a time and answers with its output. The host enforces the wall time by
// terminating this thread; output over the limit is reported at once so the host can stop it too.
import { parentPort, workerData } from 'node:worker_threads';
import type { QuickJSWASMModule } from 'quickjs-emscripten';
import { startPyodide, type PyodideRealm } from './pyodideRealm';
import { runQuickJs, startQuickJs } from './quickjsRunner';
import type { ExecutionResult, ProgramLanguage, SandboxLimits } from './types';

export interface WorkerConfig {
  pyodideDir: string;
  quickjsWasm: string;
  /** Python's memory limit, fixed when Pyodide starts. */
  memoryBytes: number;
}

export type HostMessage =
  | { type: 'prepare'; language: ProgramLanguage }
  | { type: 'run'; id: number; language: ProgramLanguage; code: string; limits: SandboxLimits };

export type WorkerMessage =
  | { type: 'prepared'; language: ProgramLanguage }
  | { type: 'startFailed'; language: ProgramLanguage; message: string }
  | { type: 'outputLimit'; id: number; stdout: string; stderr: string }
  | { type: 'result'; id: number; result: ExecutionResult };

const config = workerData as WorkerConfig;
const port = parentPort;
if (!port) throw new Error('the sandbox worker must run in a worker thread');

let python: Promise<PyodideRealm> | undefined;
let quickjs: Promise<QuickJSWASMModule> | undefined;

/** Output of the program that is running; the sink stops accepting past the limit. */
let current: { id: number; limit: number; used: number; stdout: Uint8Array[]; stderr: Uint8Array[]; reported: boolean } | undefined;

function accept(stream: 'stdout' | 'stderr', bytes: Uint8Array): boolean {
  const run = current;
  if (!run) return true;
  const room = run.limit - run.used;
  run[stream].push(bytes.subarray(0, Math.max(0, room)));
  run.used += bytes.length;
  if (run.used <= run.limit) return true;
  if (!run.reported) {
    run.reported = true;
    port!.postMessage({ type: 'outputLimit', id: run.id, stdout: text(run.stdout), stderr: text(run.stderr) } satisfies WorkerMessage);
  }
  return false;
}

function text(chunks: Uint8Array[]): string {
  return Buffer.concat(chunks).toString('utf8');
}

function prepare(language: ProgramLanguage): Promise<unknown> {
  if (language === 'python') return (python ??= startPyodide(config.pyodideDir, config.memoryBytes, accept));
  return (quickjs ??= startQuickJs(config.quickjsWasm));
}

async function run(id: number, language: ProgramLanguage, code: string, limits: SandboxLimits): Promise<ExecutionResult> {
  await prepare(language);
  current = { id, limit: limits.outputBytes, used: 0, stdout: [], stderr: [], reported: false };
  const started = performance.now();
  try {
    if (language === 'python') {
      const realm = await python!;
      const out = realm.run(code);
      const limit = out.errorType === 'MemoryError' ? 'memory' : current.reported ? 'output' : undefined;
      return { ok: out.ok, result: out.result, error: out.error, limit, memoryBytes: out.memoryBytes, ...finish(started), engine: 'pyodide' };
    }
    const js = await quickjs!;
    const out = runQuickJs(js, code, limits, (s) => accept('stdout', Buffer.from(s, 'utf8')));
    return { ok: out.ok, result: out.result, error: out.error, limit: out.limit, ...finish(started), engine: 'quickjs' };
  } finally {
    current = undefined;
  }
}

function finish(started: number): Pick<ExecutionResult, 'stdout' | 'stderr' | 'timeMs'> {
  return { stdout: text(current!.stdout), stderr: text(current!.stderr), timeMs: Math.round(performance.now() - started) };
}

port.on('message', (message: HostMessage) => {
  if (message.type === 'prepare') {
    prepare(message.language).then(
      () => port.postMessage({ type: 'prepared', language: message.language } satisfies WorkerMessage),
      (err: unknown) => port.postMessage({ type: 'startFailed', language: message.language, message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage),
    );
    return;
  }
  run(message.id, message.language, message.code, message.limits).then(
    (result) => port.postMessage({ type: 'result', id: message.id, result } satisfies WorkerMessage),
    (err: unknown) =>
      port.postMessage({
        type: 'result',
        id: message.id,
        result: { ok: false, stdout: '', stderr: '', error: `The sandbox failed: ${err instanceof Error ? err.message : String(err)}`, timeMs: 0, engine: message.language === 'python' ? 'pyodide' : 'quickjs' },
      } satisfies WorkerMessage),
  );
});
