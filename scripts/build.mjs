// Builds the three bundles: the extension host (CommonJS, vscode external), the CLI, and the webview (browser IIFE).
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { mermaidConfigCache } from './mermaidConfigCache.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  // The panel, with Mermaid's getConfig copying its configuration once per change instead of per call.
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'chrome120', plugins: [mermaidConfigCache] },
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
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyFileSync('media/webview.css', 'dist/webview.css');
  copyFileSync('media/workbench.css', 'dist/workbench.css');
  for (const [from, to] of SANDBOX_ASSETS) {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  chmodSync('dist/cli.js', 0o755);
}
