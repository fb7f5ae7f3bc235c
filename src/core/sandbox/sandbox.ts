// Host side of the WebAssembly sandbox: a worker thread that holds Pyodide and QuickJS, started once
// and reused. One program runs at a time. Limits: the wall time (the worker is terminated when a
// program overruns it, then started again on the next program), memory (Python's heap is capped
// inside Pyodide, QuickJS has its own limit, the worker's JS heap has resourceLimits) and output.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortError } from '../run/limiter';
import { DEFAULT_LIMITS, type ExecutionRequest, type ExecutionResult, type LimitKind, type ProgramExecutor, type ProgramLanguage, type SandboxLimits } from './types';
import type { HostMessage, WorkerConfig, WorkerMessage } from './worker';

/** Time allowed for an interpreter to start (Pyodide takes a few seconds, more on a busy machine). */
const START_TIMEOUT_MS = 120_000;
/** Slack for messaging between threads on top of a program's wall-time limit. */
const WALL_SLACK_MS = 250;

interface WorkerFiles {
  /** Bundled worker script, or the TypeScript source when running from source (tests, tsx). */
  script: string;
  fromSource: boolean;
  config: Omit<WorkerConfig, 'memoryBytes'>;
}

/** Locate the worker and the interpreter files: beside the bundle in dist/, else in node_modules. */
export function locateWorkerFiles(): WorkerFiles {
  const bundled = join(__dirname, 'sandboxWorker.js');
  if (existsSync(bundled) && existsSync(join(__dirname, 'pyodide', 'pyodide.asm.wasm'))) {
    return { script: bundled, fromSource: false, config: { pyodideDir: join(__dirname, 'pyodide'), quickjsWasm: join(__dirname, 'quickjs', 'emscripten-module.wasm') } };
  }
  // Running from source (src/core/sandbox): the packages in the repository's node_modules.
  const modules = join(__dirname, '..', '..', '..', 'node_modules');
  return {
    script: join(__dirname, 'worker.ts'),
    fromSource: true,
    config: { pyodideDir: join(modules, 'pyodide'), quickjsWasm: join(modules, '@jitl', 'quickjs-wasmfile-release-sync', 'dist', 'emscripten-module.wasm') },
  };
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

interface Pending {
  id: number;
  resolve(result: ExecutionResult): void;
  reject(err: Error): void;
}

export class WasmSandbox implements ProgramExecutor {
  private worker: Worker | undefined;
  private workerMemory = 0;
  private readonly prepared = new Map<ProgramLanguage, Promise<void>>();
  private preparing = new Map<ProgramLanguage, { resolve(): void; reject(err: Error): void }>();
  private pending: Pending | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  /** How many times the worker was started (tests check that limits restart it). */
  starts = 0;

  constructor(private readonly files: WorkerFiles = locateWorkerFiles()) {}

  /** Start the interpreter for `language` ahead of the first program. */
  warm(language: ProgramLanguage, memoryBytes = DEFAULT_LIMITS.memoryBytes): Promise<void> {
    return this.ensure(language, memoryBytes);
  }

  execute(request: ExecutionRequest, signal?: AbortSignal): Promise<ExecutionResult> {
    const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...request.limits };
    const next = this.queue.then(() => this.executeNow(request.language, request.code, limits, signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.stop(new Error('The sandbox was closed'));
  }

  private async executeNow(language: ProgramLanguage, code: string, limits: SandboxLimits, signal?: AbortSignal): Promise<ExecutionResult> {
    if (signal?.aborted) throw abortError();
    await this.ensure(language, limits.memoryBytes);
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<ExecutionResult>((resolve, reject) => {
      const stopWith = (kind: LimitKind, stdout = '', stderr = '') => {
        done();
        this.stop();
        resolve({ ok: false, stdout, stderr, error: limitMessage(kind, limits), limit: kind, timeMs: kind === 'time' ? limits.timeMs : 0, engine: engineOf(language) });
      };
      const timer = setTimeout(() => stopWith('time'), limits.timeMs + WALL_SLACK_MS);
      const onAbort = () => {
        done();
        this.stop();
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending = undefined;
      };
      this.pending = {
        id,
        resolve: (result) => {
          done();
          if (result.limit) {
            // A limit may leave the interpreter in a bad state; start afresh next time.
            this.stop();
            result = { ...result, error: `${limitMessage(result.limit, limits)}${result.error ? ` (${result.error})` : ''}` };
          }
          resolve(result);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      };
      this.outputLimitHandler = (stdout, stderr) => stopWith('output', stdout, stderr);
      worker.postMessage({ type: 'run', id, language, code, limits } satisfies HostMessage);
    });
  }

  private outputLimitHandler: ((stdout: string, stderr: string) => void) | undefined;

  private ensure(language: ProgramLanguage, memoryBytes: number): Promise<void> {
    // Python's memory cap is set when Pyodide starts: a different limit needs a new worker.
    if (this.worker && language === 'python' && this.workerMemory !== memoryBytes) this.stop();
    if (!this.worker) this.spawn(memoryBytes);
    let ready = this.prepared.get(language);
    if (!ready) {
      ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.stop(new Error(`The ${language} interpreter did not start within ${START_TIMEOUT_MS / 1000} s`));
        }, START_TIMEOUT_MS);
        this.preparing.set(language, {
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        });
      });
      ready.catch(() => undefined);
      this.prepared.set(language, ready);
      this.worker!.postMessage({ type: 'prepare', language } satisfies HostMessage);
    }
    return ready;
  }

  private spawn(memoryBytes: number): void {
    const config: WorkerConfig = { ...this.files.config, memoryBytes };
    const options = {
      workerData: config,
      // The worker gets no environment variables (API keys live there) and no stdin/stdout of ours.
      env: {},
      stdin: false,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64, stackSizeMb: 8 },
    };
    const worker = this.files.fromSource
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(this.files.script)});`, { ...options, eval: true })
      : new Worker(this.files.script, options);
    this.starts++;
    this.worker = worker;
    this.workerMemory = memoryBytes;
    worker.on('message', (message: WorkerMessage) => this.onMessage(worker, message));
    worker.on('error', (err: Error & { code?: string }) => {
      if (this.worker !== worker) return;
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY' && this.pending) {
        const pending = this.pending;
        this.stop();
        pending.resolve({ ok: false, stdout: '', stderr: '', error: 'the interpreter ran out of memory', limit: 'memory', timeMs: 0, engine: 'sandbox' });
        return;
      }
      this.stop(new Error(`The sandbox stopped: ${err.message}`));
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.stop(new Error('The sandbox stopped unexpectedly'));
    });
    // The worker never keeps the CLI alive by itself; a running program's timer does. (After the
    // listeners: adding a 'message' listener refs the port again.)
    worker.unref();
  }

  private onMessage(worker: Worker, message: WorkerMessage): void {
    if (this.worker !== worker) return;
    switch (message.type) {
      case 'prepared':
        this.preparing.get(message.language)?.resolve();
        this.preparing.delete(message.language);
        return;
      case 'startFailed': {
        const waiter = this.preparing.get(message.language);
        this.preparing.delete(message.language);
        this.prepared.delete(message.language);
        waiter?.reject(new Error(`The ${message.language} interpreter could not start: ${message.message}`));
        return;
      }
      case 'outputLimit':
        if (this.pending?.id === message.id) this.outputLimitHandler?.(message.stdout, message.stderr);
        return;
      case 'result':
        if (this.pending?.id === message.id) this.pending.resolve(message.result);
        return;
    }
  }

  /** Terminate the worker; whatever waits on it fails with `err` (or is already settled). */
  private stop(err = new Error('The sandbox was restarted')): void {
    const worker = this.worker;
    this.worker = undefined;
    this.prepared.clear();
    for (const waiter of this.preparing.values()) waiter.reject(err);
    this.preparing.clear();
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(err);
    if (worker) void worker.terminate();
  }
}

function engineOf(language: ProgramLanguage): string {
  return language === 'python' ? 'pyodide' : 'quickjs';
}

let shared: WasmSandbox | undefined;

/** The process-wide sandbox: Pyodide starts once and is reused by every run. */
export function sharedSandbox(): WasmSandbox {
  return (shared ??= new WasmSandbox());
}

/** Close the process-wide sandbox (extension deactivation). */
export function disposeSharedSandbox(): void {
  shared?.dispose();
  shared = undefined;
}
