// One run of one technique: owns the thought graph and every model call made for it.
// Every call takes the same path, `call()`, a pipeline of named stages read top to bottom:
//   stopped?  →  growth limit  →  cache (a hit waits for a turn of the event loop)  →  the cache across
//   runs (replay.ts: a hit is admitted as a call at $0)  →  top-up (n choices)  →  per request:
//   run settings (effort, seed)  →  profile slot  →  run slot  →  budget hold  →  retries  →
//   rate gate  →  parameter fit (retry once without a refused one)  →  model (text streams to the
//   node)  →  settle (count, release)  →  record on the node.
// The stages live in small files beside this one (budget, worstCase, cache, replay + diskCache, topUp, runSettings,
// limiter, retry, rateGate, paramFit, liveText, accounting, callRecord, inFlight, turns, nodeStatus).
import { setMaxListeners } from 'node:events';
import { DEFAULT_GROWTH_LIMITS, type GrowthLimits } from '../graph/growth';
import { ThoughtGraph } from '../graph/thoughtGraph';
import type { ReplayedFrom, RunTotals, TokenUsage } from '../graph/types';
import { ModelError, type ChatModel, type ChatRequest, type ChatResponse, type EmbeddingModel, type EmbeddingResponse, type PartialAnswer, type ReasoningEffort } from '../model/types';
import { estimatePromptTokens } from '../model/tokens';
import { Pricing, type ModelPrice } from '../pricing';
import type { TemplateUse } from '../templates/types';
import { RunCounters } from './accounting';
import { BudgetExceededError, BudgetLedger, reserve, type Ask, type Budget, type Grant, type Spend } from './budget';
import { RequestCache, requestKey } from './cache';
import type { DiskCache } from './diskCache';
import { InFlight } from './inFlight';
import { Limiter, abortError, isAbortError } from './limiter';
import { LiveText } from './liveText';
import { NodeStatusTracker } from './nodeStatus';
import { PROCESS_REFUSALS, sendFitted, type RefusedParams } from './paramFit';
import { gateFor } from './rateGate';
import { withRunSettings, type RunSettings } from './runSettings';
import { answeredCall, partialCall } from './callRecord';
import { replayOrSend } from './replay';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';
import { RunProfiles, type RunProfile } from './runProfiles';
import { sendWithTopUp } from './topUp';
import { EventLoopTurns } from './turns';
import { chatAsk, embeddingAsk, withinGrant } from './worstCase';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export type { RunProfile } from './runProfiles';

/** Per-call choices: the model to ask (default the run's model), and the templates its prompt came from (recorded with the call). */
export interface CallTarget {
  model?: ChatModel;
  templates?: readonly TemplateUse[];
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
  /** Budgets shared with other runs (an evaluation's --max-usd), kept beside this run's own. */
  sharedBudgets?: readonly BudgetLedger[];
  /** Limits on the graph: nodes, depth, text kept (default DEFAULT_GROWTH_LIMITS). */
  growth?: Partial<GrowthLimits>;
  retry?: RetryPolicy;
  /** Cancels the run from outside (a Cancel button, Ctrl+C). */
  signal?: AbortSignal;
  logger?: Logger;
  /** Named model profiles techniques may call by name (see `profile()`). */
  profiles?: readonly RunProfile[];
  /** Sent with every request (a request's own wins): how long a reasoning model thinks. */
  reasoningEffort?: ReasoningEffort;
  /** The run's seed: each request is sent with a seed derived from it (see runSettings.ts). */
  seed?: number;
  /** What servers refused (default: the process's memory, shared by every run). */
  refusals?: RefusedParams;
  /** The response cache across runs (diskCache.ts); without it every request the run's own cache misses is sent. */
  diskCache?: DiskCache;
}

/** What one settled request used, for the totals and the budgets. */
interface Used {
  requests: number;
  usage: TokenUsage;
  cost: number | null;
}

export class Run {
  readonly graph: ThoughtGraph;
  readonly model: ChatModel;
  private readonly pricing: Pricing;
  private readonly limiter: Limiter;
  private readonly ledgers: BudgetLedger[];
  private readonly retry: RetryPolicy;
  private readonly logger: Logger;
  private readonly controller = new AbortController();
  private readonly cache = new RequestCache();
  private readonly counters = new RunCounters();
  private readonly inFlight = new InFlight();
  private readonly turns = new EventLoopTurns();
  private readonly nodeStatus: NodeStatusTracker;
  private readonly startedAt = performance.now();
  private finishedAt: number | undefined;
  /** Models whose server was seen to ignore `n`; later calls to them send single-choice requests in parallel. */
  private readonly ignoresN = new Set<ChatModel>();
  private readonly profiles: RunProfiles;
  private readonly settings: RunSettings;
  private readonly refusals: RefusedParams;
  private readonly diskCache: DiskCache | undefined;
  /** Why the run was stopped (a budget, a growth limit), if it was: no new request starts; those in flight finish. */
  budgetStop: string | undefined;
  private stopError: BudgetExceededError | undefined;
  private cancelError: Error | undefined;

  constructor(options: RunOptions) {
    this.model = options.model;
    this.profiles = new RunProfiles(options.profiles ?? [], options.model);
    this.pricing = (options.pricing ?? new Pricing()).withProfilePrices(this.profiles.prices());
    this.limiter = new Limiter(options.concurrency ?? 4);
    this.ledgers = [new BudgetLedger(options.budget ?? {}), ...(options.sharedBudgets ?? [])];
    this.graph = new ThoughtGraph({ ...DEFAULT_GROWTH_LIMITS, ...options.growth }, (reason) => this.stop(reason));
    this.nodeStatus = new NodeStatusTracker(this.graph);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.logger = options.logger ?? silentLogger;
    this.settings = { reasoningEffort: options.reasoningEffort, seed: options.seed };
    this.refusals = options.refusals ?? PROCESS_REFUSALS;
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

  /** Stop now: requests in flight are aborted (a Cancel button, Ctrl+C). */
  cancel(): void {
    if (!this.controller.signal.aborted) this.controller.abort();
  }

  /** Stop starting requests; those in flight finish and are counted (a budget or a limit was reached). */
  stop(reason: string): void {
    if (this.budgetStop === undefined) this.logger.warn(`Stopping: ${reason}`);
    this.budgetStop ??= reason;
  }

  /** Resolves when no request is in flight any more, so the totals include everything answered. */
  settled(): Promise<void> {
    return this.inFlight.settled();
  }

  /**
   * Refuses, before any call, a USD budget that cannot be kept: the run's own model has no price.
   * (A profile's model is checked the same way at its first call.)
   */
  checkBudgetPrices(): void {
    for (const ledger of this.ledgers) ledger.checkPriced(this.model.model, this.priceOf(this.model));
  }

  /** Stop timing; later totals report the wall time up to here. */
  markFinished(): void {
    this.finishedAt ??= performance.now();
  }

  totals(): RunTotals {
    return this.counters.totals(Math.round((this.finishedAt ?? performance.now()) - this.startedAt));
  }

  /** The run's notes: what changed how it sampled (parameters a model does not take, lost diversity). */
  notes(): string[] {
    return this.counters.notes();
  }

  /** Adds a note for the run (once per text), logged the first time. */
  note(text: string): void {
    if (!this.counters.notes().includes(text)) this.logger.warn(text);
    this.counters.note(text);
  }

  /** The reasoning effort and seed this run sends. */
  get runSettings(): Readonly<RunSettings> {
    return this.settings;
  }

  /** Names of the model profiles this run knows. */
  profileNames(): string[] {
    return this.profiles.names();
  }

  /** The profile called `name`; throws a one-line error listing the known names. */
  profile(name: string): RunProfile {
    return this.profiles.get(name);
  }

  /** The model of profile `name`, or the run's own model for "" / "default". */
  modelNamed(name: string): ChatModel {
    return this.profiles.modelNamed(name);
  }

  /** The embeddings model of profile `name`; for "" / "default", the active profile's (undefined if none). */
  embedderNamed(name: string): EmbeddingModel | undefined {
    return this.profiles.embedderNamed(name);
  }

  /**
   * Embed `inputs` on behalf of node `nodeId` in one request, under the same concurrency, budget,
   * retries and cancellation as chat calls. The tokens count in the run's totals and the call is
   * recorded on the node, priced by the embeddings model's name (a profile's price is its chat model's).
   */
  async embed(nodeId: string, role: string, inputs: string[], embedder: EmbeddingModel): Promise<EmbeddingResponse> {
    this.throwIfCancelled();
    const price = this.pricing.priceOf(embedder.model);
    const costOf = (r: EmbeddingResponse) => this.pricing.cost(embedder.model, r.usage.promptTokens, 0);
    this.nodeStatus.begin(nodeId);
    try {
      const ask = embeddingAsk(inputs, embedder.model, price, this.weighsTokens());
      const response = await this.inSlots(undefined, () =>
        this.withinBudget(ask, () => embedder.embed(inputs, { signal: this.signal }), (r) => ({ requests: 1, usage: r.usage, cost: costOf(r) })),
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
      this.nodeStatus.end(nodeId, 'done');
      return response;
    } catch (err) {
      throw this.callFailed(nodeId, err);
    }
  }

  /** The profile name a model belongs to, for display ("default" for the run's own model). */
  labelOf(model: ChatModel): string {
    return this.profiles.nameOf(model) ?? (model === this.model ? 'default' : model.model);
  }

  /**
   * Throw if the run was cancelled or stopped; techniques call this between steps. One error object
   * per run is thrown everywhere: a cancelled storm of a hundred thousand calls need not build as many stack traces.
   */
  throwIfCancelled(): void {
    if (this.budgetStop !== undefined || this.controller.signal.aborted) throw this.endedError();
  }

  /**
   * Give the event loop a turn, then throw if the run was cancelled or stopped meanwhile. For a
   * technique that starts thousands of calls in one synchronous loop: Ctrl+C is seen in between.
   */
  async pause(): Promise<void> {
    await this.turns.next();
    this.throwIfCancelled();
  }

  /** The error a call of a stopped or cancelled run ends with (made once per run). */
  private endedError(): Error {
    if (this.budgetStop !== undefined) return (this.stopError ??= new BudgetExceededError(this.budgetStop));
    return (this.cancelError ??= abortError());
  }

  /**
   * Send a request on behalf of node `nodeId` and record it there. `role` names the call's purpose
   * ("propose", "value", "answer"). Returns `request.n` choices (topping up servers that ignore n).
   */
  async call(nodeId: string, role: string, request: ChatRequest, target: CallTarget = {}): Promise<ChatResponse> {
    const model = target.model ?? this.model;
    this.throwIfCancelled();
    this.checkGrowth();
    this.nodeStatus.begin(nodeId);
    try {
      const { response, cached } = await this.answer(request, model, nodeId);
      this.record(nodeId, role, request, model, response, cached, target.templates);
      this.nodeStatus.end(nodeId, 'done');
      return response;
    } catch (err) {
      this.recordPartial(nodeId, role, request, model, err);
      throw this.callFailed(nodeId, err);
    }
  }

  /** Stage: the growth limit, checked for every call: a call answered from the cache still grows the graph. */
  private checkGrowth(): void {
    const reached = this.graph.limitReached();
    if (!reached) return;
    this.stop(reached);
    throw new BudgetExceededError(reached);
  }

  /**
   * Stage: the run's cache (identical requests share one answer), else the request is sent, topped up to
   * n choices. A cached answer waits for a turn of the event loop of its own (see turns.ts); it cost
   * nothing, so a cancel seen then loses nothing.
   */
  private async answer(request: ChatRequest, model: ChatModel, nodeId: string): Promise<{ response: ChatResponse; cached: boolean }> {
    const key = requestKey(`${modelIdOf(model)}:${model.model}`, request);
    const hit = this.cache.get(key);
    if (hit) {
      const response = await hit;
      await this.turns.next();
      this.throwIfCancelled();
      this.counters.addCached();
      return { response, cached: true };
    }
    const send = () => sendWithTopUp(request, model, (one) => this.send(withRunSettings(one, this.settings), model, nodeId), this.ignoresN, (m) => this.logger.info(m));
    // The cache across runs, asked with the request as it goes out (effort, seed); a replayed answer costs $0 and counts as a call.
    const stage = { send, admit: (r: ChatResponse) => this.admitReplayed(model, r.replayed!), costOf: (r: ChatResponse) => this.costOf(model, r) };
    const pending = this.diskCache ? replayOrSend(this.diskCache, model, withRunSettings(request, this.settings), stage) : send();
    this.cache.set(key, pending);
    return { response: await pending, cached: false };
  }

  /**
   * Stage: one HTTP request, in the profile's slot and the run's, within the budget; each attempt
   * passes the server's rate gate and is fitted to what the model takes; its text streams to the node.
   */
  private send(request: ChatRequest, model: ChatModel, nodeId: string): Promise<ChatResponse> {
    const ask = chatAsk(request, model.model, this.priceOf(model), this.weighsTokens());
    const gate = gateFor(model);
    const tokens = ask.promptTokens || estimatePromptTokens(request.messages);
    const attempt = (grant: Grant) => {
      const live = new LiveText(this.graph, nodeId);
      const complete = (sent: ChatRequest) => model.complete(sent, { signal: this.signal, onText: live.onText });
      return gate.run(() => sendFitted(model, withinGrant(request, ask, grant), complete, this.refusals, (m) => this.logger.info(m)), tokens, this.signal).finally(() => live.end());
    };
    return this.inSlots(model, () =>
      this.withinBudget(ask, attempt, (response) => {
        for (const note of response.notes ?? []) this.logger.warn(`${model.model}: ${note}`);
        for (const dropped of response.droppedParams ?? []) this.note(dropped.note);
        return { requests: response.requests, usage: response.usage, cost: this.costOf(model, response) };
      }, (err) => (err instanceof ModelError && err.partial ? { requests: 1, usage: err.partial.usage, cost: this.usageCost(model, err.partial.usage) } : undefined)),
    );
  }

  /** Stage: concurrency. A profile's own limit is taken before the run's, so a busy profile never holds a run slot. */
  private inSlots<T>(model: ChatModel | undefined, work: () => Promise<T>): Promise<T> {
    const inRunSlot = () => this.limiter.run(work, this.signal);
    const profileLimiter = model && this.profiles.limiterOf(model);
    return profileLimiter ? profileLimiter.run(inRunSlot, this.signal) : inRunSlot();
  }

  /**
   * Stage: the budget. The request's worst case is held in every budget while it is in flight (waiting
   * for room if needed); it is retried on 429/5xx/timeouts; then what it used is counted, in the run's
   * totals and in the budgets, before its slot is given to the next request.
   */
  private withinBudget<T>(ask: Ask, attempt: (grant: Grant) => Promise<T>, used: (result: T) => Used, usedOnError: (err: unknown) => Used | undefined = () => undefined): Promise<T> {
    return this.inFlight.track(async () => {
      this.throwIfCancelled();
      const grant = await reserve(this.ledgers, ask, this.signal).catch((err: unknown) => {
        if (err instanceof BudgetExceededError) this.stop(err.message);
        throw err;
      });
      let spend: Spend | undefined;
      try {
        this.throwIfCancelled(); // the run may have stopped while this request waited for room
        const result = await withRetries(this.retry, () => attempt(grant), this.signal, (err, n, delay) => this.logger.warn(`${err.message}; retry ${n} of ${this.retry.maxRetries} in ${Math.round(delay)} ms`));
        spend = this.count(used(result));
        return result;
      } catch (err) {
        // A cancelled stream's text so far was paid for: counted here, recorded on its node by call().
        const partial = usedOnError(err);
        if (partial) spend = this.count(partial);
        if (!this.cancelled) throw err;
        const streamed = (err as ModelError).partial;
        throw streamed ? Object.assign(abortError(), { partial: streamed }) : this.endedError();
      } finally {
        for (const [ledger, hold] of grant.holds) ledger.settle(hold, spend);
      }
    });
  }

  /**
   * Stage: an answer from the cache across runs costs nothing, but it is a call: it must fit the call
   * budgets (waiting, as a request would, for requests in flight) and is counted there, so a re-run stops
   * where the first run stopped. What it used and cost when first sent is counted apart (RunTotals.replayed).
   */
  private async admitReplayed(model: ChatModel, from: ReplayedFrom): Promise<void> {
    this.throwIfCancelled();
    const grant = await reserve(this.ledgers, { promptTokens: 0, outputTokens: 0, price: this.priceOf(model), model: model.model }, this.signal).catch((err: unknown) => {
      if (err instanceof BudgetExceededError) this.stop(err.message);
      throw err;
    });
    for (const [ledger, hold] of grant.holds) ledger.settle(hold, { calls: 1, tokens: 0, usd: 0 });
    this.counters.addReplayed(from);
  }

  /** What a settled request used, in the run's totals; returns it as the budgets' spend. */
  private count(u: Used): Spend {
    this.counters.add(u.requests, u.usage, u.cost);
    return { calls: u.requests, tokens: u.usage.promptTokens + u.usage.completionTokens, usd: u.cost };
  }

  /** Stage: the call on its node, with its tokens and cost (a cached answer cost nothing). */
  private record(nodeId: string, role: string, request: ChatRequest, model: ChatModel, response: ChatResponse, cached: boolean, templates?: readonly TemplateUse[]): void {
    // An answer from the cache across runs is a cached call too, keeping when it was first sent and its cost then.
    const replayed = cached ? undefined : response.replayed;
    const free = cached || replayed !== undefined;
    const record = answeredCall(role, request, this.settings, response, free, free ? 0 : this.costOf(model, response));
    const call = replayed ? { ...record, replayed } : record;
    this.graph.recordCall(nodeId, templates?.length ? { ...call, templates: [...templates] } : call);
  }

  /** A cancelled stream's text so far on its node, with the tokens it was counted at. */
  private recordPartial(nodeId: string, role: string, request: ChatRequest, model: ChatModel, err: unknown): void {
    const partial = (err as { partial?: PartialAnswer } | undefined)?.partial;
    if (partial && this.graph.has(nodeId)) this.graph.recordCall(nodeId, partialCall(role, request, this.settings, model.model, partial, this.usageCost(model, partial.usage)));
  }

  /** Marks the node of a failed call (cancelled, stopped or failed) and returns the error to throw. */
  private callFailed(nodeId: string, err: unknown): unknown {
    const stopped = err instanceof BudgetExceededError;
    const how = isAbortError(err) || this.cancelled || stopped ? 'cancelled' : 'failed';
    const node = this.graph.get(nodeId);
    this.nodeStatus.end(nodeId, how);
    if (how === 'failed' && node.status === 'failed') this.graph.update(nodeId, { error: err instanceof Error ? err.message : String(err) });
    if (how === 'cancelled') return this.endedError();
    return err;
  }

  /** What a call of this size would cost on `model` (FrugalGPT's "always ask the last model" baseline). */
  estimateCost(model: ChatModel, promptTokens: number, completionTokens: number): number | null {
    return this.pricing.cost(model.model, promptTokens, completionTokens, this.profiles.nameOf(model));
  }

  private priceOf(model: ChatModel): ModelPrice | undefined {
    return this.pricing.priceFor(model.model, this.profiles.nameOf(model));
  }

  private costOf(model: ChatModel, response: ChatResponse): number | null {
    return this.usageCost(model, response.usage);
  }

  /** USD for a call's usage: cached prompt tokens at the cached rate, reasoning as output (it is part of the completion). */
  private usageCost(model: ChatModel, usage: TokenUsage): number | null {
    return this.pricing.cost(model.model, usage.promptTokens, usage.completionTokens, this.profiles.nameOf(model), usage.cachedPromptTokens ?? 0);
  }

  private weighsTokens(): boolean {
    return this.ledgers.some((l) => l.weighsTokens);
  }
}
