// Worker side: Pyodide (CPython in WebAssembly) inside a bare `vm` context of the sandbox worker.
//
// Why a separate context: Pyodide's own bridge lets Python reach JavaScript (`import js`,
// `pyodide.code.run_js`, and any JS function's `constructor`, which is `Function`). Under Node,
// Pyodide would also put `require` (fs, child_process) on the global object. So Pyodide runs in
// "shell" mode inside a context that has only the JavaScript built-ins plus a few functions defined
// here, with code generation from strings switched off (no eval / new Function) and no dynamic
// import. Nothing of the worker's own realm (process, require, fetch) is reachable from it: the
// context's functions call host capabilities only through closures, and only for the four files
// Pyodide needs while it starts.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

/** The files Pyodide reads while starting; nothing else can be read. */
const STARTUP_FILES = ['pyodide-lock.json', 'python_stdlib.zip', 'pyodide.asm.wasm'] as const;

export interface PyodideRun {
  ok: boolean;
  result?: string;
  error?: string;
  /** The Python exception's type name when the program raised. */
  errorType?: string;
  memoryBytes: number;
}

export interface PyodideRealm {
  run(code: string): PyodideRun;
}

/** Where program output goes; returns false once the output limit is passed. */
export type OutputSink = (stream: 'stdout' | 'stderr', bytes: Uint8Array) => boolean;

// Defined inside the context: capabilities are closed over, never stored on a reachable object.
const BRIDGE = `(function (hostRead, hostNow, hostRandom, hostWrite) {
  'use strict';
  const g = globalThis;
  const copy = (bytes) => { const out = new Uint8Array(bytes.length); for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]; return out; };
  g.read = function read(path) { return hostRead(String(path), false); };
  g.readbuffer = function readbuffer(path) { return copy(hostRead(String(path), true)).buffer; };
  g.load = function load() { throw new Error('loading scripts is disabled in the sandbox'); };
  g.print = function print() {};
  g.printErr = function printErr() {};
  g.performance = { now() { return hostNow(); } };
  g.crypto = { getRandomValues(view) { const bytes = hostRandom(view.byteLength); const v = new Uint8Array(view.buffer, view.byteOffset, view.byteLength); for (let i = 0; i < v.length; i++) v[i] = bytes[i]; return view; } };
  // UTF-8 only, which is all Pyodide asks for; written here so no host object enters the context.
  g.TextEncoder = class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(text = '') {
      const out = [];
      for (const ch of String(text)) {
        let c = ch.codePointAt(0);
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(out);
    }
    encodeInto(text, dest) {
      const bytes = this.encode(text);
      const n = Math.min(bytes.length, dest.length);
      dest.set(bytes.subarray(0, n));
      return { read: String(text).length, written: n };
    }
  };
  g.TextDecoder = class TextDecoder {
    get encoding() { return 'utf-8'; }
    decode(input) {
      if (input === undefined) return '';
      const b = input instanceof Uint8Array ? input : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
      let s = '';
      const parts = [];
      for (let i = 0; i < b.length; ) {
        const x = b[i];
        let c = 0xfffd, n = 1;
        if (x < 0x80) c = x;
        else if (x >= 0xc2 && x < 0xe0 && (b[i + 1] & 0xc0) === 0x80) { c = ((x & 31) << 6) | (b[i + 1] & 63); n = 2; }
        else if (x >= 0xe0 && x < 0xf0 && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) { c = ((x & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63); n = 3; }
        else if (x >= 0xf0 && x < 0xf5 && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80) { c = ((x & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63); n = 4; }
        s += String.fromCodePoint(c);
        i += n;
        if (s.length > 8192) { parts.push(s); s = ''; }
      }
      parts.push(s);
      return parts.join('');
    }
  };
  return {
    stream(name) { return { write(buf) { if (!hostWrite(name, copy(buf))) throw new Error('output limit reached'); return buf.length; } }; },
  };
})`;

// Runs one program in fresh globals; restores builtins and drops modules it imported, so a program
// cannot leave changes behind for the next one. Returns (ok, result, error, error type).
const RUNNER = `
def _thoughtscope_runner():
    import builtins, sys, traceback
    saved_builtins = dict(builtins.__dict__)
    saved_modules = set(sys.modules)
    def reset():
        builtins.__dict__.clear()
        builtins.__dict__.update(saved_builtins)
        for name in list(sys.modules):
            if name not in saved_modules:
                del sys.modules[name]
    def run(code):
        scope = {'__name__': '__main__', '__builtins__': builtins}
        try:
            exec(compile(code, '<program>', 'exec'), scope)
        except SystemExit as e:
            if e.code not in (None, 0):
                reset()
                return (False, None, 'SystemExit: ' + str(e.code), 'SystemExit')
        except BaseException as e:
            frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == '<program>']
            where = ('line %d: ' % frames[-1].lineno) if frames else ''
            text = ''.join(traceback.format_exception_only(type(e), e)).strip()
            reset()
            return (False, None, where + text, type(e).__name__)
        result = scope.get('result', scope.get('answer'))
        reset()
        return (True, None if result is None else str(result), None, None)
    return run
_thoughtscope_runner()
`;

function pyodideSource(dir: string, heapMaxBytes: number): string {
  let asm = readFileSync(join(dir, 'pyodide.asm.mjs'), 'utf8');
  // The module is ESM; as a classic script it needs its own URL and no export line.
  const patches: Array<[string | RegExp, string]> = [
    [/import\.meta\.url/g, '"file:///pyodide/pyodide.asm.mjs"'],
    [/export default _createPyodideModule;\s*$/, ''],
    // Shell mode would use d8's os.system for randomness; use the context's crypto instead.
    ['var initRandomFill=()=>{', 'var initRandomFill=()=>{if(globalThis.crypto?.getRandomValues)return view=>crypto.getRandomValues(view);'],
    // The memory limit: malloc fails (MemoryError in Python) instead of growing past it.
    ['var getHeapMax=()=>4294901760;', `var getHeapMax=()=>${Math.floor(heapMaxBytes / 65536) * 65536};`],
  ];
  for (const [from, to] of patches) {
    const next = typeof from === 'string' ? asm.replace(from, to) : asm.replace(from, to);
    if (next === asm) throw new Error(`this Pyodide build is not the one the sandbox was written for (cannot apply patch ${String(from).slice(0, 40)})`);
    asm = next;
  }
  return `${asm}\n;_createPyodideModule`;
}

export async function startPyodide(dir: string, heapMaxBytes: number, sink: OutputSink): Promise<PyodideRealm> {
  const context = vm.createContext({}, { name: 'thoughtscope-python', codeGeneration: { strings: false, wasm: true } });
  let starting = true;
  const hostRead = (path: string, binary: boolean): string | Uint8Array => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (!starting || !(STARTUP_FILES as readonly string[]).includes(name)) throw new Error(`no such file: ${path}`);
    const bytes = readFileSync(join(dir, name));
    return binary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8');
  };
  const hostWrite = (stream: string, bytes: Uint8Array): boolean => sink(stream === 'stderr' ? 'stderr' : 'stdout', bytes);
  const bridge = new vm.Script(BRIDGE, { filename: 'bridge.js' }).runInContext(context)(
    hostRead,
    () => performance.now(),
    (n: number) => new Uint8Array(randomBytes(Math.min(Math.max(0, n | 0), 65536))),
    hostWrite,
  );
  const createModule = new vm.Script(pyodideSource(dir, heapMaxBytes), { filename: 'pyodide.asm.js' }).runInContext(context);
  new vm.Script(readFileSync(join(dir, 'pyodide.js'), 'utf8'), { filename: 'pyodide.js' }).runInContext(context);
  const load = new vm.Script(
    '(create) => loadPyodide({ indexURL: "/pyodide/", createPyodideModule: create, jsglobals: {}, env: { HOME: "/home/pyodide" }, fullStdLib: false })',
    { filename: 'load.js' },
  ).runInContext(context);
  const pyodide = await load(createModule);
  starting = false;
  pyodide.setStdout(bridge.stream('stdout'));
  pyodide.setStderr(bridge.stream('stderr'));
  const runner = pyodide.runPython(RUNNER);
  const heap = (): number => Number(pyodide._module?.HEAPU8?.length ?? 0);

  return {
    run(code: string): PyodideRun {
      const tuple = runner(code);
      try {
        const [ok, result, error, errorType] = tuple.toJs() as [boolean, string | null, string | null, string | null];
        return { ok, result: result ?? undefined, error: error ?? undefined, errorType: errorType ?? undefined, memoryBytes: heap() };
      } finally {
        tuple.destroy();
      }
    },
  };
}
