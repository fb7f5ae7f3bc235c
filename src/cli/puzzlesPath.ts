// Thoughtscope's own files at run time, for the CLI: the package root (found from the bundle's folder,
// see core/packageRoot.ts), its version, and the Game of 24 puzzles it ships.
import { join } from 'node:path';
import { packageRoot, packageVersion } from '../core/packageRoot';
import { GAME24_PUZZLES_FILE } from '../core/tasks/game24';

export { packageRoot, packageVersion };

/** The Game of 24 puzzles shipped with Thoughtscope (data/game24/24.csv). */
export function defaultPuzzlesPath(root = packageRoot()): string {
  return join(root, ...GAME24_PUZZLES_FILE);
}
