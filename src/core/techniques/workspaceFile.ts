// Reads a file named by a technique parameter. Relative paths resolve against the host's folder (the
// workspace folder in VS Code, the current directory in the CLI). Problems become one-line ParamErrors.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ParamError } from './params';
import type { TechniqueHost } from './types';

/** Large enough for any sensible examples or principles file; stops a wrong path to a huge file. */
const MAX_BYTES = 2 * 1024 * 1024;

export function resolveWorkspacePath(path: string, host: TechniqueHost): string {
  return isAbsolute(path) ? path : resolve(host.baseDir ?? process.cwd(), path);
}

/** The text of the file `path` names; `where` is e.g. `technique "icl" parameter "examplesFile"`. */
export async function readWorkspaceFile(path: string, host: TechniqueHost, where: string): Promise<string> {
  const full = resolveWorkspacePath(path.trim(), host);
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new ParamError(`${where}: ${full} is not a file`);
    if (info.size > MAX_BYTES) throw new ParamError(`${where}: ${full} is ${info.size} bytes; at most ${MAX_BYTES} are read`);
    return await readFile(full, 'utf8');
  } catch (err) {
    if (err instanceof ParamError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? (err as Error).message);
    throw new ParamError(`${where}: cannot read ${full} (${reason})`);
  }
}
