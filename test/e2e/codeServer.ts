// code-server for the end-to-end tests: installs it once into a cache dir (install-code-server.sh),
// copies the files the .vsix would ship (per .vscodeignore) into a fresh extensions dir, then starts code-server on a free loopback port with throwaway user data,
// user settings and a workspace folder.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface CodeServer {
  /** The workbench URL with the workspace folder open. */
  url: string;
  workspace: string;
  /** The user settings.json on disk: what the workbench and the extension wrote with ConfigurationTarget.Global. */
  settingsFile: string;
  /** Everything code-server printed, for failure reports. */
  output(): string;
  /** Stop code-server and delete its folders, first copying its logs (extension host included) to `logsTo`. */
  stop(logsTo?: string): Promise<void>;
}

export interface CodeServerOptions {
  settings: Record<string, unknown>;
  /** Files to create in the workspace folder, by relative path. */
  files: Record<string, string>;
  /** Extra environment variables for code-server and its extension host (e.g. OLLAMA_HOST). */
  env?: Record<string, string>;
}

/** Install (or find) code-server; returns its entry script. */
export function installCodeServer(): string {
  const out = execFileSync('bash', [join(__dirname, 'install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = out.trim().split('\n').pop() ?? '';
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/**
 * The files the .vsix ships, from .vscodeignore: it ignores everything ("**") and re-includes files
 * and folders with "!" lines, so those lines are the package's contents.
 */
export function shippedFiles(): string[] {
  const lines = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines[0] !== '**') throw new Error('test/e2e expects .vscodeignore to start with "**" and list shipped files as "!" lines');
  const files: string[] = [];
  for (const line of lines.slice(1)) {
    if (!line.startsWith('!')) throw new Error(`test/e2e cannot mirror the .vscodeignore line "${line}"`);
    const pattern = line.slice(1);
    if (pattern.endsWith('/**')) {
      const dir = pattern.slice(0, -3);
      for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) files.push(relative(ROOT, join(entry.parentPath, entry.name)));
      }
    } else if (existsSync(join(ROOT, pattern))) {
      files.push(pattern);
    }
  }
  return files;
}

/** Copy the built extension (dist/ must be current) into `<extensionsDir>/<publisher>.<name>-<version>`. */
export function stageExtension(extensionsDir: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string; main: string };
  const target = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  const files = shippedFiles();
  if (!files.includes(manifest.main.replace(/^\.\//, ''))) throw new Error(`${manifest.main} is missing: run npm run build first`);
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(target, file));
  }
  return target;
}

/** A loopback port nobody listens on (just released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForHealth(base: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const entry = installCodeServer();
  const scratch = mkdtempSync(join(tmpdir(), 'thoughtscope-e2e-'));
  const userDataDir = join(scratch, 'user-data');
  const extensionsDir = join(scratch, 'extensions');
  const workspace = join(scratch, 'workspace');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(scratch, 'config.yaml'), 'auth: none\n');
  for (const [name, text] of Object.entries(options.files)) {
    mkdirSync(dirname(join(workspace, name)), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  stageExtension(extensionsDir);

  const settingsFile = join(userDataDir, 'User', 'settings.json');
  writeFileSync(settingsFile, `${JSON.stringify(options.settings, null, 2)}\n`);

  const port = await freePort();
  // The extension must not find a key in the environment: the tests set it through the command.
  const env = { ...process.env, ...options.env };
  delete env.OPENAI_API_KEY;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  const child = spawn(
    process.execPath,
    [
      entry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      // Its own config file, so nothing is written to ~/.config/code-server.
      '--config', join(scratch, 'config.yaml'),
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, () => log, 60_000);

  return {
    url: `${base}/?folder=${encodeURIComponent(workspace)}`,
    workspace,
    settingsFile,
    output: () => log,
    async stop(logsTo?: string) {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (logsTo) {
        mkdirSync(logsTo, { recursive: true });
        writeFileSync(join(logsTo, 'code-server.log'), log);
        if (existsSync(join(userDataDir, 'logs'))) cpSync(join(userDataDir, 'logs'), join(logsTo, 'vscode-logs'), { recursive: true });
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
