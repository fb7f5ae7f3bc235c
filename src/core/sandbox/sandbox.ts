// Host side of the sandbox for generated programs. Every program runs in a process of its own: Deno
// with no permission but reading the interpreter files (./denoCommand.ts), Pyodide for Python
// (restored from a snapshot of a fresh interpreter) and QuickJS for JavaScript, both WebAssembly.
// The process is killed after one program, so nothing a program does outlives it. A spare process is
// started ahead, so the next program does not wait for an interpreter to start.
//
// Limits, enforced here and not by the process: wall time (kill), output (counted on arrival; kill),
// memory (on Linux, resident memory watched and killed past the limit; everywhere, V8's heap flag
// and the interpreters' own caps).
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { abortError, Limiter } from '../run/limiter';
import { findDeno } from './denoCommand';
import type { GuestFrame } from './protocol';
import { isEnding, SandboxProcess, type Ending, type SandboxFiles } from './sandboxProcess';
import { DEFAULT_LIMITS, type ExecutionRequest, type ExecutionResult, type LimitKind, type ProgramExecutor, type ProgramLanguage, type SandboxLimits } from './types';

/** Slack for starting the clock and messaging on top of a program's wall-time limit. */
const WALL_SLACK_MS = 250;
/** Time allowed for an interpreter to start (a busy machine is slow; Pyodide from its snapshot takes ~0.5 s). */
const START_TIMEOUT_MS = 60_000;
/** Time allowed to make Pyodide's snapshot (a full start: a few seconds, more on a busy machine). */
const SNAPSHOT_TIMEOUT_MS = 180_000;
/** A spare process nobody took is stopped after this long. */
const SPARE_IDLE_MS = 20_000;
/** Memory a process may use beyond its size when the program started and the program's own limit (buffers, JS objects). */
const RUNTIME_SLACK_BYTES = 64 * 1024 * 1024;
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;
/** Programs running at once; more wait. */
const MAX_RUNNING = 2;

/** The runner and interpreter files, built by scripts/build.mjs into dist/sandbox/. */
export function locateSandboxFiles(): SandboxFiles {
  // Bundled: beside dist/extension.js or dist/cli.js. From source (tests): the repository's dist/.
  const dirs = [join(__dirname, 'sandbox'), join(__dirname, '..', '..', '..', 'dist', 'sandbox')];
  const dir = dirs.find((d) => existsSync(join(d, 'runner.mjs'))) ?? dirs[0];
  return { dir, runner: join(dir, 'runner.mjs'), deno: findDeno(dir) };
}

export function limitMessage(kind: LimitKind, limits: SandboxLimits): string {
  switch (kind) {
    case 'time':
      return `Stopped: the program ran longer than the ${limits.timeMs / 1000} s time limit`;
    case 'memory':
      return `Stopped: the program needed more than the ${Math.round(limits.memoryBytes / 1048576)} MB memory limit`;
    case 'output':
      return `Stopped: the program printed more than the ${Math.round(limits.outputBytes / 1024)} KB output limit`;
  }
}

interface Spare {
  key: string;
  process: SandboxProcess;
  ready: Promise<void>;
  idle: NodeJS.Timeout;
}

export class DenoSandbox implements ProgramExecutor {
  private files: SandboxFiles | undefined;
  private snapshot: Promise<Uint8Array> | undefined;
  private spare: Spare | undefined;
  private readonly running = new Set<SandboxProcess>();
  private readonly slots = new Limiter(MAX_RUNNING);
  private disposed = false;
  /** How many sandbox processes were started (tests check that each program gets a fresh one). */
  starts = 0;

  constructor(private readonly locate: () => SandboxFiles = locateSandboxFiles) {}

  /** Start an interpreter for `language` ahead of the first program. */
  async warm(language: ProgramLanguage, memoryBytes = DEFAULT_LIMITS.memoryBytes): Promise<void> {
    if (this.spare?.key === spareKey(language, memoryBytes)) return this.spare.ready;
    this.spare = this.startSpare(language, memoryBytes);
    return this.spare.ready;
  }

  execute(request: ExecutionRequest, signal?: AbortSignal): Promise<ExecutionResult> {
    const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...request.limits };
    return this.slots.run(() => this.executeNow(request.language, request.code, limits, signal), signal);
  }

  dispose(): void {
    this.disposed = true;
    this.dropSpare();
    for (const process of this.running) process.stop();
    this.running.clear();
    this.snapshot = undefined;
  }

  private async executeNow(language: ProgramLanguage, code: string, limits: SandboxLimits, signal?: AbortSignal): Promise<ExecutionResult> {
    if (signal?.aborted) throw abortError();
    const { process, ready } = this.takeProcess(language, limits.memoryBytes);
    this.running.add(process);
    const onAbort = () => process.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await ready;
      if (signal?.aborted) throw abortError();
      // The next program's process starts while this one runs.
      if (!this.disposed) this.spare ??= this.startSpare(language, limits.memoryBytes);
      const result = await this.runIn(process, language, code, limits);
      if (signal?.aborted) throw abortError();
      return result;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(process);
      process.stop();
    }
  }

  private async runIn(process: SandboxProcess, language: ProgramLanguage, code: string, limits: SandboxLimits): Promise<ExecutionResult> {
    const engine = language === 'python' ? 'pyodide' : 'quickjs';
    const output = { stdout: '', stderr: '', bytes: 0 };
    let stoppedBy: LimitKind | undefined;
    process.onFrame = (frame) => {
      if (frame.type !== 'output' || stoppedBy) return;
      const stream = frame.stream === 'stderr' ? 'stderr' : 'stdout';
      const text = String(frame.text);
      const room = limits.outputBytes - output.bytes;
      const bytes = Buffer.byteLength(text);
      output[stream] += bytes <= room ? text : Buffer.from(text).subarray(0, Math.max(0, room)).toString('utf8');
      output.bytes += bytes;
      if (output.bytes > limits.outputBytes) {
        stoppedBy = 'output';
        process.stop();
      }
    };
    const baseline = process.residentBytes();
    if (baseline !== undefined) process.watchMemory(baseline + limits.memoryBytes + RUNTIME_SLACK_BYTES);
    const started = performance.now();
    const timer = setTimeout(() => {
      stoppedBy ??= 'time';
      process.stop();
    }, limits.timeMs + WALL_SLACK_MS);
    try {
      process.send({ type: 'run', code, limits });
      const answer = await process.next();
      const timeMs = Math.round(performance.now() - started);
      const base = { stdout: output.stdout, stderr: output.stderr, engine };
      if (stoppedBy) return { ...base, ok: false, error: limitMessage(stoppedBy, limits), limit: stoppedBy, timeMs: stoppedBy === 'time' ? limits.timeMs : timeMs };
      if (isEnding(answer)) return { ...base, ...endingResult(answer, limits), timeMs };
      return { ...base, ...resultOf(answer.header, limits), timeMs };
    } finally {
      clearTimeout(timer);
      process.onFrame = undefined;
    }
  }

  /** The spare if it fits, else a new process. */
  private takeProcess(language: ProgramLanguage, memoryBytes: number): { process: SandboxProcess; ready: Promise<void> } {
    const key = spareKey(language, memoryBytes);
    const spare = this.spare;
    if (spare && spare.key === key) {
      clearTimeout(spare.idle);
      this.spare = undefined;
      spare.process.setKeepsAlive(true);
      return { process: spare.process, ready: spare.ready };
    }
    this.dropSpare();
    return this.startProcess(language, memoryBytes);
  }

  private startSpare(language: ProgramLanguage, memoryBytes: number): Spare {
    const { process, ready } = this.startProcess(language, memoryBytes);
    ready.catch(() => undefined);
    const spare: Spare = { key: spareKey(language, memoryBytes), process, ready, idle: setTimeout(() => this.dropSpare(spare), SPARE_IDLE_MS) };
    spare.idle.unref();
    // A spare never keeps the CLI alive by itself; taking it makes it count again.
    process.setKeepsAlive(false);
    return spare;
  }

  private dropSpare(which = this.spare): void {
    if (!which) return;
    clearTimeout(which.idle);
    which.process.stop();
    if (this.spare === which) this.spare = undefined;
  }

  private startProcess(language: ProgramLanguage, memoryBytes: number): { process: SandboxProcess; ready: Promise<void> } {
    const files = (this.files ??= this.locate());
    const process = new SandboxProcess(files, heapMb(memoryBytes), MAX_SNAPSHOT_BYTES);
    this.starts++;
    const ready = (async () => {
      const snapshot = language === 'python' ? await this.pythonSnapshot() : undefined;
      process.send({ type: 'start', language, heapMaxBytes: memoryBytes, pyodideDir: join(files.dir, 'pyodide', sep), quickjsWasm: join(files.dir, 'quickjs', 'emscripten-module.wasm') }, snapshot);
      const answer = await withTimeout(process.next(), START_TIMEOUT_MS, () => process.stop());
      if (isEnding(answer) || answer.header.type !== 'ready') {
        process.stop();
        throw new Error(`The ${language} interpreter could not start: ${startFailure(answer)}`);
      }
    })();
    return { process, ready };
  }

  /** Pyodide's memory right after it started, made once per sandbox by a process that runs no program. */
  private pythonSnapshot(): Promise<Uint8Array> {
    if (!this.snapshot) {
      const files = (this.files ??= this.locate());
      const made = (async () => {
        const process = new SandboxProcess(files, 512, MAX_SNAPSHOT_BYTES);
        this.starts++;
        try {
          process.send({ type: 'snapshot', pyodideDir: join(files.dir, 'pyodide', sep) });
          const answer = await withTimeout(process.next(), SNAPSHOT_TIMEOUT_MS, () => process.stop());
          if (isEnding(answer) || answer.header.type !== 'snapshot' || !answer.payload) throw new Error(`The python interpreter could not start: ${startFailure(answer)}`);
          return answer.payload;
        } finally {
          process.stop();
        }
      })();
      made.catch(() => {
        if (this.snapshot === made) this.snapshot = undefined;
      });
      this.snapshot = made;
    }
    return this.snapshot;
  }
}

function spareKey(language: ProgramLanguage, memoryBytes: number): string {
  return `${language}:${memoryBytes}`;
}

/** Deno's JavaScript heap: room for the interpreter's own objects and what a program makes there. */
function heapMb(memoryBytes: number): number {
  return Math.max(256, Math.ceil(memoryBytes / 1048576));
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  const timer = setTimeout(onTimeout, ms);
  return promise.finally(() => clearTimeout(timer));
}

function startFailure(answer: { header: GuestFrame } | Ending): string {
  if (isEnding(answer)) return describeEnding(answer);
  if (answer.header.type === 'failed') return clip(String(answer.header.message), 300);
  return `unexpected message "${clip(String(answer.header.type), 40)}"`;
}

function describeEnding(ending: Ending): string {
  if (ending.kind === 'memory') return 'it ran out of memory';
  if (ending.kind === 'protocol') return `it sent a malformed message (${ending.message})`;
  const detail = ending.stderr.trim().split('\n').pop();
  return `the sandbox process stopped${ending.code === null ? '' : ` with exit code ${ending.code}`}${detail ? `: ${clip(detail, 300)}` : ''}`;
}

function endingResult(ending: Ending, limits: SandboxLimits): Pick<ExecutionResult, 'ok' | 'error' | 'limit'> {
  if (ending.kind === 'memory' || (ending.kind === 'exit' && /out of memory|heap limit/i.test(ending.stderr))) {
    return { ok: false, error: limitMessage('memory', limits), limit: 'memory' };
  }
  return { ok: false, error: `The program stopped the sandbox: ${describeEnding(ending)}` };
}

/** The process's answer, checked field by field: a program may have written it. */
function resultOf(frame: GuestFrame, limits: SandboxLimits): Pick<ExecutionResult, 'ok' | 'error' | 'limit' | 'result' | 'memoryBytes'> {
  if (frame.type !== 'result') return { ok: false, error: `The program stopped the sandbox: ${startFailure({ header: frame })}` };
  const limit = frame.limit === 'time' || frame.limit === 'memory' || frame.limit === 'output' ? frame.limit : undefined;
  const error = typeof frame.error === 'string' ? clip(frame.error, 4000) : undefined;
  return {
    ok: frame.ok === true && !limit,
    result: typeof frame.result === 'string' ? clip(frame.result, limits.outputBytes) : undefined,
    error: limit ? `${limitMessage(limit, limits)}${error ? ` (${error})` : ''}` : error,
    limit,
    memoryBytes: typeof frame.memoryBytes === 'number' && Number.isFinite(frame.memoryBytes) ? frame.memoryBytes : undefined,
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

let shared: DenoSandbox | undefined;

/** The process-wide sandbox: Pyodide's snapshot is made once and every run reuses it. */
export function sharedSandbox(): DenoSandbox {
  return (shared ??= new DenoSandbox());
}

/** Close the process-wide sandbox (extension deactivation). */
export function disposeSharedSandbox(): void {
  shared?.dispose();
  shared = undefined;
}
