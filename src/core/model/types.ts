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
  /** Set by the run when the answer came from the cache across runs (run/replay.ts), never by a model. */
  replayed?: ReplayedFrom;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Called with streamed text as it arrives (first choice only). */
  onText?: (textSoFar: string) => void;
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

  get retryable(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'server' || this.kind === 'timeout';
  }
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
