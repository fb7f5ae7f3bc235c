// `npm run package` as the README says: it must keep working next to package.json's "files" list (for
// npm), which vsce refuses beside .vscodeignore; scripts/vsce.mjs runs vsce on a staged view without it.
// The .vsix holds the extension's bundles and the Game of 24 data with its licence, not the CLI or sources.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';

const ROOT = join(__dirname, '..', '..');

it('npm run package builds thoughtscope.vsix with the data and without the CLI, sources or maps', () => {
  execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  // The .vsix is a zip; python3 (installed by .ci/run) lists it without a zip package here.
  const files = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(ROOT, 'thoughtscope.vsix')], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/otel.js', 'extension/dist/webview.js', 'extension/dist/sandbox/pyodide/pyodide.asm.wasm', 'extension/dist/sandbox/runner.mjs', 'extension/dist/sandbox/deno', 'extension/data/game24/24.csv', 'extension/data/game24/LICENSE', 'extension/data/got/sorting_032.csv', 'extension/data/got/LICENSE', 'extension/templates/game24/propose.liquid', 'extension/tasks/game24.task.yaml', 'extension/schemas/task.schema.json', 'extension/schemas/experiment.schema.json']) {
    assert.ok(files.includes(needed), `${needed} is in the .vsix: ${files.join(', ')}`);
  }
  // Per platform: the manifest names this machine's, since the .vsix carries its Deno binary.
  const manifest = execFileSync('python3', ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("extension.vsixmanifest").decode())', join(ROOT, 'thoughtscope.vsix')], { encoding: 'utf8' });
  assert.match(manifest, new RegExp(`TargetPlatform="${process.platform}-${process.arch}"`));
  const unwanted = files.filter((f) => f === 'extension/dist/cli.js' || /^extension\/(src|test|bench|scripts|node_modules)\//.test(f) || f.endsWith('.map'));
  assert.deepEqual(unwanted, []);
});
