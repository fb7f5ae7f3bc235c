// The worst case a request is held at against a token or USD budget while it is in flight: its prompt
// tokens (the tokenizer's count with a margin, since servers of other model families count more) plus
// the most output it may write (its own max_tokens, or a default reserve for each choice). When the
// budget grants less, the request is sent with max_tokens lowered to the grant.
import { estimatePromptTokens, estimateTextTokens } from '../model/tokens';
import type { ChatRequest } from '../model/types';
import type { ModelPrice } from '../pricing';
import type { Ask, Grant } from './budget';

/** Output held per choice for a request that sets no max_tokens. A model that writes more is counted when it answers. */
export const DEFAULT_OUTPUT_RESERVE = 4096;
/** Other tokenizers (Llama, Mistral) count up to about a fifth more than o200k on the same text. */
const PROMPT_MARGIN = 1.25;

export function chatAsk(request: ChatRequest, model: string, price: ModelPrice | undefined, weighTokens: boolean): Ask {
  const choices = request.n ?? 1;
  const outputTokens = (request.maxTokens ?? DEFAULT_OUTPUT_RESERVE) * choices;
  if (!weighTokens) return { promptTokens: 0, outputTokens, price, model };
  const tools = request.tools?.length ? estimateTextTokens(JSON.stringify(request.tools)) : 0;
  return { promptTokens: Math.ceil((estimatePromptTokens(request.messages) + tools) * PROMPT_MARGIN), outputTokens, price, model };
}

export function embeddingAsk(inputs: readonly string[], model: string, price: ModelPrice | undefined, weighTokens: boolean): Ask {
  const promptTokens = weighTokens ? Math.ceil(inputs.reduce((sum, t) => sum + estimateTextTokens(t), 0) * PROMPT_MARGIN) : 0;
  return { promptTokens, outputTokens: 0, price, model };
}

/** The request as sent: max_tokens lowered to what the budget granted, when that is less than asked. */
export function withinGrant(request: ChatRequest, ask: Ask, grant: Grant): ChatRequest {
  if (grant.outputTokens >= ask.outputTokens) return request;
  return { ...request, maxTokens: Math.max(1, Math.floor(grant.outputTokens / (request.n ?? 1))) };
}
