// Loads dist/extension.js the way VS Code would, with a stand-in for the `vscode` module in which every
// property is a callable, constructible stub, then times require() and activate(). Prints JSON.
// Plain CommonJS (no TypeScript loader) so only the bundle's own cost is timed.
const Module = require('node:module');
const { join } = require('node:path');

function stub(path) {
  const cache = new Map();
  const target = function () {};
  return new Proxy(target, {
    get(_, key) {
      if (key === 'then') return undefined; // not a promise
      if (key === Symbol.toPrimitive) return () => path;
      if (key === Symbol.iterator) return function* () {};
      if (!cache.has(key)) cache.set(key, stub(`${path}.${String(key)}`));
      return cache.get(key);
    },
    set(_, key, value) {
      cache.set(key, value);
      return true;
    },
    apply: () => stub(`${path}()`),
    construct: () => stub(`new ${path}`),
  });
}

// A plain object for the module itself: bundlers copy its own keys when importing it as a namespace,
// so it holds every `vscode.X` name the extension's sources use (read from src/, so new ones are covered).
const { readdirSync, readFileSync } = require('node:fs');
function vscodeNames(dir) {
  const names = new Set();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8');
    for (const m of text.matchAll(/\bvscode\.([A-Za-z_]\w*)/g)) names.add(m[1]);
  }
  return [...names];
}
const vscode = Object.fromEntries(vscodeNames(join(__dirname, '..', 'src')).map((name) => [name, stub(`vscode.${name}`)]));
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};

// The extension's folder: the repository, or a .vsix unpacked (argv[2]).
const root = process.argv[2] ?? join(__dirname, '..');
const t0 = performance.now();
const extension = require(join(root, 'dist', 'extension.js'));
const t1 = performance.now();
const context = new Proxy(
  { subscriptions: [], extension: { packageJSON: require(join(root, 'package.json')) }, extensionUri: stub('uri'), extensionPath: root },
  { get: (target, key) => (key in target ? target[key] : stub(`context.${String(key)}`)) },
);
extension.activate(context);
const t2 = performance.now();
const heap = process.memoryUsage();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, rssBytes: heap.rss, heapUsedBytes: heap.heapUsed }) + '\n');
process.exit(0);
