// Plain data types of the thought graph. Shared by the engine, the CLI trace, and the webview.
import type { TemplateUse } from '../templates/types';

export type NodeKind =
  | 'question'
  | 'thought'
  | 'answer'
  | 'critique'
  | 'vote'
  | 'evaluation'
  | 'example'
  | 'program'
  | 'execution'
  /** A retrieved piece of a workspace file (meta: file, startLine, endLine). */
  | 'chunk'
  /** A tool catalog level: a category or a tool (AnyTool). */
  | 'tool'
  /** An agent's memory entries and plan (team). */
  | 'observation'
  | 'reflection'
  | 'plan';

export type NodeStatus = 'pending' | 'running' | 'done' | 'selected' | 'pruned' | 'failed' | 'cancelled';

/** `backtrack`: a search gave up on a branch and resumed from an earlier node (AoT's written search). */
export type EdgeKind = 'expand' | 'evaluate' | 'aggregate' | 'refine' | 'select' | 'answer' | 'backtrack';

/** Where a token count came from: the API's `usage`, a local tokenizer, or a provider's counter. */
export type UsageSource = 'reported' | 'estimated' | 'counted';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when any part of the count did not come from the server's `usage`. */
  estimated: boolean;
  /** Of promptTokens, those the server answered from its prompt cache (priced at the cached rate). */
  cachedPromptTokens?: number;
  /** Of completionTokens, those a reasoning model spent thinking (billed as output). */
  reasoningTokens?: number;
}

/** One model call, attributed to the node whose work it was (expanding it, evaluating it, answering it). */
export interface CallRecord {
  /** What the call did for the node, e.g. "propose", "value", "answer". */
  role: string;
  model: string;
  prompt: string;
  /** Every choice returned (n may be > 1). */
  responses: string[];
  usage: TokenUsage;
  usageSource: UsageSource;
  /** USD, or null when the model's price is unknown. */
  costUsd: number | null;
  latencyMs: number;
  /** True when the answer came from a cache (the run's, or across runs): nothing was sent. */
  cached: boolean;
  /** Set when the answer came from the cache across runs: when it was first sent, what it used and cost then. */
  replayed?: ReplayedFrom;
  error?: string;
  /** What was refused or cut from the server's answer (usage not believed, text over the size cap). */
  notes?: string[];
  /** Request parameters not sent to this model (refused or ignored by it), with what that means. */
  droppedParams?: Array<{ param: string; value: unknown; note: string }>;
  /** The reasoning the server returned per response, kept apart from the answer ('' where none). */
  reasoning?: string[];
  /** The reasoning effort the call asked for. */
  reasoningEffort?: string;
  /** The seed sent with the call. */
  seed?: number;
  /** The templates the prompt was rendered from (the first made the prompt; any others were parts of it). */
  templates?: TemplateUse[];
}

/** Where a replayed answer came from: when it was first sent, and what it used and cost then. */
export interface ReplayedFrom {
  /** ISO time the request was sent. */
  storedAt: string;
  costUsd: number | null;
  usage: TokenUsage;
}

export interface ThoughtNode {
  id: string;
  kind: NodeKind;
  text: string;
  status: NodeStatus;
  score?: number;
  /** Models that did work for this node. */
  model?: string;
  /** The last call's prompt and first response, for quick display; the full list is `calls`. */
  prompt?: string;
  response?: string;
  calls: CallRecord[];
  /** Sum over `calls`. */
  usage: TokenUsage;
  /** Sum over `calls`; null when any call's price is unknown. */
  costUsd: number | null;
  /** Sum of call latencies. */
  latencyMs: number;
  error?: string;
  /** Text streaming in for a call in flight on this node (cleared when the call ends). */
  live?: string;
  /** Technique-specific extras (e.g. the ToT step, the remaining numbers). */
  meta?: Record<string, string | number | boolean>;
}

export interface ThoughtEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

export interface RunTotals {
  /** Requests sent. */
  calls: number;
  /** Calls answered from a cache (the run's or the one across runs); nothing was sent. */
  cachedCalls: number;
  /**
   * Of those, the calls answered from the cache across runs, and what they used and cost when they were
   * first sent (costUsd null: some price was unknown). They cost nothing now.
   */
  replayed?: ReplayedTotals;
  promptTokens: number;
  completionTokens: number;
  /** True when any count is estimated. */
  estimated: boolean;
  /** Of promptTokens, those answered from the server's prompt cache. */
  cachedPromptTokens?: number;
  /** Of completionTokens, those spent reasoning. */
  reasoningTokens?: number;
  /** null when any call's price is unknown. */
  costUsd: number | null;
  wallMs: number;
}

export interface ReplayedTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
}

export type RunOutcome = 'done' | 'cancelled' | 'failed' | 'budget';

export interface RunSummary {
  outcome: RunOutcome;
  answer?: string;
  answerNodeId?: string;
  /** Voting techniques: the answer's share of the votes (0..1). */
  confidence?: number;
  message?: string;
  /** What changed how the run sampled, once per kind ("temperature not supported by o4-mini: …"). */
  notes?: string[];
  totals: RunTotals;
}

export type GraphEvent =
  | { type: 'nodeAdded'; node: ThoughtNode; parents: ThoughtEdge[] }
  | { type: 'nodeUpdated'; node: ThoughtNode }
  | { type: 'edgeAdded'; edge: ThoughtEdge }
  | { type: 'runFinished'; summary: RunSummary };

export interface GraphSnapshot {
  nodes: ThoughtNode[];
  edges: ThoughtEdge[];
}
