// Where the CLI keeps data across runs (the rag index): $THOUGHTSCOPE_CACHE_DIR, else
// $XDG_CACHE_HOME/thoughtscope, else ~/.cache/thoughtscope.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cliStorageDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.THOUGHTSCOPE_CACHE_DIR?.trim();
  if (own) return own;
  const xdg = env.XDG_CACHE_HOME?.trim();
  return join(xdg || join(homedir(), '.cache'), 'thoughtscope');
}
