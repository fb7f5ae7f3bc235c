// JavaScript programs in QuickJS compiled to WebAssembly, inside the sandbox process. The guest sees
// only QuickJS's own built-ins plus `console.log`/`print` defined here: no process, require, fetch,
// timers or host objects. The one host function, `log`, takes guest values, turns them into text on
// the host side and returns nothing, so no host object is ever handed into the guest. A fresh runtime
// per program, with QuickJS's memory limit and an interrupt at the deadline.
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten-core';

export interface QuickJsRun {
  ok: boolean;
  result?: string;
  error?: string;
  limit?: 'time' | 'memory' | 'output';
  memoryBytes?: number;
}

/** Text of a guest value for output: strings as they are, everything else as JSON where possible. */
function show(context: QuickJSContext, handle: QuickJSHandle): string {
  const value: unknown = context.dump(handle);
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Frees a handle; one an interrupted job already freed is not an error of the program's. */
function release(handle: QuickJSHandle): void {
  try {
    if (handle.alive) handle.dispose();
  } catch {
    // see above
  }
}

/** The message of an error a promise job threw; the handle may belong to a context being torn down. */
function jobMessage(error: QuickJSHandle & { context: QuickJSContext }): string {
  try {
    const value = error.context.dump(error) as { message?: string } | string;
    return typeof value === 'object' && value ? String(value.message ?? '') : String(value);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    release(error);
  }
}

export function runQuickJs(
  quickjs: QuickJSWASMModule,
  code: string,
  limits: { timeMs: number; memoryBytes: number },
  write: (text: string) => boolean,
): QuickJsRun {
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(1024 * 1024);
  const deadline = Date.now() + limits.timeMs;
  let outputFull = false;
  runtime.setInterruptHandler(() => outputFull || Date.now() > deadline);
  const context = runtime.newContext();
  try {
    const log = context.newFunction('log', (...args) => {
      if (!outputFull && !write(`${args.map((a) => show(context, a)).join(' ')}\n`)) outputFull = true;
    });
    const consoleObject = context.newObject();
    for (const name of ['log', 'info', 'warn', 'error', 'debug']) context.setProp(consoleObject, name, log);
    context.setProp(context.global, 'console', consoleObject);
    context.setProp(context.global, 'print', log);
    consoleObject.dispose();
    log.dispose();

    const evaluated = context.evalCode(code, 'program.js');
    // Promise jobs run under the same interrupt; one still looping at the deadline is a time limit,
    // not a success.
    const jobs = runtime.executePendingJobs();
    if (jobs.error) {
      const message = jobMessage(jobs.error);
      release(evaluated.error ?? evaluated.value);
      if (Date.now() > deadline || /interrupted/i.test(message)) return { ok: false, limit: 'time', error: 'InternalError: interrupted' };
      if (/out of memory/i.test(message)) return { ok: false, limit: 'memory', error: message };
      return { ok: false, error: `Uncaught in a promise job: ${message}` };
    }
    if (evaluated.error) {
      const error = context.dump(evaluated.error) as { name?: string; message?: string } | string;
      release(evaluated.error);
      const text = typeof error === 'object' && error ? `${error.name ?? 'Error'}: ${error.message ?? ''}` : String(error);
      if (outputFull) return { ok: false, limit: 'output', error: text };
      if (/interrupted/i.test(text)) return { ok: false, limit: 'time', error: text };
      if (/out of memory/i.test(text) || /stack overflow/i.test(text)) return { ok: false, limit: 'memory', error: text };
      return { ok: false, error: text };
    }
    const declared = context.getProp(context.global, 'result');
    const resultHandle = context.typeof(declared) !== 'undefined' ? declared : evaluated.value;
    const result = context.typeof(resultHandle) === 'undefined' ? undefined : show(context, resultHandle);
    release(declared);
    release(evaluated.value);
    // A getter that loops while the result is turned into text is stopped by the interrupt too.
    if (Date.now() > deadline) return { ok: false, limit: 'time', error: 'InternalError: interrupted' };
    return { ok: true, result };
  } finally {
    // A program stopped mid-way (jobs still queued) leaves objects QuickJS aborts on when freeing the
    // runtime; the process ends after this program anyway, so such a runtime is left to it.
    if (!runtime.hasPendingJob()) {
      try {
        context.dispose();
        runtime.dispose();
      } catch {
        // ignored: see above
      }
    }
  }
}
