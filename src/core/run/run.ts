// One run of one technique: owns the thought graph and every model call made for it.
// All calls pass through here so concurrency, cancellation, retries, budget, cache and
// token/cost accounting are applied the same way for every technique.
import { setMaxListeners } from 'node:events';
import { ThoughtGraph } from '../graph/thoughtGraph';
import type { CallRecord, RunTotals } from '../graph/types';
import type { ChatModel, ChatRequest, ChatResponse } from '../model/types';
import { Pricing } from '../pricing';
import { BudgetExceededError, budgetViolation, type Budget } from './budget';
import { RequestCache, requestKey } from './cache';
import { Limiter, abortError, isAbortError } from './limiter';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface RunOptions {
  model: ChatModel;
  pricing?: Pricing;
  concurrency?: number;
  budget?: Budget;
  retry?: RetryPolicy;
  /** Cancels the run from outside (a Cancel button, Ctrl+C). */
  signal?: AbortSignal;
  logger?: Logger;
}

export class Run {
  readonly graph = new ThoughtGraph();
  readonly model: ChatModel;
  private readonly pricing: Pricing;
  private readonly limiter: Limiter;
  private readonly budget: Budget;
  private readonly retry: RetryPolicy;
  private readonly logger: Logger;
  private readonly controller = new AbortController();
  private readonly cache = new RequestCache();
  private readonly startedAt = performance.now();
  private finishedAt: number | undefined;
  private sending = 0;
  private readonly runningCalls = new Map<string, number>();
  private readonly statusBeforeCall = new Map<string, string>();
  /** Set once the server is seen to ignore `n`; later calls send single-choice requests in parallel. */
  private serverIgnoresN = false;
  /** Why the run was stopped by the budget, if it was. */
  budgetStop: string | undefined;
  private readonly counters: RunTotals = {
    calls: 0,
    cachedCalls: 0,
    promptTokens: 0,
    completionTokens: 0,
    estimated: false,
    costUsd: 0,
    wallMs: 0,
  };

  constructor(options: RunOptions) {
    this.model = options.model;
    this.pricing = options.pricing ?? new Pricing();
    this.limiter = new Limiter(options.concurrency ?? 4);
    this.budget = options.budget ?? {};
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.logger = options.logger ?? silentLogger;
    // Every queued and in-flight request listens for cancellation; hundreds at once are expected.
    setMaxListeners(0, this.controller.signal);
    if (options.signal) {
      if (options.signal.aborted) this.controller.abort();
      else options.signal.addEventListener('abort', () => this.cancel(), { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  cancel(): void {
    if (!this.controller.signal.aborted) this.controller.abort();
  }

  /** Stop timing; later totals report the wall time up to here. */
  markFinished(): void {
    this.finishedAt ??= performance.now();
  }

  totals(): RunTotals {
    return { ...this.counters, wallMs: Math.round((this.finishedAt ?? performance.now()) - this.startedAt) };
  }

  /** Throw if the run was cancelled; techniques call this between steps. */
  throwIfCancelled(): void {
    if (this.controller.signal.aborted) throw this.budgetStop ? new BudgetExceededError(this.budgetStop) : abortError();
  }

  /**
   * Send a request on behalf of node `nodeId` and record it there. `role` names the call's purpose
   * ("propose", "value", "answer"). Returns `request.n` choices (topping up servers that ignore n).
   */
  async call(nodeId: string, role: string, request: ChatRequest): Promise<ChatResponse> {
    this.throwIfCancelled();
    const node = this.graph.get(nodeId);
    this.markRunning(nodeId, +1);
    const prompt = request.messages.map((m) => (request.messages.length > 1 ? `[${m.role}]\n${m.content}` : m.content)).join('\n\n');
    try {
      const key = requestKey(this.model.model, request);
      const hit = this.cache.get(key);
      let response: ChatResponse;
      let cached = false;
      if (hit) {
        response = await hit;
        cached = true;
        this.counters.cachedCalls++;
      } else {
        const pending = this.sendWithTopUp(request);
        this.cache.set(key, pending);
        response = await pending;
      }
      const record: CallRecord = {
        role,
        model: response.model,
        prompt,
        responses: response.choices,
        usage: cached ? { promptTokens: 0, completionTokens: 0, estimated: false } : response.usage,
        usageSource: response.usageSource,
        costUsd: cached ? 0 : this.pricing.cost(this.model.model, response.usage.promptTokens, response.usage.completionTokens),
        latencyMs: cached ? 0 : response.latencyMs,
        cached,
      };
      this.graph.recordCall(nodeId, record);
      this.markRunning(nodeId, -1, 'done');
      return response;
    } catch (err) {
      const status = isAbortError(err) || this.cancelled ? 'cancelled' : 'failed';
      const message = err instanceof Error ? err.message : String(err);
      this.markRunning(nodeId, -1, status);
      if (status === 'failed' && node.status === 'failed') this.graph.update(nodeId, { error: message });
      if (status === 'cancelled') throw this.budgetStop ? new BudgetExceededError(this.budgetStop) : abortError();
      throw err;
    }
  }

  private markRunning(nodeId: string, delta: number, after?: 'done' | 'failed' | 'cancelled'): void {
    const count = (this.runningCalls.get(nodeId) ?? 0) + delta;
    this.runningCalls.set(nodeId, count);
    const node = this.graph.get(nodeId);
    if (delta > 0 && node.status !== 'running') {
      this.statusBeforeCall.set(nodeId, node.status);
      this.graph.update(nodeId, { status: 'running' });
    } else if (delta < 0 && after && node.status === 'running') {
      if (after !== 'done') this.graph.update(nodeId, { status: after });
      else if (count === 0) {
        // A call on a node already marked selected or pruned keeps that mark when it finishes.
        const before = this.statusBeforeCall.get(nodeId);
        this.graph.update(nodeId, { status: before === 'selected' || before === 'pruned' ? before : 'done' });
      }
    }
    if (count === 0) this.statusBeforeCall.delete(nodeId);
  }

  /** Counted inside the concurrency slot, so the budget check of the next request already sees it. */
  private account(response: ChatResponse): void {
    const cost = this.pricing.cost(this.model.model, response.usage.promptTokens, response.usage.completionTokens);
    this.counters.calls += response.requests;
    this.counters.promptTokens += response.usage.promptTokens;
    this.counters.completionTokens += response.usage.completionTokens;
    this.counters.estimated ||= response.usage.estimated;
    this.counters.costUsd = this.counters.costUsd === null || cost === null ? null : this.counters.costUsd + cost;
  }

  /** n choices, as one request where the server honours n, else as parallel single-choice requests. */
  private async sendWithTopUp(request: ChatRequest): Promise<ChatResponse> {
    const wanted = request.n ?? 1;
    if (wanted > 1 && this.serverIgnoresN) {
      const parts = await Promise.all(Array.from({ length: wanted }, (_, i) => this.send({ ...request, n: 1, cacheSalt: `${request.cacheSalt ?? ''}#${i}` })));
      return mergeResponses(parts);
    }
    const first = await this.send(request);
    if (first.choices.length >= wanted) return first;
    this.serverIgnoresN = true;
    this.logger.info(`${this.model.model}: server returned ${first.choices.length} of ${wanted} choices; sending the rest as separate requests`);
    const missing = wanted - first.choices.length;
    const rest = await Promise.all(Array.from({ length: missing }, (_, i) => this.send({ ...request, n: 1, cacheSalt: `${request.cacheSalt ?? ''}#${i + 1}` })));
    return mergeResponses([first, ...rest]);
  }

  /** One HTTP request: waits for a concurrency slot, checks the budget, retries on 429/5xx. */
  private send(request: ChatRequest): Promise<ChatResponse> {
    return this.limiter.run(async () => {
      this.throwIfCancelled();
      const violation = budgetViolation(this.budget, this.counters, this.sending);
      if (violation) {
        this.budgetStop ??= violation;
        this.logger.warn(`Stopping: ${violation}`);
        this.cancel();
        throw new BudgetExceededError(violation);
      }
      this.sending++;
      try {
        const response = await withRetries(
          this.retry,
          () => this.model.complete(request, { signal: this.signal }),
          this.signal,
          (err, attempt, delay) => this.logger.warn(`${err.message}; retry ${attempt} of ${this.retry.maxRetries} in ${Math.round(delay)} ms`),
        );
        this.account(response);
        return response;
      } catch (err) {
        if (this.cancelled && !(err instanceof BudgetExceededError)) throw abortError();
        throw err;
      } finally {
        this.sending--;
      }
    }, this.signal);
  }
}

function mergeResponses(parts: ChatResponse[]): ChatResponse {
  return {
    choices: parts.flatMap((p) => p.choices),
    usage: {
      promptTokens: parts.reduce((s, p) => s + p.usage.promptTokens, 0),
      completionTokens: parts.reduce((s, p) => s + p.usage.completionTokens, 0),
      estimated: parts.some((p) => p.usage.estimated),
    },
    usageSource: parts.some((p) => p.usageSource === 'estimated') ? 'estimated' : parts[0].usageSource,
    model: parts[0].model,
    latencyMs: Math.max(...parts.map((p) => p.latencyMs)),
    requests: parts.reduce((s, p) => s + p.requests, 0),
  };
}
