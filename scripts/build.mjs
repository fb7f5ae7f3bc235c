// Builds the bundles: the extension host (CommonJS, vscode external; the tokenizer apart), the CLI, the
// webviews (browser IIFE) and the sandbox worker; copies the interpreter files. Writes
// dist/bundles.meta.json (which source files went into which bundle) for the third-party notices.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
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

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [tokenizerApart] },
  { ...common, entryPoints: ['src/core/model/o200k.ts'], outfile: 'dist/o200k.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'chrome120' },
  // The workbench panel (compare, evaluation report), with chart.js bundled in.
  { ...common, entryPoints: ['webview/workbench.ts'], outfile: 'dist/workbench.js', platform: 'browser', format: 'iife', target: 'chrome120' },
  // The Program of Thoughts sandbox worker thread: a bundle of its own, loaded by path at run time.
  { ...common, entryPoints: ['src/core/sandbox/worker.ts'], outfile: 'dist/sandboxWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
];

/** Interpreter files the sandbox reads at run time (Pyodide's loader, wasm and stdlib; QuickJS's wasm). */
const SANDBOX_ASSETS = [
  ...['pyodide.js', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'].map((f) => [`node_modules/pyodide/${f}`, `dist/pyodide/${f}`]),
  ['node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm', 'dist/quickjs/emscripten-module.wasm'],
];

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  const inputs = Object.fromEntries(builds.map((b, i) => [b.outfile, Object.keys(results[i].metafile.outputs[b.outfile]?.inputs ?? {})]));
  writeFileSync('dist/bundles.meta.json', `${JSON.stringify({ bundles: inputs, copied: SANDBOX_ASSETS.map(([from]) => from) }, null, 2)}\n`);
  copyFileSync('media/webview.css', 'dist/webview.css');
  copyFileSync('media/workbench.css', 'dist/workbench.css');
  for (const [from, to] of SANDBOX_ASSETS) {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  chmodSync('dist/cli.js', 0o755);
}
