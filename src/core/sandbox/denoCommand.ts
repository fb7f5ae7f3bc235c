// The walls of the sandbox, in one place: how a sandbox process is started. Deno checks every file,
// network, environment, process and FFI access of any code in the process (in Rust, outside the
// JavaScript realm a program can take over) and refuses it unless a flag allows it. Only reading the
// interpreter files is allowed. The environment is empty but for Deno's own quiet switches, the
// working directory and DENO_DIR are a scratch folder deleted afterwards, and the host kills the
// process at the time limit.
import { accessSync, constants, chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The npm packages (dependencies of `deno`) that hold Deno's binary, by Node's platform-arch. */
const DENO_PACKAGES: Record<string, string> = {
  'linux-x64': '@deno/linux-x64-glibc',
  'linux-arm64': '@deno/linux-arm64-glibc',
  'darwin-x64': '@deno/darwin-x64',
  'darwin-arm64': '@deno/darwin-arm64',
  'win32-x64': '@deno/win32-x64',
  'win32-arm64': '@deno/win32-arm64',
};

export class SandboxUnavailableError extends Error {}

const exe = process.platform === 'win32' ? 'deno.exe' : 'deno';

/**
 * Deno's binary: THOUGHTSCOPE_DENO if set, else the one shipped beside the runner (the per-platform
 * .vsix), else the `@deno/<platform>` package that npm installed with the CLI.
 */
export function findDeno(sandboxDir: string): string {
  const candidates = [process.env.THOUGHTSCOPE_DENO, join(sandboxDir, exe), fromPackage()].filter((p): p is string => !!p);
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    ensureExecutable(path);
    return path;
  }
  const platform = `${process.platform}-${process.arch}`;
  throw new SandboxUnavailableError(
    `programs run in a Deno sandbox, and no Deno binary was found for ${platform}` +
      (DENO_PACKAGES[platform] ? `: reinstall Thoughtscope, or set THOUGHTSCOPE_DENO to a deno 2 executable` : ` (Deno publishes none for it): set THOUGHTSCOPE_DENO to a deno 2 executable`),
  );
}

function fromPackage(): string | undefined {
  const name = DENO_PACKAGES[`${process.platform}-${process.arch}`];
  if (!name) return undefined;
  try {
    return join(dirname(createRequire(__filename).resolve(`${name}/package.json`)), exe);
  } catch {
    return undefined;
  }
}

/** A .vsix may lose the executable bit when it is unpacked; put it back (the file is ours). */
function ensureExecutable(path: string): void {
  if (process.platform === 'win32') return;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    try {
      chmodSync(path, 0o755);
    } catch {
      // Reported when spawning fails.
    }
  }
}

export interface DenoLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The command line of one sandbox process. `readable` are the only paths it may read (the runner and
 * the interpreter files). Everything not allowed is also denied explicitly, so a Deno default that
 * changes (remote imports are allowed from a few hosts by default) cannot open a door.
 */
export function denoLaunch(deno: string, runner: string, readable: string[], scratch: string, heapMb: number): DenoLaunch {
  const args = [
    'run',
    '--quiet',
    '--no-prompt',
    '--no-config',
    '--no-lock',
    '--no-remote',
    '--no-npm',
    '--cached-only',
    `--allow-read=${readable.join(',')}`,
    '--deny-write',
    '--deny-net',
    '--deny-env',
    '--deny-run',
    '--deny-ffi',
    '--deny-sys',
    '--deny-import',
    `--v8-flags=--max-old-space-size=${heapMb}`,
    runner,
  ];
  const env: Record<string, string> = { DENO_DIR: join(scratch, 'deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' };
  // Windows programs need SystemRoot to start at all; it names a folder, not a secret.
  if (process.platform === 'win32' && process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  return { command: deno, args, env };
}
