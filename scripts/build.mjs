// Builds the bundles: the extension host (CommonJS, vscode external; the tokenizer and the
// OpenTelemetry SDK apart), the CLI, the webviews (browser IIFE) and the sandbox worker; copies the
// interpreter files. Writes
// dist/bundles.meta.json (which source files went into which bundle) for the third-party notices.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', metafile: true };

/**
 * In the extension bundle, tokens.ts's require('./o200k') stays a require of dist/o200k.js: the 2.7 MB
 * tokenizer is then read on the first token estimate, not each time the extension activates.
 */
const tokenizerApart = {
  name: 'tokenizer-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/o200k$/ }, (args) =>
      args.importer.endsWith(join('src', 'core', 'model', 'tokens.ts')) ? { path: './o200k.js', external: true } : undefined);
  },
};

/** Likewise the OpenTelemetry SDK: src/otel/otelExport.ts requires dist/otel.js when the first run is exported. */
const otelApart = {
  name: 'otel-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/core\/otel\/tracing$/ }, (args) =>
      args.importer.endsWith(join('src', 'otel', 'otelExport.ts')) ? { path: './otel.js', external: true } : undefined);
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [tokenizerApart, otelApart] },
  { ...common, entryPoints: ['src/core/model/o200k.ts'], outfile: 'dist/o200k.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/core/otel/tracing.ts'], outfile: 'dist/otel.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'chrome120' },
  // The workbench panel (compare, evaluation report), with chart.js bundled in.
  { ...common, entryPoints: ['webview/workbench.ts'], outfile: 'dist/workbench.js', platform: 'browser', format: 'iife', target: 'chrome120' },
  // What runs inside each sandbox process (Deno): an ES module of its own, beside the interpreter files.
  { ...common, entryPoints: ['src/core/sandbox/guest/runner.ts'], outfile: 'dist/sandbox/runner.mjs', platform: 'neutral', format: 'esm', target: 'es2022', mainFields: ['module', 'main'], external: ['node:*'] },
];

/** Interpreter files the sandbox process reads (Pyodide's loader, wasm and stdlib; QuickJS's wasm): all it may read. */
const SANDBOX_ASSETS = [
  ...['pyodide.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'].map((f) => [`node_modules/pyodide/${f}`, `dist/sandbox/pyodide/${f}`]),
  ['node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm', 'dist/sandbox/quickjs/emscripten-module.wasm'],
];

/**
 * pyodide.asm.mjs with one change: the wasm heap's ceiling is read from the global the runner sets
 * (the program's memory limit), so Python raises MemoryError instead of growing past it.
 */
function writePatchedPyodideAsm() {
  const from = 'var getHeapMax=()=>4294901760;';
  const source = readFileSync('node_modules/pyodide/pyodide.asm.mjs', 'utf8');
  if (!source.includes(from)) throw new Error('this Pyodide build is not the one the sandbox was written for (no getHeapMax to patch)');
  writeFileSync('dist/sandbox/pyodide/pyodide.asm.mjs', source.replace(from, 'var getHeapMax=()=>globalThis.thoughtscopeHeapMax??4294901760;'));
}

/**
 * Deno's binary for this machine, beside the runner: the extension finds it there (the .vsix is
 * per platform), and the tests run the files that ship. A hard link where the file system allows.
 */
function copyDenoBinary() {
  const packages = { 'linux-x64': 'linux-x64-glibc', 'linux-arm64': 'linux-arm64-glibc', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64', 'win32-x64': 'win32-x64', 'win32-arm64': 'win32-arm64' };
  const name = packages[`${process.platform}-${process.arch}`];
  if (!name) throw new Error(`Deno publishes no binary for ${process.platform}-${process.arch}`);
  const exe = process.platform === 'win32' ? 'deno.exe' : 'deno';
  const from = `node_modules/@deno/${name}/${exe}`;
  const to = `dist/sandbox/${exe}`;
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
  chmodSync(to, 0o755);
  return from;
}

mkdirSync('dist', { recursive: true });
// Files of the sandbox before Deno (a worker thread with its own interpreter copies), if a checkout still has them.
for (const old of ['dist/sandboxWorker.js', 'dist/sandboxWorker.js.map', 'dist/pyodide', 'dist/quickjs']) rmSync(old, { recursive: true, force: true });
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  const inputs = Object.fromEntries(builds.map((b, i) => [b.outfile, Object.keys(results[i].metafile.outputs[b.outfile]?.inputs ?? {})]));
  copyFileSync('media/webview.css', 'dist/webview.css');
  copyFileSync('media/workbench.css', 'dist/workbench.css');
  for (const [from, to] of SANDBOX_ASSETS) {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  writePatchedPyodideAsm();
  const deno = copyDenoBinary();
  const copied = [...SANDBOX_ASSETS.map(([from]) => from), 'node_modules/pyodide/pyodide.asm.mjs', deno];
  writeFileSync('dist/bundles.meta.json', `${JSON.stringify({ bundles: inputs, copied }, null, 2)}\n`);
  chmodSync('dist/cli.js', 0o755);
}
