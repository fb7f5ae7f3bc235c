// Output files of the commands (--out, --mermaid, --traces): checked before the first model call, so
// a typo in a path never costs a run; and if writing still fails at the end (the disk filled, the
// folder went away), what was paid for is saved under the temp folder instead, and the message says where.
import { accessSync, closeSync, constants, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args';

/** A one-line UsageError unless `path` can be written: an existing file we may write, or a new name in a writable folder. */
export function checkWritable(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const where = `--${flag} ${path}`;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new UsageError(`${where} is a folder; give a file name`);
  try {
    if (stat) accessSync(path, constants.W_OK);
    else {
      const folder = dirname(resolve(path));
      const folderStat = statSync(folder, { throwIfNoEntry: false });
      if (!folderStat) throw new UsageError(`${where}: the folder ${folder} does not exist`);
      if (!folderStat.isDirectory()) throw new UsageError(`${where}: ${folder} is not a folder`);
      accessSync(folder, constants.W_OK);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${where} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Writes `chunks` to `path` piece by piece (a large trace never has to be one string). */
export function writeChunks(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/**
 * Write an output; when that fails, write it to the temp folder instead. Returns the line to print on
 * stderr when the output did not go where it was asked (undefined when it did).
 */
export function writeOrRescue(flag: string, path: string, chunks: () => Iterable<string>): string | undefined {
  try {
    writeChunks(path, chunks());
    return undefined;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const rescue = join(tmpdir(), `thoughtscope-${process.pid}-${Date.now()}-${basename(path)}`);
    try {
      writeChunks(rescue, chunks());
      return `could not write --${flag} ${path} (${reason}); saved it to ${rescue}`;
    } catch (second) {
      return `could not write --${flag} ${path} (${reason}), nor ${rescue} (${(second as NodeJS.ErrnoException).code ?? (second as Error).message})`;
    }
  }
}
