// A server that enforces a requests-per-minute limit the way OpenAI documents its rate limits
// (https://platform.openai.com/docs/guides/rate-limits): a token bucket refilled continuously, every
// answer carrying x-ratelimit-limit-requests, x-ratelimit-remaining-requests and
// x-ratelimit-reset-requests (time until the bucket is full again, as "1s", "20ms"); a request
// beyond the limit gets HTTP 429 with a rate_limit_exceeded error body and the time to wait in
// Retry-After (whole seconds) and retry-after-ms. `headers: false` leaves out the x-ratelimit-*
// headers (servers that send only Retry-After).
import { completion, promptText, tokens, type ProviderHandler } from './harness';

export interface TokenBucketOptions {
  /** Requests allowed per second (the bucket's refill rate). */
  perSecond: number;
  /** The bucket's size: requests that may arrive at once. */
  burst: number;
  /** Milliseconds each answer takes. */
  delayMs?: number;
  headers?: boolean;
  answer: (prompt: string) => string;
}

export interface TokenBucketStats {
  answered: number;
  limited: number;
  firstAt: number | undefined;
  lastAt: number | undefined;
  /** When each answer was sent (ms, performance.now). */
  answeredAt: number[];
}

export function tokenBucketHandler(options: TokenBucketOptions): { handler: ProviderHandler; stats: TokenBucketStats } {
  let bucket = options.burst;
  let at = performance.now();
  const stats: TokenBucketStats = { answered: 0, limited: 0, firstAt: undefined, lastAt: undefined, answeredAt: [] };
  const perMs = options.perSecond / 1000;
  const handler: ProviderHandler = async (req) => {
    const now = performance.now();
    bucket = Math.min(options.burst, bucket + (now - at) * perMs);
    at = now;
    const limit = { 'x-ratelimit-limit-requests': String(Math.round(options.perSecond * 60)) };
    const header = (remaining: number) =>
      options.headers === false ? {} : { ...limit, 'x-ratelimit-remaining-requests': String(Math.floor(remaining)), 'x-ratelimit-reset-requests': `${Math.ceil((options.burst - remaining) / perMs)}ms` };
    if (bucket < 1) {
      stats.limited++;
      const waitMs = Math.ceil((1 - bucket) / perMs);
      return {
        status: 429,
        headers: { ...header(bucket), 'retry-after': String(Math.ceil(waitMs / 1000)), 'retry-after-ms': String(waitMs) },
        body: { error: { message: `Rate limit reached for ${req.body.model} on requests per min (RPM): Limit ${limit['x-ratelimit-limit-requests']}. Please try again in ${waitMs}ms.`, type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      };
    }
    bucket -= 1;
    stats.firstAt ??= now;
    const remaining = bucket;
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    stats.answered++;
    stats.lastAt = performance.now();
    stats.answeredAt.push(stats.lastAt);
    const prompt = promptText(req.body);
    const n = req.body.n ?? 1;
    const texts = Array.from({ length: n }, () => options.answer(prompt));
    const usage = { prompt_tokens: tokens(prompt), completion_tokens: texts.reduce((s, t) => s + tokens(t), 0) };
    return { ...completion(req.body.model, texts.map((content) => ({ content })), { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens }), headers: header(remaining) } as ReturnType<typeof completion>;
  };
  return { handler, stats };
}
