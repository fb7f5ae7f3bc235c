// The rate-limit headers OpenAI sends (and many servers copy): x-ratelimit-limit-requests,
// x-ratelimit-remaining-requests, x-ratelimit-reset-requests and the -tokens three, with resets as
// durations like "1s", "6m0s" or "20ms" (https://platform.openai.com/docs/guides/rate-limits).
// Values that are not numbers are ignored: headers are data from the network.
import type { RateLimitInfo } from './types';

/** "6m0s", "1.5s", "20ms", "1h2m" or plain seconds, in ms; undefined when it is none of these. */
export function durationMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(text);
  if (!parts || text === '') return undefined;
  const [, h, m, s, ms] = parts.map((p) => (p === undefined ? 0 : Number(p)));
  return ((h as number) * 3600 + (m as number) * 60 + (s as number)) * 1000 + (ms as number);
}

function count(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** What the headers say; undefined when they carry no rate-limit header at all. */
export function rateLimitOf(headers: Headers | undefined, retryAfterMs?: number): RateLimitInfo | undefined {
  if (!headers) return retryAfterMs === undefined ? undefined : { retryAfterMs };
  const info: RateLimitInfo = {
    limitRequests: count(headers, 'x-ratelimit-limit-requests'),
    remainingRequests: count(headers, 'x-ratelimit-remaining-requests'),
    resetRequestsMs: durationMs(headers.get('x-ratelimit-reset-requests')),
    limitTokens: count(headers, 'x-ratelimit-limit-tokens'),
    remainingTokens: count(headers, 'x-ratelimit-remaining-tokens'),
    resetTokensMs: durationMs(headers.get('x-ratelimit-reset-tokens')),
    retryAfterMs,
  };
  const present = Object.entries(info).filter(([, v]) => v !== undefined);
  return present.length ? (Object.fromEntries(present) as RateLimitInfo) : undefined;
}
