// The chat model over any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's /openai/v1 or a deployment
// URL with ?api-version=…, Ollama, vLLM, LM Studio, DeepSeek, Gemini's and Anthropic's compatible
// endpoints) through the official `openai` SDK. Retries are ours (see run/retry.ts), so the
// SDK's own are off; errors become ModelErrors with a message a person can act on.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { azureKeyHeaders } from './azure';
import { unwrapListErrorBodies } from './errorBody';
import { ResponseTooLargeError } from './jsonStringCap';
import { rateLimitOf } from './rateLimitHeaders';
import { joinReasoning, splitThinking } from './reasoningText';
import { IncompleteStreamError, readStreamedCompletion, readWholeCompletion, StreamProgress, type CompletionParts } from './readCompletion';
import { DEFAULT_RESPONSE_LIMITS, ResponseTimeoutError, guardedFetch, type ResponseLimits } from './responseGuard';
import { estimatePromptTokens, estimateTextTokens } from './tokens';
import { readUsage, type ReportedUsage } from './usage';
import { redactedUrl } from './redactUrl';
import { ModelError, UnsupportedParamError, type CallOptions, type ChatModel, type ChatRequest, type ChatResponse, type EmbeddingModel, type EmbeddingResponse, type RateLimitInfo } from './types';
import { unsupportedParamIn } from './wireParams';

export interface OpenAIModelConfig {
  baseUrl: string;
  model: string;
  /** Local servers need none; the SDK still wants a string. */
  apiKey?: string;
  /** Deadline of a whole response, headers to last byte; a hung or stalled server fails with a timeout (retried). */
  timeoutMs?: number;
  /** Longest silence inside a response body or stream (default: the smaller of 60 s and timeoutMs). */
  idleTimeoutMs?: number;
  /** Characters kept of one choice's text; the rest is cut and the text marked (default 2,000,000). */
  maxTextChars?: number;
  /** Stream responses (usage requested with stream_options.include_usage). */
  stream?: boolean;
  /** Extra headers, e.g. Azure's api-key. */
  headers?: Record<string, string>;
}

export const NO_KEY_PLACEHOLDER = 'no-key';

export class OpenAIChatModel implements ChatModel {
  readonly provider = 'openai-compatible';
  readonly model: string;
  /** The server without credentials, and the model name: keys are not part of it (they are in the client's headers). */
  readonly cacheIdentity: string;
  readonly server: string;
  private readonly client: OpenAI;
  private readonly config: OpenAIModelConfig;
  private readonly limits: ResponseLimits;

  constructor(config: OpenAIModelConfig) {
    validateBaseUrl(config.baseUrl);
    if (!config.model.trim()) throw new ModelError('bad-request', 'No model name is set: set thoughtscope.model or pass --model');
    this.config = config;
    this.model = config.model;
    this.cacheIdentity = `${serverIdentity(config.baseUrl)} ${config.model}`;
    this.server = redactedUrl(config.baseUrl);
    this.limits = responseLimits(config);
    // A query in the base URL (Azure's ?api-version=…) goes on every request, not in front of the path.
    const url = new URL(config.baseUrl);
    const query = Object.fromEntries(url.searchParams);
    url.search = '';
    this.client = new OpenAI({
      baseURL: url.toString().replace(/\/+$/, ''),
      defaultQuery: Object.keys(query).length ? query : undefined,
      apiKey: config.apiKey || NO_KEY_PLACEHOLDER,
      maxRetries: 0,
      timeout: this.limits.deadlineMs,
      fetch: unwrapListErrorBodies(guardedFetch(this.limits)),
      defaultHeaders: { ...azureKeyHeaders(config.baseUrl, config.apiKey), ...config.headers },
      dangerouslyAllowBrowser: false,
    });
  }

  async complete(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    const started = performance.now();
    const body = requestBody(this.model, request);
    const progress = new StreamProgress();
    try {
      // Tool calls arrive whole only without streaming, so requests offering tools are not streamed.
      const { parts, rateLimit } = this.config.stream && !request.tools?.length ? await this.completeStreaming(body, request, options, progress) : await this.completeOnce(body, request, options);
      return { ...this.toResponse(parts, request, performance.now() - started), ...(rateLimit ? { rateLimit } : {}) };
    } catch (err) {
      const error = this.toModelError(err, options.signal);
      // What a cancelled or cut-off stream had delivered was paid for: it goes back with the error, counted.
      if ((error.kind === 'cancelled' || error instanceof IncompleteStreamError) && progress.texts.length > 0) error.partial = this.partialAnswer(progress, request, performance.now() - started);
      throw error;
    }
  }

  private toResponse(parts: CompletionParts, request: ChatRequest, latencyMs: number): ChatResponse {
    return responseOf(parts, request, latencyMs, this.model, this.limits.maxTextChars);
  }

  private partialAnswer(progress: StreamProgress, request: ChatRequest, latencyMs: number) {
    const split = splitThinking(progress.texts[0] ?? '');
    const reasoning = joinReasoning(progress.reasoning[0] ?? '', split.reasoning);
    return { text: split.answer, reasoning, usage: usageOf(progress.usage, request, progress.texts, progress.reasoning), latencyMs };
  }

  private async completeOnce(body: OpenAI.ChatCompletionCreateParamsNonStreaming, request: ChatRequest, options: CallOptions): Promise<{ parts: CompletionParts; rateLimit?: RateLimitInfo }> {
    const { data, response } = await this.client.chat.completions.create(body, { signal: options.signal }).withResponse();
    return { parts: readWholeCompletion(data as unknown, request.n ?? 1, this.where()), rateLimit: rateLimitOf(response.headers) };
  }

  private async completeStreaming(body: OpenAI.ChatCompletionCreateParamsNonStreaming, request: ChatRequest, options: CallOptions, progress: StreamProgress): Promise<{ parts: CompletionParts; rateLimit?: RateLimitInfo }> {
    const { data: stream, response } = await this.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: options.signal }).withResponse();
    const parts = await readStreamedCompletion(stream, request.n ?? 1, this.limits.maxTextChars, this.where(), options.onText, progress);
    // The SDK ends a stream quietly when it is aborted: a cancelled stream is not a complete answer.
    if (options.signal?.aborted) throw new ModelError('cancelled', 'The request was cancelled');
    return { parts, rateLimit: rateLimitOf(response.headers) };
  }

  /** An embeddings model on the same server, with the same key and headers (rag's re-ranking). */
  embeddingModel(model: string): EmbeddingModel {
    if (!model.trim()) throw new ModelError('bad-request', 'No embeddings model name is set');
    const name = model.trim();
    return { model: name, cacheKey: `${redactedUrl(this.config.baseUrl)} ${name}`, embed: (inputs, options) => this.embed(name, inputs, options) };
  }

  /** One /embeddings request for all `inputs`, as floats (servers without base64 support exist). */
  async embed(model: string, inputs: string[], options: CallOptions = {}): Promise<EmbeddingResponse> {
    const started = performance.now();
    try {
      const result = await this.client.embeddings.create({ model, input: inputs, encoding_format: 'float' }, { signal: options.signal });
      const data = Array.isArray(result?.data) ? [...result.data].sort((a, b) => a.index - b.index) : [];
      const vectors = data.map((d) => d.embedding as unknown);
      if (vectors.length !== inputs.length || !vectors.every((v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'))) {
        throw new ModelError('bad-response', `${this.where()} has no usable embeddings endpoint: /embeddings with model "${model}" returned ${vectors.length} vectors for ${inputs.length} inputs`);
      }
      // Checked like a completion's usage: a negative or absurd count is estimated instead.
      const usage = readUsage(result.usage ? { prompt_tokens: result.usage.prompt_tokens, completion_tokens: 0 } : undefined);
      const reported = usage.kind === 'reported' ? usage.promptTokens : undefined;
      const promptTokens = reported ?? inputs.reduce((sum, t) => sum + estimateTextTokens(t), 0);
      return {
        vectors: vectors as number[][],
        usage: { promptTokens, completionTokens: 0, estimated: reported === undefined },
        usageSource: reported === undefined ? 'estimated' : 'reported',
        model: result.model || model,
        latencyMs: performance.now() - started,
      };
    } catch (err) {
      if (err instanceof APIError && (err.status === 404 || err.status === 405 || err.status === 501)) {
        throw new ModelError('not-found', `${this.where()} has no embeddings endpoint or no embeddings model "${model}" (HTTP ${err.status})${serverDetail(err)}`, err.status);
      }
      throw this.toModelError(err, options.signal);
    }
  }

  private where(): string {
    return `the server at ${redactedUrl(this.config.baseUrl)}`;
  }

  private toModelError(err: unknown, signal?: AbortSignal): ModelError {
    if (err instanceof ModelError) return err;
    if (err instanceof APIUserAbortError || signal?.aborted) return new ModelError('cancelled', 'The request was cancelled');
    if (err instanceof APIConnectionTimeoutError) {
      return new ModelError('timeout', `${this.where()} did not answer within ${Math.round(this.limits.deadlineMs / 1000)} s`);
    }
    if (err instanceof ResponseTimeoutError) return new ModelError('timeout', `${this.where()}: ${err.message}`);
    if (err instanceof ResponseTooLargeError) return new ModelError('bad-response', `${this.where()} sent too much: ${err.message}`);
    if (err instanceof APIConnectionError) {
      return new ModelError('unreachable', `Cannot reach ${this.where()}: check the base URL and that the server is running`);
    }
    if (err instanceof APIError) {
      const status = err.status;
      const detail = serverDetail(err);
      if (status === 401 || status === 403) {
        return new ModelError('auth', `${this.where()} rejected the API key (HTTP ${status})${detail}: set it with "Thoughtscope: Set API Key" or OPENAI_API_KEY`, status);
      }
      if (status === 404) return new ModelError('not-found', `Model "${this.model}" was not found at ${redactedUrl(this.config.baseUrl)} (HTTP 404)${detail}`, status);
      if (status === 429) {
        const limited = new ModelError('rate-limit', `${this.where()} is rate limiting requests (HTTP 429)${detail}`, status, retryAfterMs(err.headers));
        limited.rateLimit = rateLimitOf(err.headers, limited.retryAfterMs);
        return limited;
      }
      if (status !== undefined && status >= 500) return new ModelError('server', `${this.where()} failed (HTTP ${status})${detail}`, status, retryAfterMs(err.headers));
      const param = status === 400 || status === 422 ? unsupportedParamIn(err.param, errorMessage(err)) : undefined;
      if (param) return new UnsupportedParamError(param, `${this.where()} refused the request (HTTP ${status}): ${param} is not supported by ${this.model}${detail}`, status);
      if (status !== undefined) return new ModelError('bad-request', `${this.where()} refused the request (HTTP ${status})${detail}`, status);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof SyntaxError) return new ModelError('bad-response', `${this.where()} sent a response that is not valid JSON (${message})`);
    return new ModelError('bad-response', `Unexpected response from ${this.where()}: ${message}`);
  }
}

function errorMessage(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  return body && typeof body.message === 'string' ? body.message : '';
}

function serverDetail(err: APIError): string {
  const msg = errorMessage(err);
  return msg ? ` — ${msg.slice(0, 200)}` : '';
}

/** The Chat Completions body: only the fields the request sets (what a model refuses was removed before); also a line of a Batch API input file. */
export function requestBody(model: string, request: ChatRequest): OpenAI.ChatCompletionCreateParamsNonStreaming {
  const maxTokens = request.maxTokens === undefined ? {} : request.maxTokensParam === 'max_completion_tokens' ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens };
  return {
    model,
    messages: request.messages,
    temperature: request.temperature,
    top_p: request.topP,
    n: request.n && request.n > 1 ? request.n : undefined,
    stop: request.stop && request.stop.length > 0 ? request.stop : undefined,
    ...maxTokens,
    reasoning_effort: request.reasoningEffort,
    seed: request.seed,
    tools: request.tools?.length ? request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })) : undefined,
  };
}

/** A ChatResponse from checked completion parts (also the Batch API's answers, eval/batchRequests.ts). */
export function responseOf(parts: CompletionParts, request: ChatRequest, latencyMs: number, fallbackModel: string, maxTextChars: number): ChatResponse {
  const notes: string[] = [];
  if (parts.droppedChars > 0) notes.push(`the response was cut to ${maxTextChars} characters per choice (${parts.droppedChars} characters not kept)`);
  if (parts.usage.kind === 'refused') notes.push(`the server's usage was refused (${parts.usage.reason}); tokens are estimated`);
  const reasoning = parts.reasoning.some((r) => r !== '') ? { reasoning: parts.reasoning } : {};
  const common = { choices: parts.choices, model: parts.model ?? fallbackModel, latencyMs, requests: 1, ...reasoning, ...(parts.toolCalls?.length ? { toolCalls: parts.toolCalls } : {}), ...(notes.length ? { notes } : {}) };
  const counted = usageOf(parts.usage, request, parts.choices, parts.reasoning);
  return { ...common, usage: counted, usageSource: counted.estimated ? 'estimated' : 'reported' };
}

/** The server's usage with its cached and reasoning parts, or (none usable) a count with a real tokenizer, marked estimated. */
function usageOf(usage: ReportedUsage, request: ChatRequest, choices: readonly string[], reasoning: readonly string[]) {
  if (usage.kind === 'reported') {
    return {
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      estimated: false,
      ...(usage.cachedPromptTokens ? { cachedPromptTokens: usage.cachedPromptTokens } : {}),
      ...(usage.reasoningTokens ? { reasoningTokens: usage.reasoningTokens } : {}),
    };
  }
  const reasoningTokens = reasoning.reduce((sum, r) => sum + estimateTextTokens(r ?? ''), 0);
  const completionTokens = choices.reduce((sum, c) => sum + estimateTextTokens(c ?? ''), 0) + reasoningTokens;
  return { promptTokens: estimatePromptTokens(request.messages), completionTokens, estimated: true, ...(reasoningTokens ? { reasoningTokens } : {}) };
}

/** Retry-After as seconds or an HTTP date; also the retry-after-ms header some servers send. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The config's timeouts and text cap, kept inside what timers can hold. */
function responseLimits(config: OpenAIModelConfig): ResponseLimits {
  const deadlineMs = clampMs(config.timeoutMs ?? DEFAULT_RESPONSE_LIMITS.deadlineMs);
  const idleMs = clampMs(Math.min(config.idleTimeoutMs ?? DEFAULT_RESPONSE_LIMITS.idleMs, deadlineMs));
  return { ...DEFAULT_RESPONSE_LIMITS, deadlineMs, idleMs, maxTextChars: config.maxTextChars ?? DEFAULT_RESPONSE_LIMITS.maxTextChars };
}

/** A timer longer than 2^31 - 1 ms fires at once in Node; settings and flags stay far below, this is the backstop. */
function clampMs(ms: number): number {
  return Number.isFinite(ms) && ms >= 1 ? Math.min(ms, 24 * 3600 * 1000) : DEFAULT_RESPONSE_LIMITS.deadlineMs;
}

export function validateBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ModelError('bad-request', `The base URL "${redactedUrl(baseUrl)}" is not a valid URL; expected something like http://localhost:11434/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ModelError('bad-request', `The base URL "${redactedUrl(baseUrl)}" must start with http:// or https://`);
  }
  // fetch refuses URLs with credentials, so such a server could never be reached; say where a key goes instead.
  if (url.username || url.password) {
    throw new ModelError('bad-request', `The base URL "${redactedUrl(baseUrl)}" holds a user name or password, which cannot be sent that way; give the key with --api-key or OPENAI_API_KEY (VS Code: Thoughtscope: Set API Key)`);
  }
}

/**
 * A server URL as a cache identity: normalised, without a trailing slash. It holds no credentials:
 * validateBaseUrl, which runs first, refuses a user name or password in the URL.
 */
function serverIdentity(baseUrl: string): string {
  return new URL(baseUrl).toString().replace(/\/+$/, '');
}
