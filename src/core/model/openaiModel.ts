// The chat model over any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's /openai/v1, Ollama,
// vLLM, LM Studio) through the official `openai` SDK. Retries are ours (see run/retry.ts), so the
// SDK's own are off; errors become ModelErrors with a message a person can act on.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { estimatePromptTokens, estimateTextTokens } from './tokens';
import { ModelError, type CallOptions, type ChatModel, type ChatRequest, type ChatResponse, type EmbeddingModel, type EmbeddingResponse, type ToolCall } from './types';

export interface OpenAIModelConfig {
  baseUrl: string;
  model: string;
  /** Local servers need none; the SDK still wants a string. */
  apiKey?: string;
  /** Per-request timeout; a hung server fails with a timeout error (retried). */
  timeoutMs?: number;
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
  private readonly client: OpenAI;
  private readonly config: OpenAIModelConfig;

  constructor(config: OpenAIModelConfig) {
    validateBaseUrl(config.baseUrl);
    if (!config.model.trim()) throw new ModelError('bad-request', 'No model name is set: set thoughtscope.model or pass --model');
    this.config = config;
    this.model = config.model;
    this.cacheIdentity = `${serverIdentity(config.baseUrl)} ${config.model}`;
    this.client = new OpenAI({
      baseURL: config.baseUrl,
      apiKey: config.apiKey || NO_KEY_PLACEHOLDER,
      maxRetries: 0,
      timeout: config.timeoutMs ?? 120_000,
      defaultHeaders: config.headers,
      dangerouslyAllowBrowser: false,
    });
  }

  async complete(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    const started = performance.now();
    const body = {
      model: this.model,
      messages: request.messages,
      temperature: request.temperature,
      n: request.n && request.n > 1 ? request.n : undefined,
      stop: request.stop && request.stop.length > 0 ? request.stop : undefined,
      max_tokens: request.maxTokens,
      tools: request.tools?.length ? request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })) : undefined,
    };
    try {
      // Tool calls arrive whole only without streaming, so requests offering tools are not streamed.
      const result = this.config.stream && !request.tools?.length ? await this.completeStreaming(body, options) : await this.completeOnce(body, options);
      const latencyMs = performance.now() - started;
      const calls = (result as { toolCalls?: ToolCall[] }).toolCalls;
      const toolCalls: { toolCalls?: ToolCall[] } = calls?.length ? { toolCalls: calls } : {};
      if (result.usage) {
        return { choices: result.choices, usage: { ...result.usage, estimated: false }, usageSource: 'reported', model: result.model, latencyMs, requests: 1, ...toolCalls };
      }
      // No usage from this server: count with a real tokenizer and say so.
      const promptTokens = estimatePromptTokens(request.messages);
      const completionTokens = result.choices.reduce((sum, c) => sum + estimateTextTokens(c), 0);
      return { choices: result.choices, usage: { promptTokens, completionTokens, estimated: true }, usageSource: 'estimated', model: result.model, latencyMs, requests: 1, ...toolCalls };
    } catch (err) {
      throw this.toModelError(err, options.signal);
    }
  }

  private async completeOnce(body: OpenAI.ChatCompletionCreateParamsNonStreaming, options: CallOptions) {
    const completion = await this.client.chat.completions.create(body, { signal: options.signal });
    if (!completion || !Array.isArray(completion.choices)) {
      throw new ModelError('bad-response', `${this.where()} answered without choices: is this an OpenAI-compatible /chat/completions endpoint?`);
    }
    const sorted = [...completion.choices].sort((a, b) => a.index - b.index);
    const choices = sorted.map((c) => c.message?.content ?? '');
    const u = completion.usage;
    const usage = u && typeof u.prompt_tokens === 'number' ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens ?? 0 } : undefined;
    return { choices, usage, model: completion.model || this.model, toolCalls: toolCallsOf(sorted[0]?.message) };
  }

  private async completeStreaming(body: OpenAI.ChatCompletionCreateParamsNonStreaming, options: CallOptions) {
    const stream = await this.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: options.signal });
    const texts: string[] = [];
    let usage: { promptTokens: number; completionTokens: number } | undefined;
    let model = this.model;
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      for (const choice of chunk.choices ?? []) {
        texts[choice.index] = (texts[choice.index] ?? '') + (choice.delta?.content ?? '');
        if (choice.index === 0) options.onText?.(texts[0]);
      }
      if (chunk.usage && typeof chunk.usage.prompt_tokens === 'number') {
        usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens ?? 0 };
      }
    }
    return { choices: Array.from(texts, (t) => t ?? ''), usage, model };
  }

  /** An embeddings model on the same server, with the same key and headers (rag's re-ranking). */
  embeddingModel(model: string): EmbeddingModel {
    if (!model.trim()) throw new ModelError('bad-request', 'No embeddings model name is set');
    const name = model.trim();
    return { model: name, cacheKey: `${this.config.baseUrl} ${name}`, embed: (inputs, options) => this.embed(name, inputs, options) };
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
      const reported = result.usage && typeof result.usage.prompt_tokens === 'number' ? result.usage.prompt_tokens : undefined;
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
    return `the server at ${this.config.baseUrl}`;
  }

  private toModelError(err: unknown, signal?: AbortSignal): ModelError {
    if (err instanceof ModelError) return err;
    if (err instanceof APIUserAbortError || signal?.aborted) return new ModelError('cancelled', 'The request was cancelled');
    if (err instanceof APIConnectionTimeoutError) {
      return new ModelError('timeout', `${this.where()} did not answer within ${Math.round((this.config.timeoutMs ?? 120_000) / 1000)} s`);
    }
    if (err instanceof APIConnectionError) {
      return new ModelError('unreachable', `Cannot reach ${this.where()}: check the base URL and that the server is running`);
    }
    if (err instanceof APIError) {
      const status = err.status;
      const detail = serverDetail(err);
      if (status === 401 || status === 403) {
        return new ModelError('auth', `${this.where()} rejected the API key (HTTP ${status})${detail}: set it with "Thoughtscope: Set API Key" or OPENAI_API_KEY`, status);
      }
      if (status === 404) return new ModelError('not-found', `Model "${this.model}" was not found at ${this.config.baseUrl} (HTTP 404)${detail}`, status);
      if (status === 429) return new ModelError('rate-limit', `${this.where()} is rate limiting requests (HTTP 429)${detail}`, status, retryAfterMs(err.headers));
      if (status !== undefined && status >= 500) return new ModelError('server', `${this.where()} failed (HTTP ${status})${detail}`, status, retryAfterMs(err.headers));
      if (status !== undefined) return new ModelError('bad-request', `${this.where()} refused the request (HTTP ${status})${detail}`, status);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof SyntaxError) return new ModelError('bad-response', `${this.where()} sent a response that is not valid JSON (${message})`);
    return new ModelError('bad-response', `Unexpected response from ${this.where()}: ${message}`);
  }
}

/** The function calls of one message (streamed responses carry none: tool callers do not stream). */
function toolCallsOf(message: OpenAI.ChatCompletionMessage | undefined): ToolCall[] | undefined {
  const calls = message?.tool_calls;
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.flatMap((c, i) => (c.type === 'function' && c.function ? [{ id: c.id || `call_${i}`, name: String(c.function.name ?? ''), arguments: String(c.function.arguments ?? '') }] : []));
}

function serverDetail(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  const msg = body && typeof body.message === 'string' ? body.message : '';
  return msg ? ` — ${msg.slice(0, 200)}` : '';
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

export function validateBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ModelError('bad-request', `The base URL "${baseUrl}" is not a valid URL; expected something like http://localhost:11434/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ModelError('bad-request', `The base URL "${baseUrl}" must start with http:// or https://`);
  }
}

/** A server URL as a cache identity: user info (a password in the URL) and a trailing slash removed. */
function serverIdentity(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return baseUrl.replace(/\/+$/, '');
  }
}
