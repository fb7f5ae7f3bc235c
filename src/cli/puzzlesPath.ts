// Where the Game of 24 puzzles live by default: ../shared/data/game24/24.csv next to the repository
// (found by walking up from this file to Thoughtscope's package.json, so it works from dist/ and src/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function repoRoot(start = __dirname): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'thoughtscope') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export function defaultPuzzlesPath(): string {
  const root = repoRoot() ?? process.cwd();
  return resolve(root, '..', 'shared', 'data', 'game24', '24.csv');
}
