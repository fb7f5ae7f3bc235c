// The bodies the server sends, shaped as OpenAI's chat completion and chat completion chunk objects
// (https://platform.openai.com/docs/api-reference/chat/object and .../chat-streaming). What a run
// adds goes in one extension field, `thoughtscope`, which OpenAI clients ignore.
import type { RunSummary, RunTotals } from '../graph/types';

/** The extension field: where the run is saved, what it cost, how it ended. */
export interface RunExtension {
  run_id: string;
  technique: string;
  /** The model (or profile) the technique ran on. */
  model: string;
  outcome: RunSummary['outcome'];
  /** USD summed over every upstream call; null when a model's price is unknown. */
  cost_usd: number | null;
  calls: number;
  cached_calls: number;
  /** True when some token counts were estimated (the upstream reported no usage). */
  estimated_usage: boolean;
  wall_ms: number;
  confidence?: number;
  message?: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(totals: RunTotals): Usage {
  return { prompt_tokens: totals.promptTokens, completion_tokens: totals.completionTokens, total_tokens: totals.promptTokens + totals.completionTokens };
}

export function extensionOf(runId: string, technique: string, model: string, summary: RunSummary): RunExtension {
  const t = summary.totals;
  return {
    run_id: runId,
    technique,
    model,
    outcome: summary.outcome,
    cost_usd: t.costUsd,
    calls: t.calls,
    cached_calls: t.cachedCalls,
    estimated_usage: t.estimated,
    wall_ms: t.wallMs,
    ...(summary.confidence !== undefined ? { confidence: summary.confidence } : {}),
    ...(summary.message ? { message: summary.message } : {}),
  };
}

export interface CompletionHead {
  id: string;
  created: number;
  model: string;
}

export function completionBody(head: CompletionHead, answer: string, summary: RunSummary, extension: RunExtension) {
  return {
    id: head.id,
    object: 'chat.completion',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: usageOf(summary.totals),
    thoughtscope: extension,
  };
}

/** One `data:` event of a stream. `usage` is null on every chunk but the last when the client asked for it. */
export function chunkEvent(head: CompletionHead, choices: unknown[], extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: head.id, object: 'chat.completion.chunk', created: head.created, model: head.model, choices, ...extra })}\n\n`;
}

export function modelObject(id: string, created: number) {
  return { id, object: 'model', created, owned_by: 'thoughtscope' };
}
