// The CLI's response cache across runs (core/run/diskCache.ts): <cache folder>/responses, on unless
// --no-cache or THOUGHTSCOPE_CACHE=off; THOUGHTSCOPE_CACHE_MAX_MB and THOUGHTSCOPE_CACHE_MAX_DAYS
// set its size cap and expiry.
import { join } from 'node:path';
import { DEFAULT_CACHE_MAX_DAYS, DEFAULT_CACHE_MAX_MB, DiskCache } from '../core/run/diskCache';
import { UsageError } from './args';
import { cliStorageDir } from './storageDir';

/** The cache folder and its limits, whether or not it is switched off (`thoughtscope cache` reads it either way). */
export function cliDiskCache(env: NodeJS.ProcessEnv = process.env, warn?: (message: string) => void): DiskCache {
  return new DiskCache({
    dir: join(cliStorageDir(env), 'responses'),
    maxBytes: envNumber(env, 'THOUGHTSCOPE_CACHE_MAX_MB', DEFAULT_CACHE_MAX_MB) * 1024 * 1024,
    maxAgeMs: envNumber(env, 'THOUGHTSCOPE_CACHE_MAX_DAYS', DEFAULT_CACHE_MAX_DAYS) * 24 * 60 * 60 * 1000,
    warn,
  });
}

/** The cache a command's runs use: none with --no-cache or THOUGHTSCOPE_CACHE=off. */
export function runDiskCache(noCache: boolean | undefined, warn: (message: string) => void, env: NodeJS.ProcessEnv = process.env): DiskCache | undefined {
  const setting = env.THOUGHTSCOPE_CACHE?.trim().toLowerCase();
  if (setting && !['on', 'off', '1', '0', 'true', 'false'].includes(setting)) throw new UsageError(`THOUGHTSCOPE_CACHE must be on or off, got "${env.THOUGHTSCOPE_CACHE}"`);
  if (noCache || setting === 'off' || setting === '0' || setting === 'false') return undefined;
  return cliDiskCache(env, warn);
}

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} must be a number > 0, got "${raw}"`);
  return value;
}
