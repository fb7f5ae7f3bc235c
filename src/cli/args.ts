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
  pricing: { type: 'string' },
  profiles: { type: 'string' },
  profile: { type: 'string' },
  timeout: { type: 'string', default: '120' },
  retries: { type: 'string', default: '3' },
  stream: { type: 'boolean', default: false },
  'no-cache': { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
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
  const params: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects name=value, got "${flag}"`);
    params[flag.slice(0, eq).trim()] = flag.slice(eq + 1).trim();
  }
  return params;
}

export function positiveNumber(flag: string, raw: string | undefined, { integer = false, min = 0 } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} must be ${integer ? 'a whole number' : 'a number'} >= ${min}, got "${raw}"`);
  }
  return value;
}
