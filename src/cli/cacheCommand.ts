// `thoughtscope cache stats|clear`: what the response cache across runs holds, and emptying it.
import { parseArgs } from 'node:util';
import type { CacheStats } from '../core/run/diskCache';
import { formatUsd } from '../core/pricing';
import { UsageError } from './args';
import { parseFlags } from './modelFlags';
import { cliDiskCache } from './responseCache';

export const CACHE_USAGE = `Usage:
  thoughtscope cache stats [--json]      where the response cache is, its answers, size and age
  thoughtscope cache clear [--expired]   delete every cached answer (or only those past the expiry)

Identical requests (same server, model, messages, parameters, seed and sample number) are answered
from this cache in run, eval and compare; --no-cache (or THOUGHTSCOPE_CACHE=off) sends everything.
Folder: $THOUGHTSCOPE_CACHE_DIR/responses, else $XDG_CACHE_HOME/thoughtscope/responses, else
~/.cache/thoughtscope/responses. THOUGHTSCOPE_CACHE_MAX_MB (default 512) caps its size (least recently
used answers go first); THOUGHTSCOPE_CACHE_MAX_DAYS (default 30) is how long an answer is used.`;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  expired: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function cacheCommand(argv: string[]): Promise<number> {
  const { values: args, positionals } = parseFlags(() => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }));
  const [action, ...extra] = positionals;
  if (args.help || !action) {
    process.stdout.write(`${CACHE_USAGE}\n`);
    return action || args.help ? 0 : 2;
  }
  if (extra.length > 0) throw new UsageError(`cache ${action} takes no more arguments, got "${extra.join(' ')}"`);
  const cache = cliDiskCache();
  if (action === 'stats') {
    const stats = await cache.stats();
    process.stdout.write(args.json ? `${JSON.stringify(stats, null, 2)}\n` : `${statsText(stats)}\n`);
    return 0;
  }
  if (action === 'clear') {
    const removed = await cache.clear(args.expired);
    process.stdout.write(`Removed ${removed} cached answer${removed === 1 ? '' : 's'}${args.expired ? ' past the expiry' : ''} from ${cache.dir}\n`);
    return 0;
  }
  throw new UsageError(`unknown cache action "${action}"; expected stats or clear`);
}

export function statsText(s: CacheStats): string {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 3 : 1)} MB`;
  const days = (ms: number) => `${Number((ms / 86_400_000).toFixed(2))} days`;
  const date = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));
  return [
    `Response cache: ${s.dir}`,
    `Answers: ${s.entries}${s.expired ? ` (${s.expired} past the expiry)` : ''} · ${mb(s.bytes)} of ${mb(s.maxBytes)} · kept ${days(s.maxAgeMs)}`,
    `Oldest: ${date(s.oldest)} · newest: ${date(s.newest)} UTC · they cost ${formatUsd(s.storedUsd)} when sent`,
  ].join('\n');
}
