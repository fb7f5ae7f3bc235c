// The chat-model interface every provider implements. No vscode import: the CLI and tests use it too.
import type { ReplayedFrom, TokenUsage, UsageSource } from '../graph/types';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  /** Number of choices wanted. Providers that ignore `n` are topped up with extra calls. */
  n?: number;
  stop?: string[];
  maxTokens?: number;
  /**
   * Distinguishes deliberate repeats of the same request (independent samples) so the run cache
   * does not collapse them. Requests with equal messages, settings and salt are sent once per run.
   */
  cacheSalt?: string | number;
  /**
   * Functions the model may call (OpenAI `tools`). Servers without function calling refuse the
   * request (HTTP 400); callers then fall back to a text protocol of their own.
   */
  tools?: ToolSpec[];
  /** Nucleus sampling; reasoning models refuse it. */
  topP?: number;
  /** How long a reasoning model thinks (OpenAI `reasoning_effort`); other servers ignore or refuse it. */
  reasoningEffort?: ReasoningEffort;
  /** Sampling seed, for servers that honour it (the run derives one per request from its own). */
  seed?: number;
  /** The field `maxTokens` is sent as: reasoning models want `max_completion_tokens` (default `max_tokens`). */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
}

export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** Request fields a server may refuse, by their wire names. */
export type WireParam = 'temperature' | 'top_p' | 'stop' | 'max_tokens' | 'reasoning_effort' | 'seed' | 'n';

/** A parameter the request did not carry to the server (the server refuses or ignores it), and what that means. */
export interface DroppedParam {
  param: WireParam;
  /** The value that was not sent. */
  value: unknown;
  /** One line for the run: "temperature not supported by o4-mini: sampled at the model's default". */
  note: string;
}

/** What a server's rate-limit headers said (x-ratelimit-*, Retry-After). */
export interface RateLimitInfo {
  limitRequests?: number;
  remainingRequests?: number;
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
  retryAfterMs?: number;
}

/** One function offered to the model; `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A function call the model asked for. `arguments` is the raw JSON text the model wrote (untrusted). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatResponse {
  choices: string[];
  usage: TokenUsage;
  usageSource: UsageSource;
  model: string;
  latencyMs: number;
  /** How many HTTP requests it took (top-ups for servers that ignore n). */
  requests: number;
  /** Function calls of the first choice, when the request offered `tools` and the model called some. */
  toolCalls?: ToolCall[];
  /** What was refused or cut from the server's answer (usage not believed, text over the size cap). */
  notes?: string[];
  /**
   * The reasoning the server returned per choice, apart from the answer (`reasoning_content`,
   * `reasoning`, or `<think>…</think>` in the content); '' for a choice without any.
   */
  reasoning?: string[];
  /** Parameters of the request that were not sent (see run/paramFit.ts). */
  droppedParams?: DroppedParam[];
  /** The server's rate-limit headers, when it sent any. */
  rateLimit?: RateLimitInfo;
  /** Set by the run when the answer came from the cache across runs (run/replay.ts), never by a model. */
  replayed?: ReplayedFrom;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Called with streamed text as it arrives (first choice only): the answer so far and the reasoning so far. */
  onText?: (textSoFar: string, reasoningSoFar?: string) => void;
}

export interface ChatModel {
  /** Provider name for display, e.g. "openai-compatible". */
  readonly provider: string;
  /** Model name as sent to the server and used for pricing. */
  readonly model: string;
  /**
   * Who answers, for the cache across runs: the server (without credentials) and the model name.
   * Models without one are never answered from that cache.
   */
  readonly cacheIdentity?: string;
  /** Where the model is served (a base URL): what a server refuses, and its rate limits, are remembered per server and model. */
  readonly server?: string;
  complete(request: ChatRequest, options?: CallOptions): Promise<ChatResponse>;
  /** An embeddings model of the same server, for providers that have an embeddings endpoint. */
  embeddingModel?(model: string): EmbeddingModel;
}

export type ModelErrorKind =
  | 'unreachable'
  | 'auth'
  | 'not-found'
  | 'rate-limit'
  | 'server'
  | 'bad-request'
  | 'bad-response'
  | 'timeout'
  | 'cancelled';

/** A model failure with a message fit to show a person (no stack trace needed). */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
    /** Seconds the server asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }

  /** What a streamed answer had delivered when it was cancelled: kept and counted, since it was paid for. */
  partial?: PartialAnswer;
  /** The server's rate-limit headers on this error (a 429). */
  rateLimit?: RateLimitInfo;

  get retryable(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'server' || this.kind === 'timeout';
  }
}

/** A 400 that names a request parameter the server does not take (see model/wireParams.ts). */
export class UnsupportedParamError extends ModelError {
  constructor(
    readonly param: WireParam,
    message: string,
    status?: number,
  ) {
    super('bad-request', message, status);
    this.name = 'UnsupportedParamError';
  }
}

/** The text and tokens of a streamed answer cut short by a cancel. */
export interface PartialAnswer {
  text: string;
  reasoning: string;
  usage: TokenUsage;
  latencyMs: number;
}

export interface EmbeddingResponse {
  /** One vector per input, in input order. */
  vectors: number[][];
  /** Embeddings have input tokens only (completionTokens is 0). */
  usage: TokenUsage;
  usageSource: UsageSource;
  model: string;
  latencyMs: number;
}

/** An embeddings endpoint (OpenAI `/embeddings`), used by rag to re-rank retrieved chunks. */
export interface EmbeddingModel {
  /** The embeddings model name as sent to the server and used for pricing. */
  readonly model: string;
  /** Server and model: vectors cached under one key never mix with another server's. */
  readonly cacheKey: string;
  embed(inputs: string[], options?: CallOptions): Promise<EmbeddingResponse>;
}
