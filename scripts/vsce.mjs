// Runs vsce (`package`, `ls`, ...) as `node scripts/vsce.mjs <vsce arguments>`, on a staged view of the
// repository. package.json's "files" list says what the npm package (the CLI) holds, .vscodeignore what the
// .vsix (the extension) ships; vsce refuses to package when both exist. So vsce runs in a temporary folder
// holding a copy of package.json without "files" and links to everything else in the repository.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
/** Never linked: the manifest is copied, and vsce must not see dependencies or git metadata. */
const NOT_LINKED = new Set(['package.json', 'node_modules', '.git']);

// Paths given to vsce are the caller's: resolve them before vsce runs somewhere else.
const args = process.argv.slice(2);
// The .vsix carries Deno's binary for the sandbox, so it is per platform: this machine's, unless given.
if (args[0] === 'package' && !args.includes('--target')) args.push('--target', `${process.platform}-${process.arch}`);
for (let i = 0; i < args.length - 1; i++) {
  if (['--out', '-o', '--ignoreFile', '--readme-path', '--changelog-path'].includes(args[i])) args[i + 1] = resolve(args[i + 1]);
}

const stage = mkdtempSync(join(tmpdir(), 'thoughtscope-vsce-'));
let status = 1;
try {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  delete manifest.files;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const name of readdirSync(root)) {
    if (!NOT_LINKED.has(name)) symlinkSync(join(root, name), join(stage, name));
  }
  const run = spawnSync(process.execPath, [vsce, ...args, '--follow-symlinks'], { cwd: stage, stdio: 'inherit' });
  status = run.status ?? 1;
} finally {
  rmSync(stage, { recursive: true, force: true }); // removes the links, not what they point to
}
process.exit(status);
