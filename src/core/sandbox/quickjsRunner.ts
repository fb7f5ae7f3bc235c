// Worker side: JavaScript programs in QuickJS compiled to WebAssembly. The guest sees only QuickJS's
// own built-ins plus `console.log`/`print` defined here: no process, require, fetch, timers or host
// objects. A fresh runtime per program, with QuickJS's memory limit and an interrupt at the deadline.
import { readFileSync } from 'node:fs';
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSContext, type QuickJSWASMModule } from 'quickjs-emscripten';

export interface QuickJsRun {
  ok: boolean;
  result?: string;
  error?: string;
  limit?: 'time' | 'memory' | 'output';
  memoryBytes?: number;
}

export async function startQuickJs(wasmPath: string): Promise<QuickJSWASMModule> {
  const bytes = readFileSync(wasmPath);
  const wasmModule = await WebAssembly.compile(bytes);
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule }));
}

/** Text of a guest value for output: strings as they are, everything else as JSON where possible. */
function show(context: QuickJSContext, handle: Parameters<QuickJSContext['dump']>[0]): string {
  const value: unknown = context.dump(handle);
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
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
    runtime.executePendingJobs();
    if (evaluated.error) {
      const error = context.dump(evaluated.error) as { name?: string; message?: string } | string;
      evaluated.error.dispose();
      const text = typeof error === 'object' && error ? `${error.name ?? 'Error'}: ${error.message ?? ''}` : String(error);
      if (outputFull) return { ok: false, limit: 'output', error: text };
      if (/interrupted/i.test(text)) return { ok: false, limit: 'time', error: text };
      if (/out of memory/i.test(text) || /stack overflow/i.test(text)) return { ok: false, limit: 'memory', error: text };
      return { ok: false, error: text };
    }
    const declared = context.getProp(context.global, 'result');
    const resultHandle = context.typeof(declared) !== 'undefined' ? declared : evaluated.value;
    const result = context.typeof(resultHandle) === 'undefined' ? undefined : show(context, resultHandle);
    declared.dispose();
    evaluated.value.dispose();
    return { ok: true, result };
  } finally {
    context.dispose();
    runtime.dispose();
  }
}
