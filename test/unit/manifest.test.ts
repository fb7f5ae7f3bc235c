// package.json must match the code: generated settings, registered commands, menus, views, entry point.
// When a technique parameter changes, run `npm run gen:settings` and commit package.json and package.nls.json.
// The manifest's texts are %key% references to package.nls.json (English); the checks below read them resolved.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { generatedManifest } from '../../scripts/gen-settings';
import { taskIds } from '../../src/core/tasks/registry';
import { TECHNIQUES } from '../../src/core/techniques/registry';
import { configurationContribution, restrictedConfigurations } from '../../src/settings/settingsSchema';

const root = resolve(import.meta.dirname, '../..');
const rawPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nls: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
const REGENERATE = 'package.json is out of date with the declarations: run `npm run gen:settings`';

/** Every %key% reference found in `value`'s strings. */
function nlsKeys(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/^%([^%\s]+)%$/g)].map((m) => m[1]);
  if (Array.isArray(value)) return value.flatMap(nlsKeys);
  if (value && typeof value === 'object') return Object.values(value).flatMap(nlsKeys);
  return [];
}

/** `value` with every "%key%" string replaced by its English text, as VS Code shows it. */
function resolveNls(value: unknown): any {
  if (typeof value === 'string') return /^%[^%\s]+%$/.test(value) ? (nls[value.slice(1, -1)] ?? value) : value;
  if (Array.isArray(value)) return value.map(resolveNls);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveNls(v)]));
  return value;
}

const pkg = resolveNls(rawPkg);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const sources = sourceFiles(join(root, 'src')).map((path) => readFileSync(path, 'utf8'));
const allProperties: Record<string, any> = Object.assign({}, ...pkg.contributes.configuration.map((s: any) => s.properties));

test('every technique parameter has a setting generated from its declaration', () => {
  for (const technique of TECHNIQUES) {
    for (const spec of technique.params) {
      const key = `thoughtscope.techniques.${technique.id}.${spec.name}`;
      const prop = allProperties[key];
      assert.ok(prop, `${key} is missing; ${REGENERATE}`);
      assert.deepEqual(prop.default, spec.default, `${key} default; ${REGENERATE}`);
      assert.equal(prop.markdownDescription, spec.description, `${key} description; ${REGENERATE}`);
      if (spec.type === 'integer' || spec.type === 'number') {
        assert.equal(prop.type, spec.type, `${key} type; ${REGENERATE}`);
        assert.equal(prop.minimum, spec.min, `${key} minimum; ${REGENERATE}`);
        assert.equal(prop.maximum, spec.max, `${key} maximum; ${REGENERATE}`);
      } else if (spec.type === 'enum') {
        assert.equal(prop.type, 'string', `${key} type; ${REGENERATE}`);
        assert.deepEqual(prop.enum, [...spec.options], `${key} options; ${REGENERATE}`);
      } else if (spec.type === 'string') {
        assert.equal(prop.type, 'string', `${key} type; ${REGENERATE}`);
        assert.equal(prop.maxLength, spec.maxLength, `${key} maxLength; ${REGENERATE}`);
      } else {
        assert.equal(prop.type, 'boolean', `${key} type; ${REGENERATE}`);
      }
    }
  }
  const declared = new Set(TECHNIQUES.flatMap((t) => t.params.map((p) => `thoughtscope.techniques.${t.id}.${p.name}`)));
  for (const key of Object.keys(allProperties).filter((k) => k.startsWith('thoughtscope.techniques.'))) {
    assert.ok(declared.has(key), `${key} is in package.json but no technique declares it; ${REGENERATE}`);
  }
});

test('contributes.configuration and the Workspace Trust list equal what the declarations generate', () => {
  assert.deepEqual(pkg.contributes.configuration, configurationContribution(), REGENERATE);
  const generated = generatedManifest(rawPkg, nls);
  assert.deepEqual(rawPkg, generated.manifest, REGENERATE);
  assert.deepEqual(nls, generated.nls, REGENERATE);
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedConfigurations(), REGENERATE);
  // The built-in ids as one branch (completed in settings.json), a task file's path as the other.
  const task = allProperties['thoughtscope.task'] as { type: string; anyOf: [{ enum: string[] }, { pattern: string }] };
  assert.equal(task.type, 'string');
  assert.deepEqual(task.anyOf[0].enum, taskIds(), REGENERATE);
  assert.ok(new RegExp(task.anyOf[1].pattern).test('tasks/units.task.yaml'));
});

test('untrusted workspaces cannot redirect requests or lift limits', () => {
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.ok(typeof trust.description === 'string' && trust.description.length > 0);
  for (const key of ['thoughtscope.baseUrl', 'thoughtscope.provider', 'thoughtscope.model', 'thoughtscope.pricing', 'thoughtscope.budget.maxUsd', 'thoughtscope.proxy.tokenRequired', 'thoughtscope.otel.endpoint', 'thoughtscope.otel.captureContent']) {
    assert.ok(trust.restrictedConfigurations.includes(key), `${key} must be restricted`);
  }
  for (const key of trust.restrictedConfigurations) assert.ok(allProperties[key], `restricted setting ${key} is not declared`);
  assert.ok(!Object.keys(allProperties).some((k) => /apikey|secret|token$/i.test(k)), 'no API key setting: keys live in SecretStorage');
});

test('every contributed command is registered in src, and every registered command is contributed', () => {
  const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const id of contributed) {
    assert.ok(
      sources.some((s) => s.includes(`registerCommand('${id}'`)),
      `command ${id} is contributed but no registerCommand('${id}', ...) is in src`,
    );
  }
  for (const s of sources) {
    for (const m of s.matchAll(/registerCommand\('([^']+)'/g)) {
      assert.ok(contributed.includes(m[1]), `command ${m[1]} is registered but not in contributes.commands`);
    }
  }
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'Thoughtscope', `${c.command} has category Thoughtscope`);
  const submenus: string[] = (pkg.contributes.submenus ?? []).map((s: { id: string }) => s.id);
  for (const [menu, entries] of Object.entries(pkg.contributes.menus as Record<string, Array<{ command?: string; submenu?: string }>>)) {
    for (const entry of entries) {
      if (entry.submenu) assert.ok(submenus.includes(entry.submenu), `menu ${menu} names undeclared submenu ${entry.submenu}`);
      else assert.ok(contributed.includes(entry.command!), `menu ${menu} names unknown command ${entry.command}`);
    }
  }
});

test('the editor context menu: "Reason with ToT" at the top level, the other Thoughtscope entries in the Thoughtscope submenu', () => {
  const entries: Array<{ command?: string; submenu?: string; when?: string }> = pkg.contributes.menus['editor/context'];
  const tot = entries.find((e) => e.command === 'thoughtscope.reasonWithTot');
  assert.ok(tot, 'editor/context has thoughtscope.reasonWithTot');
  assert.match(tot.when ?? '', /\beditorHasSelection\b/);
  assert.ok(TECHNIQUES.some((t) => t.id === 'tot'), 'the tot technique is registered');
  const submenu = pkg.contributes.submenus.find((s: { id: string; label: string }) => s.label === 'Thoughtscope');
  assert.ok(submenu, 'a submenu labelled Thoughtscope is declared');
  assert.deepEqual(entries.map((e) => e.command ?? e.submenu), ['thoughtscope.reasonWithTot', submenu.id], 'editor/context holds only Reason with ToT and the submenu');
  const inSubmenu = (pkg.contributes.menus[submenu.id] as Array<{ command: string }>).map((e) => e.command);
  for (const id of ['thoughtscope.reasonWith', 'thoughtscope.solveWithPot', 'thoughtscope.runInSandbox', 'thoughtscope.useSelectionAsIclExamples']) {
    assert.ok(inSubmenu.includes(id), `${id} is in the Thoughtscope submenu`);
  }
});

test('every %key% in package.json has its English text in package.nls.json, and every text there is used', () => {
  const used = new Set(nlsKeys(rawPkg));
  assert.ok(used.size > 50, 'command titles, views, walkthrough and settings are localized');
  for (const key of used) assert.ok(typeof nls[key] === 'string' && nls[key].length > 0, `%${key}% has no text in package.nls.json`);
  for (const key of Object.keys(nls)) assert.ok(used.has(key), `package.nls.json has ${key}, which package.json does not use`);
  for (const c of rawPkg.contributes.commands) assert.match(c.title, /^%.+%$/, `${c.command}'s title is localized`);
  assert.equal(rawPkg.l10n, './l10n');
  assert.ok(existsSync(join(root, 'l10n', 'bundle.l10n.json')), 'l10n/bundle.l10n.json (npm run l10n:export) exists');
});

test('every vscode.l10n.t string in src is in l10n/bundle.l10n.json (run `npm run l10n:export` after changing one)', () => {
  const bundle: Record<string, unknown> = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.json'), 'utf8'));
  const found: string[] = [];
  for (const s of sources) {
    for (const m of s.matchAll(/vscode\.l10n\.t\(\s*(['"])((?:\\.|(?!\1).)*)\1/g)) found.push(m[2].replace(/\\(['"\\])/g, '$1'));
  }
  assert.ok(found.length > 100, `the extension's messages are localized (found ${found.length})`);
  for (const message of found) assert.ok(message in bundle, `"${message}" is missing from l10n/bundle.l10n.json`);
});

test('keybindings: Reason with… and the Thought Graph, each bound on macOS too, to commands that exist', () => {
  const bindings: Array<{ command: string; key: string; mac?: string }> = pkg.contributes.keybindings;
  const commands = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
  // VS Code creates "<view id>.focus" for every view.
  for (const view of Object.values(pkg.contributes.views as Record<string, Array<{ id: string }>>).flat()) commands.add(`${view.id}.focus`);
  for (const b of bindings) {
    assert.ok(commands.has(b.command), `keybinding for unknown command ${b.command}`);
    assert.ok(b.mac, `${b.command} has a macOS key`);
  }
  assert.ok(bindings.some((b) => b.command === 'thoughtscope.reasonWith'), 'Reason with… has a key');
  assert.ok(bindings.some((b) => b.command === 'thoughtscope.graph.focus'), 'the Thought Graph has a key');
  const keys = bindings.flatMap((b) => [b.key, b.mac]);
  assert.equal(new Set(keys).size, keys.length, 'no two bindings share a key');
});

test('capabilities: no virtual workspaces (the engine reads files with node:fs), and a repository for the Marketplace', () => {
  const virtual = pkg.capabilities.virtualWorkspaces;
  assert.equal(virtual.supported, false);
  assert.match(virtual.description, /file system/);
  assert.ok(sourceFiles(join(root, 'src/core')).some((p) => /from ['"]node:fs['"]/.test(readFileSync(p, 'utf8'))), 'the engine does read files with node:fs');
  assert.match(pkg.repository.url, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+(\.git)?$/);
  assert.doesNotMatch(pkg.scripts.package, /--allow-missing-repository|--no-rewrite-relative-links/, 'vsce needs no special flags');
});

test('engines.vscode allows VS Code 1.100 and @types/vscode is not newer', () => {
  const m = /^\^1\.(\d+)\.(\d+)$/.exec(pkg.engines.vscode);
  assert.ok(m, `engines.vscode "${pkg.engines.vscode}" has the form ^1.x.y`);
  assert.ok(Number(m[1]) <= 100, `engines.vscode "${pkg.engines.vscode}" must be ^1.100.0 or lower`);
  const types = /(\d+)\.(\d+)/.exec(pkg.devDependencies['@types/vscode']);
  assert.ok(types && Number(types[2]) <= Number(m[1]), '@types/vscode must not be newer than engines.vscode (vsce refuses)');
});

test('main points to the bundled extension and the view is declared', () => {
  assert.equal(pkg.main.replace(/^\.\//, ''), 'dist/extension.js');
  const container = pkg.contributes.viewsContainers.activitybar.find((c: { id: string }) => c.id === 'thoughtscope');
  assert.ok(container, 'activity bar container "thoughtscope"');
  assert.equal(container.title, 'Thoughtscope');
  assert.ok(existsSync(join(root, container.icon)), `${container.icon} exists`);
  const view = pkg.contributes.views.thoughtscope.find((v: { id: string }) => v.id === 'thoughtscope.graph');
  assert.ok(view, 'view thoughtscope.graph');
  assert.equal(view.type, 'webview');
  assert.ok(sources.some((s) => s.includes("VIEW_ID = 'thoughtscope.graph'")), 'the provider registers thoughtscope.graph');
  if (pkg.icon) assert.ok(existsSync(join(root, pkg.icon)) && pkg.icon.endsWith('.png'), 'the marketplace icon is a PNG that exists');
});

test('src/core never imports vscode', () => {
  for (const path of sourceFiles(join(root, 'src/core'))) {
    assert.doesNotMatch(readFileSync(path, 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, `${path} imports vscode`);
  }
});
