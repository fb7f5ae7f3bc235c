// The workspace's indexable text files: a walk from the root that skips what .gitignore files (at any
// depth) and the host's excludes (VS Code's files.exclude) rule out, symbolic links, anything that is
// not a regular file, the kernel's special file systems (/proc, /sys, /dev: their files report size 0
// and some never end), files over the size cap and binary files, and stops at a cap on files and
// total bytes. Paths come back relative to the root with forward slashes.
import { realpathSync } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
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
  /** Stop once the files found add up to this many bytes. */
  maxTotalBytes?: number;
}

/** Never worth indexing, whatever the ignore files say. */
export const ALWAYS_EXCLUDED = ['.git/', '.hg/', '.svn/', 'node_modules/', '.DS_Store'];
export const DEFAULT_MAX_BYTES = 256 * 1024;
export const DEFAULT_MAX_FILES = 20_000;
export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** No file is read past this, whatever its size said (the largest maxFileKb rag allows). */
export const MAX_READ_BYTES = 10 * 1024 * 1024;

/** The kernel's file systems: their files are not text to index, and reading some never ends. */
const SPECIAL_FILE_SYSTEMS = ['/proc', '/sys', '/dev'];

/** The special file system an absolute (real) path is on, if it is on one. */
export function specialFileSystemOf(absolute: string): string | undefined {
  return SPECIAL_FILE_SYSTEMS.find((fs) => absolute === fs || absolute.startsWith(`${fs}/`));
}

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
  const maxTotal = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const found: FileInfo[] = [];
  let total = 0;
  const base: Rules = { base: '', rules: ignore().add([...ALWAYS_EXCLUDED, ...(options.excludes ?? [])]) };
  // Links are never followed, so below the real root every path is real too.
  const realRoot = await realpath(root).catch(() => resolve(root));
  const full = (path: string) => (path ? `${realRoot}/${path}` : realRoot);

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
      if (found.length >= maxFiles || total >= maxTotal) return;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) continue; // links could lead out of the workspace
      if (entry.isDirectory()) {
        if (!ignoredBy(rules, path, true) && !specialFileSystemOf(full(path))) await walk(path, rules);
      } else if (entry.isFile() && !ignoredBy(rules, path, false)) {
        const info = await stat(join(root, path)).catch(() => undefined);
        if (!info?.isFile() || info.size > maxBytes || total + info.size > maxTotal) continue;
        total += info.size;
        found.push({ path, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
  }
  if (!specialFileSystemOf(realRoot)) await walk('', [base]);
  return found;
}

/**
 * Text of a file, or undefined for binary content (a NUL byte in the first 8 KB) and for a file longer
 * than `maxBytes`, which is never read further (its size on disk may have said otherwise).
 */
export async function readTextFile(root: string, path: string, maxBytes = MAX_READ_BYTES): Promise<string | undefined> {
  const handle = await open(join(root, path), 'r');
  try {
    const limit = Math.min(maxBytes, MAX_READ_BYTES);
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= limit) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    const buffer = Buffer.concat(chunks, length);
    if (length > limit || buffer.subarray(0, 8192).includes(0)) return undefined;
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The relative, '/'-separated form of an absolute path under root, or undefined if it is outside. */
export function relativeTo(root: string, absolute: string): string | undefined {
  const rel = relative(root, absolute);
  if (!rel || rel.startsWith('..') || rel.includes(`..${sep}`) || /^[a-zA-Z]:/.test(rel) || rel.startsWith(sep)) return undefined;
  return toPosix(rel);
}

/** Whether `target`, if it exists, is inside `folder` with every symbolic link followed. */
function insideOnDisk(folder: string, target: string): boolean {
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return true; // nothing there: nothing to open, and nothing a link could lead out to
  }
  try {
    return relativeTo(realpathSync(folder), real) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The absolute files a graph location may name, for "open at lines a-b": `path` relative to `root`
 * (the rag index root, absolute) when one is given, else relative to each folder in turn. Anything
 * that resolves outside every folder is left out, so a location from the webview or a loaded trace
 * can only open workspace files; a file that exists must be inside a folder once symbolic links are
 * followed too (a link in the workspace to /etc/passwd is not a workspace file). The caller opens the
 * first that exists.
 */
export function locationCandidates(folders: readonly string[], path: string, root?: string): string[] {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) return [];
  const inside = (target: string) => folders.some((folder) => relativeTo(folder, target) !== undefined && insideOnDisk(folder, target));
  if (root !== undefined) {
    if (typeof root !== 'string' || !isAbsolute(root)) return [];
    const target = resolve(root, path);
    return inside(target) ? [target] : [];
  }
  return folders.map((folder) => resolve(folder, path)).filter(inside);
}
