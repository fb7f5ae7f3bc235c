// Stage: rate limits, per server and model, shared by every run in the process (an evaluation's items
// all ask the same server). Three controls, each from what is known:
//  - pacing: request starts at 60 s / requests-per-minute apart on average, from the profile's `rpm`
//    or the server's x-ratelimit-limit-requests, through a small local bucket (up to 100 ms of the
//    rate ahead, and never more than the server said remain, so a late timer or a stalled event loop
//    is made up for rather than lost); tokens paced from `tpm` or
//    x-ratelimit-limit-tokens, with x-ratelimit-remaining-tokens keeping the local bucket honest;
//  - pause: no request starts before a 429's Retry-After has passed;
//  - concurrency: unbounded until the first 429, then halved on a 429 (at most once per round trip:
//    the 429s of one burst are one signal) and grown again by one per window of answered requests
//    (additive increase, multiplicative decrease).
import { ModelError, type ChatModel, type ChatResponse, type RateLimitInfo } from '../model/types';
import { abortError } from './limiter';
import { serverModelKey } from './paramFit';

export interface DeclaredLimits {
  /** Requests per minute the account may send. */
  rpm?: number;
  /** Tokens per minute (prompt + completion). */
  tpm?: number;
}

/** Wait this long after a 429 that names no Retry-After. */
const DEFAULT_PAUSE_MS = 1000;
/** How far ahead of an even pace requests may start (to make up for late timers). */
const CATCH_UP_MS = 100;
const MINUTE_MS = 60_000;

interface Waiter {
  tokens: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class RateGate {
  private active = 0;
  private cap = Infinity;
  private declaredIntervalMs = 0;
  private headerIntervalMs = 0;
  private credits = 1;
  /** The server's last x-ratelimit-remaining-requests, less the requests started since. */
  private remaining = Infinity;
  private creditsAt = 0;
  private pausedUntil = 0;
  private lastDecreaseAt = -Infinity;
  /** How long answers take (moving average, ms): the window of one round of requests. */
  private roundTripMs = 0;
  private tokenRatePerMs = 0;
  private tokens = 0;
  private tokensAt = 0;
  private readonly queue: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answered requests and 429s seen, for the bench and tests. */
  readonly seen = { answered: 0, limited: 0 };

  constructor(limits: DeclaredLimits = {}) {
    this.declare(limits);
  }

  /** A profile's own limits (the stricter of these and the server's headers applies). */
  declare(limits: DeclaredLimits): void {
    if (limits.rpm) this.declaredIntervalMs = MINUTE_MS / limits.rpm;
    if (limits.tpm) this.setTokenRate(limits.tpm / MINUTE_MS, true);
  }

  /** Requests this gate lets run at once now (Infinity until a 429 was seen). */
  get concurrency(): number {
    return this.cap;
  }

  get intervalMs(): number {
    return Math.max(this.declaredIntervalMs, this.headerIntervalMs);
  }

  /** Run `work` once the gate lets a request start; `tokens` is its prompt estimate (for tpm pacing). */
  async run(work: () => Promise<ChatResponse>, tokens: number, signal: AbortSignal): Promise<ChatResponse> {
    await this.acquire(tokens, signal);
    const started = performance.now();
    try {
      const response = await work();
      this.roundTripMs = this.roundTripMs === 0 ? performance.now() - started : 0.9 * this.roundTripMs + 0.1 * (performance.now() - started);
      this.answered(response.rateLimit, response.usage.completionTokens);
      return response;
    } catch (err) {
      if (err instanceof ModelError && err.kind === 'rate-limit') this.limited(err.rateLimit ?? { retryAfterMs: err.retryAfterMs });
      throw err;
    } finally {
      this.active--;
      this.pump();
    }
  }

  private acquire(tokens: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Start waiting requests, in order, as far as the pause, the pacing, the tokens and the cap allow. */
  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && this.active < Math.max(1, Math.floor(this.cap))) {
      const now = performance.now();
      const head = this.queue[0];
      const wait = Math.max(this.pausedUntil - now, this.paceWait(now), this.tokenWait(head.tokens, now));
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), Math.ceil(wait));
        return;
      }
      this.queue.shift();
      this.active++;
      if (this.intervalMs > 0) this.credits -= 1;
      this.remaining -= 1;
      if (this.tokenRatePerMs > 0) this.tokens -= Math.min(head.tokens, this.tokenCapacity());
      head.resolve();
    }
  }

  /** Time until the pace allows one more start: a bucket refilled at one start per interval. */
  private paceWait(now: number): number {
    const interval = this.intervalMs;
    if (interval <= 0) return 0;
    const capacity = Math.max(1, Math.min(Math.floor(CATCH_UP_MS / interval), this.remaining));
    if (this.creditsAt === 0) this.creditsAt = now;
    this.credits = Math.min(capacity, this.credits + (now - this.creditsAt) / interval);
    this.creditsAt = now;
    return this.credits >= 1 ? 0 : (1 - this.credits) * interval;
  }

  private tokenCapacity(): number {
    return this.tokenRatePerMs * MINUTE_MS;
  }

  private tokenWait(need: number, now: number): number {
    if (this.tokenRatePerMs <= 0) return 0;
    this.tokens = Math.min(this.tokenCapacity(), this.tokens + (now - this.tokensAt) * this.tokenRatePerMs);
    this.tokensAt = now;
    const wanted = Math.min(need, this.tokenCapacity());
    return this.tokens >= wanted ? 0 : (wanted - this.tokens) / this.tokenRatePerMs;
  }

  private setTokenRate(perMs: number, declared: boolean): void {
    const rate = this.tokenRatePerMs > 0 && !declared ? Math.min(this.tokenRatePerMs, perMs) : perMs;
    if (this.tokenRatePerMs === 0) {
      this.tokens = rate * MINUTE_MS;
      this.tokensAt = performance.now();
    }
    this.tokenRatePerMs = rate;
  }

  private learnHeaders(info: RateLimitInfo | undefined): void {
    if (!info) return;
    if (info.limitRequests) this.headerIntervalMs = MINUTE_MS / info.limitRequests;
    if (info.remainingRequests !== undefined) this.remaining = Math.max(0, info.remainingRequests - this.active);
    if (info.limitTokens) this.setTokenRate(info.limitTokens / MINUTE_MS, false);
    if (info.remainingTokens !== undefined && this.tokenRatePerMs > 0) this.tokens = Math.min(this.tokens, info.remainingTokens);
    // Out of requests and no rate to pace by: wait for the window to reset (at most a second at a time).
    if (info.remainingRequests === 0 && !info.limitRequests && info.resetRequestsMs) {
      this.pausedUntil = Math.max(this.pausedUntil, performance.now() + Math.min(info.resetRequestsMs, DEFAULT_PAUSE_MS));
    }
  }

  private answered(info: RateLimitInfo | undefined, completionTokens: number): void {
    this.seen.answered++;
    this.learnHeaders(info);
    if (this.tokenRatePerMs > 0) this.tokens -= completionTokens;
    if (Number.isFinite(this.cap)) this.cap += 1 / Math.max(1, this.cap);
  }

  private limited(info: RateLimitInfo): void {
    this.seen.limited++;
    this.learnHeaders(info);
    const now = performance.now();
    const pause = info.retryAfterMs ?? DEFAULT_PAUSE_MS;
    // At most one decrease per round trip: the 429s of one burst are one signal, not many.
    if (now >= this.lastDecreaseAt + Math.max(pause, this.roundTripMs)) {
      this.cap = Math.max(1, Math.floor((Number.isFinite(this.cap) ? Math.min(this.cap, this.active) : this.active) / 2));
      this.lastDecreaseAt = now;
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
  }
}

/** Every server+model's gate, for the life of the process. */
const gates = new Map<string, RateGate>();

export function gateFor(model: ChatModel): RateGate {
  const key = serverModelKey(model);
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new RateGate()));
  return gate;
}
