// Thoughtscope's own files at run time: the package root holds package.json (name "thoughtscope"),
// data/, templates/ and tasks/. The bundles sit in dist/ right below it and the sources in src/…, so
// the root is found by walking up from the caller's folder; never from the current directory, since
// the installed CLI runs anywhere.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

interface Manifest {
  name?: string;
  version?: string;
}

function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined; // not a manifest we can read: keep looking
  }
}

/** The folder of Thoughtscope's package.json above `start` (this file's folder by default). */
export function packageRoot(start = __dirname): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (readManifest(dir)?.name === 'thoughtscope') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find Thoughtscope's package.json above ${resolve(start)}: the installation is incomplete`);
  }
}

/** The version in Thoughtscope's package.json. */
export function packageVersion(root = packageRoot()): string {
  return readManifest(root)?.version ?? 'unknown';
}
