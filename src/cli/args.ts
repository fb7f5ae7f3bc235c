// Command-line parsing for `thoughtscope`. Bad arguments become a UsageError: one line, exit code 2.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const RUN_OPTIONS = {
  technique: { type: 'string', short: 't' },
  task: { type: 'string', default: 'auto' },
  templates: { type: 'string' },
  param: { type: 'string', short: 'p', multiple: true },
  'base-url': { type: 'string' },
  model: { type: 'string', short: 'm' },
  'api-key': { type: 'string' },
  input: { type: 'string', short: 'i' },
  'input-file': { type: 'string' },
  out: { type: 'string', short: 'o' },
  mermaid: { type: 'string' },
  'show-pruned': { type: 'boolean', default: false },
  concurrency: { type: 'string', default: '4' },
  'max-calls': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-usd': { type: 'string' },
  'max-nodes': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-memory-mb': { type: 'string' },
  'max-input-mb': { type: 'string' },
  pricing: { type: 'string' },
  profiles: { type: 'string' },
  profile: { type: 'string' },
  timeout: { type: 'string', default: '120' },
  'idle-timeout': { type: 'string' },
  retries: { type: 'string', default: '3' },
  stream: { type: 'boolean', default: false },
  'no-cache': { type: 'boolean', default: false },
  'reasoning-effort': { type: 'string' },
  seed: { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  sample: { type: 'boolean', default: false },
} as const;

export type RunArgs = ReturnType<typeof parseRunArgs>;

export function parseRunArgs(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: RUN_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}

/** `--param breadth=5 --param search=dfs` → { breadth: '5', search: 'dfs' }. */
export function parseParamFlags(flags: readonly string[] | undefined): Record<string, string> {
  // No prototype: `-p __proto__=1` is a parameter name like any other (and refused as unknown).
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects name=value, got "${flag}"`);
    params[flag.slice(0, eq).trim()] = flag.slice(eq + 1).trim();
  }
  return params;
}

export function positiveNumber(flag: string, raw: string | undefined, { integer = false, min = 0, max = Infinity } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${flag} must be ${integer ? 'a whole number' : 'a number'} ${range}, got "${raw}"`);
  }
  return value;
}

/** The longest --timeout / --idle-timeout: an hour (and far inside what Node's timers can hold). */
export const MAX_TIMEOUT_SECONDS = 3600;

/** --timeout (the whole response) and --idle-timeout (silence inside one), in ms, each 1 s to an hour. */
export function timeoutFlags(args: { timeout?: string; 'idle-timeout'?: string }): { timeoutMs: number; idleTimeoutMs?: number } {
  const timeout = positiveNumber('timeout', args.timeout ?? '120', { min: 1, max: MAX_TIMEOUT_SECONDS })!;
  const idle = positiveNumber('idle-timeout', args['idle-timeout'], { min: 1, max: MAX_TIMEOUT_SECONDS });
  return { timeoutMs: timeout * 1000, ...(idle !== undefined ? { idleTimeoutMs: idle * 1000 } : {}) };
}
