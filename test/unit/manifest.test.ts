// package.json must match the code: generated settings, registered commands, menus, views, entry point.
// When a technique parameter changes, run `npm run gen:settings` and commit package.json.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { taskIds } from '../../src/core/tasks/registry';
import { TECHNIQUES } from '../../src/core/techniques/registry';
import { configurationContribution, restrictedConfigurations } from '../../src/settings/settingsSchema';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const REGENERATE = 'package.json is out of date with the declarations: run `npm run gen:settings`';

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
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedConfigurations(), REGENERATE);
  assert.deepEqual(allProperties['thoughtscope.task'].enum, taskIds(), REGENERATE);
});

test('untrusted workspaces cannot redirect requests or lift limits', () => {
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.ok(typeof trust.description === 'string' && trust.description.length > 0);
  for (const key of ['thoughtscope.baseUrl', 'thoughtscope.provider', 'thoughtscope.model', 'thoughtscope.pricing', 'thoughtscope.budget.maxUsd']) {
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
  for (const [menu, entries] of Object.entries(pkg.contributes.menus as Record<string, Array<{ command: string }>>)) {
    for (const entry of entries) assert.ok(contributed.includes(entry.command), `menu ${menu} names unknown command ${entry.command}`);
  }
});

test('the editor context menu offers "Reason with ToT" when there is a selection', () => {
  const entries: Array<{ command: string; when?: string }> = pkg.contributes.menus['editor/context'];
  const entry = entries.find((e) => e.command === 'thoughtscope.reasonWithTot');
  assert.ok(entry, 'editor/context has thoughtscope.reasonWithTot');
  assert.match(entry.when ?? '', /\beditorHasSelection\b/);
  assert.ok(TECHNIQUES.some((t) => t.id === 'tot'), 'the tot technique is registered');
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
