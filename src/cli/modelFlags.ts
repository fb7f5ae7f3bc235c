// The model flags shared by `eval` and `compare` (--base-url, --model, --api-key, --pricing, --timeout,
// --idle-timeout, --retries, --stream), resolved the way `run` resolves them: flags, then env vars, then Ollama's default.
import { OpenAIBatchClient } from '../core/eval/batchClient';
import { OpenAIChatModel } from '../core/model/openaiModel';
import { Pricing } from '../core/pricing';
import type { DiskCache } from '../core/run/diskCache';
import type { RetryPolicy } from '../core/run/retry';
import { positiveNumber, timeoutFlags, UsageError } from './args';
import { readPricingFile } from './fileFlags';
import { runDiskCache } from './responseCache';
import { OLLAMA_DEFAULT_URL } from './runCommand';
import { RUN_SETTING_OPTIONS, seedFlag } from './runSettingsFlags';

export const MODEL_OPTIONS = {
  'base-url': { type: 'string' },
  model: { type: 'string', short: 'm' },
  'api-key': { type: 'string' },
  pricing: { type: 'string' },
  timeout: { type: 'string', default: '120' },
  'idle-timeout': { type: 'string' },
  retries: { type: 'string', default: '3' },
  stream: { type: 'boolean', default: false },
  'no-cache': { type: 'boolean', default: false },
  ...RUN_SETTING_OPTIONS,
  templates: { type: 'string' },
} as const;

export interface ModelFlagValues {
  'base-url'?: string;
  model?: string;
  'api-key'?: string;
  pricing?: string;
  timeout?: string;
  'idle-timeout'?: string;
  retries?: string;
  stream?: boolean;
  'no-cache'?: boolean;
  'reasoning-effort'?: string;
  seed?: string;
}

export interface ModelSetup {
  baseUrl: string;
  pricing: Pricing;
  retry: RetryPolicy;
  /** The response cache across runs, unless --no-cache or THOUGHTSCOPE_CACHE=off. */
  diskCache: DiskCache | undefined;
  /** A model by name at the base URL (compare may use several). */
  make(name: string): OpenAIChatModel;
  /** The --model value, $THOUGHTSCOPE_MODEL, or llama3.2 on Ollama's default URL. */
  defaultModel: string | undefined;
  /** --seed. */
  seed: number | undefined;
  /** The Batch API (/v1/files, /v1/batches) of the same server, with the same key. */
  batchClient(): OpenAIBatchClient;
}

export function modelSetup(args: ModelFlagValues): ModelSetup {
  const envUrl = process.env.OPENAI_BASE_URL?.trim();
  const baseUrl = args['base-url'] ?? (envUrl || OLLAMA_DEFAULT_URL);
  const defaultModel = args.model || process.env.THOUGHTSCOPE_MODEL?.trim() || (baseUrl === OLLAMA_DEFAULT_URL ? 'llama3.2' : undefined);
  const apiKey = args['api-key'] ?? process.env.OPENAI_API_KEY;
  const timeouts = timeoutFlags(args);
  const maxRetries = positiveNumber('retries', args.retries, { integer: true })!;
  const pricing = new Pricing(args.pricing ? readPricingFile(args.pricing) : {}, { source: `--pricing ${args.pricing}` });
  return {
    baseUrl,
    pricing,
    seed: seedFlag(args.seed),
    retry: { maxRetries, baseDelayMs: 500, maxDelayMs: 30_000 },
    diskCache: runDiskCache(args['no-cache'], (m) => process.stderr.write(`thoughtscope: ${m}\n`)),
    defaultModel,
    make(name) {
      try {
        return new OpenAIChatModel({ baseUrl, model: name, apiKey, ...timeouts, stream: args.stream });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    },
    batchClient: () => new OpenAIBatchClient({ baseUrl, apiKey, timeoutMs: timeouts.timeoutMs }),
  };
}

/** `strict` parseArgs with one-line UsageErrors. */
export function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}
