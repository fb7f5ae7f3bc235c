// ThirdPartyNotices.txt (scripts/notices.mjs, written by `npm run package`) must name every npm package
// whose code the build put in dist/ or whose files it copied there, with its version and licence.
// The packages are read here from the build's metafile list (dist/bundles.meta.json, made by `npm run
// build`, which `npm test` runs first) and each package's own package.json, independently of the script.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { thirdPartyNotices } from '../../scripts/notices.mjs';

const root = join(import.meta.dirname, '..', '..');

/** name@version of every package a dist file came from, and the dist files of each. */
function bundledPackages(): Map<string, Set<string>> {
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'bundles.meta.json'), 'utf8')) as { bundles: Record<string, string[]>; copied: string[] };
  const files = [...Object.entries(meta.bundles).flatMap(([bundle, inputs]) => inputs.map((f) => [f, bundle])), ...meta.copied.map((f) => [f, 'copied'])];
  const found = new Map<string, Set<string>>();
  for (const [file, where] of files) {
    const parts = file.split('/');
    const last = parts.lastIndexOf('node_modules');
    if (last < 0) continue;
    const depth = parts[last + 1].startsWith('@') ? 3 : 2;
    const manifest = JSON.parse(readFileSync(join(root, ...parts.slice(0, last + depth), 'package.json'), 'utf8')) as { name: string; version: string };
    const id = `${manifest.name}@${manifest.version}`;
    if (!found.has(id)) found.set(id, new Set());
    found.get(id)!.add(where);
  }
  return found;
}

test('the notices name every bundled or copied package with its version and licence', async () => {
  const bundled = bundledPackages();
  for (const id of ['openai@', 'mermaid@', 'gpt-tokenizer@', 'pyodide@', '@jitl/quickjs-wasmfile-release-sync@', '@vscode/webview-ui-toolkit@']) {
    assert.ok([...bundled.keys()].some((k) => k.startsWith(id)), `${id} is among the bundled packages (the metafile list is read correctly)`);
  }
  const { text, packages } = await thirdPartyNotices(root);
  const sections = new Map(text.split(/^-{78}$/m).slice(1).map((s) => [s.trim().split('\n')[0], s]));
  for (const [id, where] of bundled) {
    const section = sections.get(id);
    assert.ok(section, `${id} (in ${[...where].join(', ')}) is missing from the third-party notices`);
    assert.match(section, /^License: \S.*$/m, `${id} has a licence line`);
  }
  assert.equal(packages.length, bundled.size, 'no package is listed that the build does not ship');
  assert.match(sections.get([...bundled.keys()].find((k) => k.startsWith('openai@'))!)!, /Apache License/, 'licence texts are included');
});
