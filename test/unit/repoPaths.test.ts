// scripts/check-repo-paths.sh (the first step of .ci/run): it names every path that leaves the
// repository, by file and line, and lets relative imports and shallow test inputs pass.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'check-repo-paths.sh');

function check(root?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', root ? [SCRIPT, root] : [SCRIPT], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

// Fixture sources are written with DD for ".." and WORK for "work", so this file passes the check itself.
function fixtureRepo(files: Record<string, string[]>): string {
  const root = mkdtempSync(join(tmpdir(), 'thoughtscope-paths-'));
  for (const [path, lines] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), lines.map((l) => l.replaceAll('DD', '..').replaceAll('WORK', 'work').replaceAll('OLD', 'shared')).join('\n') + '\n');
  }
  return root;
}

describe('check-repo-paths', () => {
  it('names each path that leaves the repository as file:line, and passes the ones that stay inside', async () => {
    const root = fixtureRepo({
      'src/workbench/panel.ts': [
        "import { webviewHtml } from 'DD/shared/webviewHtml';", // src/shared: inside
        "import { run } from 'DD/DD/src/core/run';", // climbs 2 from 2 deep: inside
        "const guess = join(folder, 'DD', 'OLD', 'data', 'game24', '24.csv');", // 3: flagged
      ],
      'src/core/sandbox/locate.ts': ["const modules = join(__dirname, 'DD', 'DD', 'DD', 'node_modules');"],
      'src/main.ts': [
        "const ok = join(__dirname, 'DD', 'dist');",
        "const bad = join(__dirname, 'DD', 'DD', 'elsewhere');", // 2: flagged
        "import x from 'DD/DD/outside';", // 3: flagged
      ],
      'test/unit/paths.test.ts': [
        "assert.throws(() => store.load('DD/DD/etc/passwd'));",
        "const csv = '/WORK/OLD/data/game24/24.csv';", // 2: flagged
        "const beside = resolve(process.cwd(), 'DD/data.csv');", // 3: flagged
        "const up = resolve(ROOT, 'DD', 'x');", // 4: flagged
      ],
      'bench/data.ts': ["const CSV = 'DD/OLD/data/game24/24.csv';"], // flagged
      'scripts/build.mjs': ["const manifest = new URL('DD/package.json', import.meta.url);"],
    });
    const r = await check(root);
    assert.equal(r.code, 1, r.stderr);
    const named = r.stdout.trim().split('\n').map((l) => l.split(': ')[0]);
    assert.deepEqual(
      [...new Set(named)].sort(),
      ['bench/data.ts:1', 'src/main.ts:2', 'src/main.ts:3', 'src/workbench/panel.ts:3', 'test/unit/paths.test.ts:2', 'test/unit/paths.test.ts:3', 'test/unit/paths.test.ts:4'],
    );
    assert.match(r.stdout, /^src\/workbench\/panel\.ts:3: leaves the repository \(the shared folder beside the repository\): const guess/m);
    assert.match(r.stderr, /path\(s\) leave the repository/);
  });

  it('passes this repository', async () => {
    const r = await check();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
  });
});
