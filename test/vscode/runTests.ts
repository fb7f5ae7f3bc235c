// `npm run test:vscode`: the mocha suite in a real VS Code desktop, with @vscode/test-electron (the
// ecosystem's standard harness). It downloads VS Code into .vscode-test/ on first use, so it needs
// the internet; CI (.ci/run) runs the code-server suite in test/e2e/ instead.
// The suite runs inside VS Code's extension host, which loads plain JavaScript: it is bundled first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'out', 'test-vscode');

async function main(): Promise<void> {
  await esbuild.build({
    entryPoints: [join(__dirname, 'index.ts'), join(__dirname, 'extension.test.ts')],
    outdir: OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    // The suite shares VS Code's API object and one mocha instance with the runner.
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const workspace = mkdtempSync(join(tmpdir(), 'thoughtscope-vscode-'));
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? '1.100.3',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(OUT, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
