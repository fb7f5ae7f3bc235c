// Retries with exponential backoff for rate limits (429) and server errors (5xx), honouring Retry-After.
import { ModelError } from '../model/types';
import { abortError } from './limiter';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; doubles each retry, with jitter. */
  baseDelayMs: number;
  /** Upper bound for any one wait, including a server's Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

export function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const exp = policy.baseDelayMs * 2 ** attempt;
  return Math.min(exp * (0.5 + random() / 2), policy.maxDelayMs);
}

export async function withRetries<T>(
  policy: RetryPolicy,
  attemptFn: (attempt: number) => Promise<T>,
  signal?: AbortSignal,
  onRetry?: (err: ModelError, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptFn(attempt);
    } catch (err) {
      if (!(err instanceof ModelError) || !err.retryable || signal?.aborted) throw err;
      if (attempt >= policy.maxRetries) {
        const final = new ModelError(err.kind, `${err.message} (gave up after ${attempt + 1} attempts)`, err.status);
        // What the last attempt delivered (a stream cut off) stays with the error: it is counted and kept.
        if (err.partial) final.partial = err.partial;
        throw final;
      }
      const delay = backoffMs(policy, attempt, err.retryAfterMs);
      onRetry?.(err, attempt + 1, delay);
      await sleep(delay, signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
