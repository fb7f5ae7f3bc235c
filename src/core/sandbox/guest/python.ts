// Python in the sandbox process: Pyodide, restored from a memory snapshot of a freshly started
// interpreter (about 0.5 s instead of 2-3 s for a full start), so every program gets a clean one.
import type { LimitKind } from '../types';

export interface PythonResult {
  ok: boolean;
  result?: string;
  error?: string;
  limit?: LimitKind;
  memoryBytes?: number;
}

interface Pyodide {
  runPython(code: string): PyProxy;
  makeMemorySnapshot(): Uint8Array;
  setStdout(options: { write(bytes: Uint8Array): number }): void;
  setStderr(options: { write(bytes: Uint8Array): number }): void;
  setStdin(options: { stdin(): undefined }): void;
  _module?: { HEAPU8?: Uint8Array };
}
interface PyProxy {
  (...args: unknown[]): PyProxy;
  callPromising(...args: unknown[]): Promise<PyProxy>;
  toJs(): unknown;
  destroy(): void;
}
type LoadPyodide = (options: Record<string, unknown>) => Promise<Pyodide>;

export interface PythonInterpreter {
  pyodide: Pyodide;
  runner: PyProxy;
}

// `dir` is a file system path ending with a separator: Pyodide under Deno reads its files by path.
async function loader(dir: string): Promise<LoadPyodide> {
  const module = (await import(toFileUrl(`${dir}pyodide.mjs`))) as { loadPyodide: LoadPyodide };
  return module.loadPyodide;
}

function toFileUrl(path: string): string {
  const slashed = path.replaceAll('\\', '/');
  return encodeURI(`file://${slashed.startsWith('/') ? '' : '/'}${slashed}`).replaceAll('#', '%23').replaceAll('?', '%3F');
}

function commonOptions(dir: string): Record<string, unknown> {
  // jsglobals: `import js` sees an empty object rather than the process's globals.
  return { indexURL: dir, jsglobals: {}, env: { HOME: '/home/pyodide' }, fullStdLib: false };
}

export async function snapshotPython(dir: string): Promise<Uint8Array> {
  const pyodide = await (await loader(dir))({ ...commonOptions(dir), _makeSnapshot: true });
  return pyodide.makeMemorySnapshot();
}

// Runs the program in fresh globals and reports (ok, result, error, error type). The `result`
// (or `answer`) variable is the program's result, as in the paper's programs.
const RUNNER = `
def _thoughtscope_run(code):
    import traceback
    scope = {'__name__': '__main__'}
    try:
        exec(compile(code, '<program>', 'exec'), scope)
    except SystemExit as e:
        if e.code not in (None, 0):
            return (False, None, 'SystemExit: ' + str(e.code), 'SystemExit')
    except BaseException as e:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == '<program>']
        where = ('line %d: ' % frames[-1].lineno) if frames else ''
        text = ''.join(traceback.format_exception_only(type(e), e)).strip()
        return (False, None, where + text, type(e).__name__)
    result = scope.get('result', scope.get('answer'))
    return (True, None if result is None else str(result), None, None)
_thoughtscope_run
`;

export async function startPython(
  dir: string,
  snapshot: Uint8Array,
  heapMaxBytes: number,
  write: (stream: 'stdout' | 'stderr', text: string) => boolean,
): Promise<PythonInterpreter> {
  // Read by the getHeapMax that scripts/build.mjs patches into pyodide.asm.mjs: past it, malloc
  // fails and Python raises MemoryError. (The host's memory watch is the wall; this is the courtesy.)
  (globalThis as { thoughtscopeHeapMax?: number }).thoughtscopeHeapMax = Math.floor(heapMaxBytes / 65536) * 65536;
  const pyodide = await (await loader(dir))({ ...commonOptions(dir), _loadSnapshot: snapshot });
  for (const stream of ['stdout', 'stderr'] as const) {
    const decoder = new TextDecoder();
    const options = {
      write(bytes: Uint8Array): number {
        if (!write(stream, decoder.decode(bytes, { stream: true }))) throw new Error('output limit reached');
        return bytes.length;
      },
    };
    if (stream === 'stdout') pyodide.setStdout(options);
    else pyodide.setStderr(options);
  }
  pyodide.setStdin({ stdin: () => undefined });
  return { pyodide, runner: pyodide.runPython(RUNNER) };
}

export async function runPython({ pyodide, runner }: PythonInterpreter, code: string): Promise<PythonResult> {
  const memoryBytes = () => Number(pyodide._module?.HEAPU8?.length ?? 0);
  let tuple: PyProxy;
  try {
    // Called so that a program may wait for a JavaScript promise with pyodide.ffi.run_sync.
    tuple = await runner.callPromising(code);
  } catch (err) {
    // A JavaScript error out of the interpreter itself, e.g. the JS stack overflowing under deep recursion.
    // Or Deno refusing what the interpreter tried for the program (os.system reaches for a process).
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const refused = err instanceof Error && err.name === 'NotCapable';
    return { ok: false, error: `${refused ? 'the sandbox refused it' : 'the interpreter failed'}: ${message.split('\n')[0]}`, memoryBytes: memoryBytes() };
  }
  try {
    const [ok, result, error, errorType] = tuple.toJs() as [boolean, string | null, string | null, string | null];
    return { ok, result: result ?? undefined, error: error ?? undefined, limit: errorType === 'MemoryError' ? 'memory' : undefined, memoryBytes: memoryBytes() };
  } finally {
    tuple.destroy();
  }
}
