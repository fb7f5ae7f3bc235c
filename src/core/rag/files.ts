// The workspace's indexable text files: a walk from the root that skips what .gitignore files (at any
// depth) and the host's excludes (VS Code's files.exclude) rule out, symbolic links, files over the
// size cap and binary files. Paths come back relative to the root with forward slashes.
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export interface FileInfo {
  /** Relative to the root, '/'-separated. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ListOptions {
  /** Extra patterns in .gitignore syntax (VS Code's files.exclude globs are valid ones). */
  excludes?: readonly string[];
  /** Larger files are left out. */
  maxBytes?: number;
  /** Stop after this many files (a wrong root such as / must not walk the disk). */
  maxFiles?: number;
}

/** Never worth indexing, whatever the ignore files say. */
export const ALWAYS_EXCLUDED = ['.git/', '.hg/', '.svn/', 'node_modules/', '.DS_Store'];
export const DEFAULT_MAX_BYTES = 256 * 1024;
export const DEFAULT_MAX_FILES = 20_000;

interface Rules {
  /** Directory the rules' patterns are relative to ('' for the root). */
  base: string;
  rules: Ignore;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function ignoredBy(stack: readonly Rules[], path: string, isDir: boolean): boolean {
  for (const { base, rules } of stack) {
    const rel = base ? path.slice(base.length + 1) : path;
    if (rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** Whether a path passes the same rules as the walk, for watcher events on single files. */
export async function isExcluded(root: string, path: string, options: ListOptions = {}): Promise<boolean> {
  const stack: Rules[] = [{ base: '', rules: ignore().add([...ALWAYS_EXCLUDED, ...(options.excludes ?? [])]) }];
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const rules = await readIgnoreFile(join(root, dir, '.gitignore'));
    if (rules) stack.push({ base: dir, rules });
    const prefix = parts.slice(0, i + 1).join('/');
    if (ignoredBy(stack, prefix, i < parts.length - 1)) return true;
  }
  return false;
}

async function readIgnoreFile(file: string): Promise<Ignore | undefined> {
  try {
    return ignore().add(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function listTextFiles(root: string, options: ListOptions = {}): Promise<FileInfo[]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const found: FileInfo[] = [];
  const base: Rules = { base: '', rules: ignore().add([...ALWAYS_EXCLUDED, ...(options.excludes ?? [])]) };

  async function walk(dir: string, stack: Rules[]): Promise<void> {
    const here = dir ? await readIgnoreFile(join(root, dir, '.gitignore')) : await readIgnoreFile(join(root, '.gitignore'));
    const rules = here ? [...stack, { base: dir, rules: here }] : stack;
    let entries;
    try {
      entries = await readdir(join(root, dir), { withFileTypes: true });
    } catch {
      return; // unreadable folders are skipped, not fatal
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (found.length >= maxFiles) return;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) continue; // links could lead out of the workspace
      if (entry.isDirectory()) {
        if (!ignoredBy(rules, path, true)) await walk(path, rules);
      } else if (entry.isFile() && !ignoredBy(rules, path, false)) {
        const info = await stat(join(root, path)).catch(() => undefined);
        if (info && info.size <= maxBytes) found.push({ path, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
  }
  await walk('', [base]);
  return found;
}

/** Text of a file, or undefined for binary content (a NUL byte in the first 8 KB). */
export async function readTextFile(root: string, path: string): Promise<string | undefined> {
  const buffer = await readFile(join(root, path));
  if (buffer.subarray(0, 8192).includes(0)) return undefined;
  return buffer.toString('utf8');
}

/** The relative, '/'-separated form of an absolute path under root, or undefined if it is outside. */
export function relativeTo(root: string, absolute: string): string | undefined {
  const rel = relative(root, absolute);
  if (!rel || rel.startsWith('..') || rel.includes(`..${sep}`) || /^[a-zA-Z]:/.test(rel) || rel.startsWith(sep)) return undefined;
  return toPosix(rel);
}

/**
 * The absolute files a graph location may name, for "open at lines a-b": `path` relative to `root`
 * (the rag index root, absolute) when one is given, else relative to each folder in turn. Anything
 * that resolves outside every folder is left out, so a location from the webview or a loaded trace
 * can only open workspace files. The caller opens the first that exists.
 */
export function locationCandidates(folders: readonly string[], path: string, root?: string): string[] {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) return [];
  const inside = (target: string) => folders.some((folder) => relativeTo(folder, target) !== undefined);
  if (root !== undefined) {
    if (typeof root !== 'string' || !isAbsolute(root)) return [];
    const target = resolve(root, path);
    return inside(target) ? [target] : [];
  }
  return folders.map((folder) => resolve(folder, path)).filter(inside);
}
