// One run of one technique: owns the thought graph and every model call made for it.
// All calls pass through here so concurrency, cancellation, retries, budget, cache and
// token/cost accounting are applied the same way for every technique.
import { setMaxListeners } from 'node:events';
import { ThoughtGraph } from '../graph/thoughtGraph';
import type { CallRecord, RunTotals } from '../graph/types';
import type { ChatModel, ChatRequest, ChatResponse, EmbeddingModel, EmbeddingResponse } from '../model/types';
import { Pricing, type ModelPrice } from '../pricing';
import { BudgetExceededError, budgetViolation, type Budget } from './budget';
import { RequestCache, requestKey } from './cache';
import type { DiskCache } from './diskCache';
import { Limiter, abortError, isAbortError } from './limiter';
import { replayOrSend } from './replay';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * A named model profile available to the run's techniques (EoT participants, FrugalGPT stages).
 * A profile's own price wins over the price table; its maxConcurrency caps its requests in flight
 * below the run's overall limit. A cascade profile (a saved FrugalGPT cascade) has no model.
 */
export interface RunProfile {
  name: string;
  model?: ChatModel;
  price?: ModelPrice;
  maxConcurrency?: number;
  cascade?: { stages: string[]; thresholds: number[]; scorer?: string; samples?: number };
  /** The profile's embeddings model (its `embeddingModel`), for rag's re-ranking. */
  embedder?: EmbeddingModel;
}

/** Per-call choices: the model to ask (default the run's model). */
export interface CallTarget {
  model?: ChatModel;
}

/** A stable id per ChatModel object, so two profiles with one model name never share cache entries. */
const modelIds = new WeakMap<ChatModel, number>();
let nextModelId = 0;
function modelIdOf(model: ChatModel): number {
  let id = modelIds.get(model);
  if (id === undefined) modelIds.set(model, (id = nextModelId++));
  return id;
}

export interface RunOptions {
  model: ChatModel;
  pricing?: Pricing;
  concurrency?: number;
  budget?: Budget;
  retry?: RetryPolicy;
  /** Cancels the run from outside (a Cancel button, Ctrl+C). */
  signal?: AbortSignal;
  logger?: Logger;
  /** Named model profiles techniques may call by name (see `profile()`). */
  profiles?: readonly RunProfile[];
  /** The cache across runs (diskCache.ts); without it every request not answered by the run's own cache is sent. */
  diskCache?: DiskCache;
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
  private readonly diskCache: DiskCache | undefined;
  private readonly startedAt = performance.now();
  private finishedAt: number | undefined;
  private sending = 0;
  private readonly runningCalls = new Map<string, number>();
  private readonly statusBeforeCall = new Map<string, string>();
  /** Models whose server was seen to ignore `n`; later calls to them send single-choice requests in parallel. */
  private readonly ignoresN = new Set<ChatModel>();
  private readonly profilesByName = new Map<string, RunProfile>();
  private readonly profileOfModel = new Map<ChatModel, RunProfile>();
  /** Per-profile concurrency limits, taken before the run's overall slot so a busy profile never holds one. */
  private readonly profileLimiters = new Map<ChatModel, Limiter>();
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
    const profilePrices: Record<string, ModelPrice> = {};
    for (const profile of options.profiles ?? []) {
      this.profilesByName.set(profile.name, profile);
      if (profile.price) profilePrices[profile.name] = profile.price;
      if (!profile.model) continue;
      this.profileOfModel.set(profile.model, profile);
      if (profile.maxConcurrency) this.profileLimiters.set(profile.model, new Limiter(profile.maxConcurrency));
    }
    this.pricing = (options.pricing ?? new Pricing()).withProfilePrices(profilePrices);
    this.limiter = new Limiter(options.concurrency ?? 4);
    this.budget = options.budget ?? {};
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.logger = options.logger ?? silentLogger;
    this.diskCache = options.diskCache;
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
    const replayed = this.counters.replayed ? { replayed: { ...this.counters.replayed } } : {};
    return { ...this.counters, ...replayed, wallMs: Math.round((this.finishedAt ?? performance.now()) - this.startedAt) };
  }

  /** Names of the model profiles this run knows. */
  profileNames(): string[] {
    return [...this.profilesByName.keys()];
  }

  /** The profile called `name`; throws a one-line error listing the known names. */
  profile(name: string): RunProfile {
    const found = this.profilesByName.get(name);
    if (found) return found;
    const known = this.profileNames();
    throw new Error(`no model profile named "${name}"; ${known.length ? `known profiles: ${known.join(', ')}` : 'no profiles are configured (thoughtscope.profiles, or --profiles in the CLI)'}`);
  }

  /** The model of profile `name`, or the run's own model for "" / "default". */
  modelNamed(name: string): ChatModel {
    if (name === '' || name === 'default') return this.model;
    const profile = this.profile(name);
    if (!profile.model) throw new Error(`model profile "${name}" is a cascade, not a model`);
    return profile.model;
  }

  /**
   * The embeddings model of profile `name`; for "" / "default", that of the profile the run's own model
   * comes from (the active profile), or undefined when it has none.
   */
  embedderNamed(name: string): EmbeddingModel | undefined {
    if (name === '' || name === 'default') return this.profileOfModel.get(this.model)?.embedder;
    const profile = this.profile(name);
    if (!profile.embedder) throw new Error(`model profile "${name}" has no "embeddingModel"; add one (an embeddings model of its server) to re-rank with it`);
    return profile.embedder;
  }

  /**
   * Embed `inputs` on behalf of node `nodeId` in one request, under the same concurrency, budget,
   * retries and cancellation as chat calls. The tokens count in the run's totals and the call is
   * recorded on the node, priced by the embeddings model's name (a profile's price is its chat model's).
   */
  async embed(nodeId: string, role: string, inputs: string[], embedder: EmbeddingModel): Promise<EmbeddingResponse> {
    this.throwIfCancelled();
    const node = this.graph.get(nodeId);
    this.markRunning(nodeId, +1);
    const costOf = (r: EmbeddingResponse) => this.pricing.cost(embedder.model, r.usage.promptTokens, 0);
    try {
      const response = await this.inRunSlot(
        () => embedder.embed(inputs, { signal: this.signal }),
        (r) => this.count(1, r.usage, costOf(r)),
      );
      this.graph.recordCall(nodeId, {
        role,
        model: response.model,
        prompt: inputs.join('\n\n---\n\n'),
        responses: [`${response.vectors.length} embedding${response.vectors.length === 1 ? '' : 's'} of ${response.vectors[0]?.length ?? 0} dimensions`],
        usage: response.usage,
        usageSource: response.usageSource,
        costUsd: costOf(response),
        latencyMs: response.latencyMs,
        cached: false,
      });
      this.markRunning(nodeId, -1, 'done');
      return response;
    } catch (err) {
      throw this.callFailed(nodeId, node, err);
    }
  }

  /** The profile name a model belongs to, for display ("default" for the run's own model). */
  labelOf(model: ChatModel): string {
    return this.profileOfModel.get(model)?.name ?? (model === this.model ? 'default' : model.model);
  }

  /** Throw if the run was cancelled; techniques call this between steps. */
  throwIfCancelled(): void {
    if (this.controller.signal.aborted) throw this.budgetStop ? new BudgetExceededError(this.budgetStop) : abortError();
  }

  /**
   * Send a request on behalf of node `nodeId` and record it there. `role` names the call's purpose
   * ("propose", "value", "answer"). Returns `request.n` choices (topping up servers that ignore n).
   */
  async call(nodeId: string, role: string, request: ChatRequest, target: CallTarget = {}): Promise<ChatResponse> {
    const model = target.model ?? this.model;
    this.throwIfCancelled();
    const node = this.graph.get(nodeId);
    this.markRunning(nodeId, +1);
    const prompt = request.messages.map((m) => (request.messages.length > 1 ? `[${m.role}]\n${m.content}` : m.content)).join('\n\n');
    try {
      const key = requestKey(`${modelIdOf(model)}:${model.model}`, request);
      const hit = this.cache.get(key);
      let response: ChatResponse;
      let cached = false;
      if (hit) {
        response = await hit;
        cached = true;
        this.counters.cachedCalls++;
      } else {
        // The cache across runs is asked before anything is sent (a replayed answer counts as a call, costs $0).
        const send = () => this.sendWithTopUp(request, model);
        const pending = this.diskCache ? replayOrSend(this.diskCache, model, request, { send, admit: (r) => this.admitReplayed(r), costOf: (r) => this.costOf(model, r) }) : send();
        this.cache.set(key, pending);
        response = await pending;
      }
      const replayed = cached ? undefined : response.replayed;
      const free = cached || replayed !== undefined;
      const record: CallRecord = {
        role,
        model: response.model,
        prompt,
        responses: response.choices,
        usage: free ? { promptTokens: 0, completionTokens: 0, estimated: false } : response.usage,
        usageSource: response.usageSource,
        costUsd: free ? 0 : this.costOf(model, response),
        latencyMs: free ? 0 : response.latencyMs,
        cached: free,
        ...(replayed ? { replayed } : {}),
      };
      this.graph.recordCall(nodeId, record);
      this.markRunning(nodeId, -1, 'done');
      return response;
    } catch (err) {
      throw this.callFailed(nodeId, node, err);
    }
  }

  /** Marks the node of a failed call (cancelled or failed) and returns the error to throw. */
  private callFailed(nodeId: string, node: { status: string }, err: unknown): unknown {
    const status = isAbortError(err) || this.cancelled ? 'cancelled' : 'failed';
    const message = err instanceof Error ? err.message : String(err);
    this.markRunning(nodeId, -1, status);
    if (status === 'failed' && node.status === 'failed') this.graph.update(nodeId, { error: message });
    if (status === 'cancelled') return this.budgetStop ? new BudgetExceededError(this.budgetStop) : abortError();
    return err;
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

  /** What a call of this size would cost on `model` (FrugalGPT's "always ask the last model" baseline). */
  estimateCost(model: ChatModel, promptTokens: number, completionTokens: number): number | null {
    return this.pricing.cost(model.model, promptTokens, completionTokens, this.profileOfModel.get(model)?.name);
  }

  private costOf(model: ChatModel, response: ChatResponse): number | null {
    return this.pricing.cost(model.model, response.usage.promptTokens, response.usage.completionTokens, this.profileOfModel.get(model)?.name);
  }

  /** Counted inside the concurrency slot, so the budget check of the next request already sees it. */
  private account(response: ChatResponse, model: ChatModel): void {
    this.count(response.requests, response.usage, this.costOf(model, response));
  }

  /**
   * A call answered from the cache across runs: it passes the same budget check a request would and counts
   * as a call there (a re-run stops where the first run stopped); its tokens and cost are those of its first sending.
   */
  private admitReplayed(response: ChatResponse): void {
    this.throwIfCancelled();
    this.checkBudget();
    const { replayed } = response;
    const r = (this.counters.replayed ??= { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    r.calls++;
    r.promptTokens += replayed?.usage.promptTokens ?? 0;
    r.completionTokens += replayed?.usage.completionTokens ?? 0;
    r.costUsd = r.costUsd === null || !replayed || replayed.costUsd === null ? null : r.costUsd + replayed.costUsd;
    this.counters.cachedCalls++;
  }

  private count(requests: number, usage: ChatResponse['usage'], cost: number | null): void {
    this.counters.calls += requests;
    this.counters.promptTokens += usage.promptTokens;
    this.counters.completionTokens += usage.completionTokens;
    this.counters.estimated ||= usage.estimated;
    this.counters.costUsd = this.counters.costUsd === null || cost === null ? null : this.counters.costUsd + cost;
  }

  /** n choices, as one request where the server honours n, else as parallel single-choice requests. */
  private async sendWithTopUp(request: ChatRequest, model: ChatModel): Promise<ChatResponse> {
    const wanted = request.n ?? 1;
    if (wanted > 1 && this.ignoresN.has(model)) {
      const parts = await Promise.all(Array.from({ length: wanted }, (_, i) => this.send({ ...request, n: 1, cacheSalt: `${request.cacheSalt ?? ''}#${i}` }, model)));
      return mergeResponses(parts);
    }
    const first = await this.send(request, model);
    if (first.choices.length >= wanted) return first;
    this.ignoresN.add(model);
    this.logger.info(`${model.model}: server returned ${first.choices.length} of ${wanted} choices; sending the rest as separate requests`);
    const missing = wanted - first.choices.length;
    const rest = await Promise.all(Array.from({ length: missing }, (_, i) => this.send({ ...request, n: 1, cacheSalt: `${request.cacheSalt ?? ''}#${i + 1}` }, model)));
    return mergeResponses([first, ...rest]);
  }

  /** One HTTP request: waits for the profile's slot and the run's, checks the budget, retries on 429/5xx. */
  private send(request: ChatRequest, model: ChatModel): Promise<ChatResponse> {
    const profileLimiter = this.profileLimiters.get(model);
    if (profileLimiter) return profileLimiter.run(() => this.sendInRunSlot(request, model), this.signal);
    return this.sendInRunSlot(request, model);
  }

  private sendInRunSlot(request: ChatRequest, model: ChatModel): Promise<ChatResponse> {
    return this.inRunSlot(() => model.complete(request, { signal: this.signal }), (response) => this.account(response, model));
  }

  /** Stops the run when the next call would start past a budget limit (calls in flight count). */
  private checkBudget(): void {
    const violation = budgetViolation(this.budget, this.counters, this.sending);
    if (!violation) return;
    this.budgetStop ??= violation;
    this.logger.warn(`Stopping: ${violation}`);
    this.cancel();
    throw new BudgetExceededError(violation);
  }

  /** One request in a run slot: budget check first, retries on 429/5xx/timeouts, `account` inside the slot. */
  private inRunSlot<T>(request: () => Promise<T>, account: (result: T) => void): Promise<T> {
    return this.limiter.run(async () => {
      this.throwIfCancelled();
      this.checkBudget();
      this.sending++;
      try {
        const response = await withRetries(
          this.retry,
          request,
          this.signal,
          (err, attempt, delay) => this.logger.warn(`${err.message}; retry ${attempt} of ${this.retry.maxRetries} in ${Math.round(delay)} ms`),
        );
        account(response);
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
