// Token estimates for servers that report no `usage`: a real BPE tokenizer (o200k, the GPT-4o family's),
// plus the small per-message framing the chat format adds. Marked as estimated wherever it is used.
// The tokenizer is loaded on first use: its BPE tables are most of the extension bundle's size and load
// time, and a server that reports usage never needs them. The extension ships it as a bundle of its own
// (o200k.ts), so that bundle is not even read until then.
import type { ChatMessage } from './types';

type TokenCounter = (text: string) => number;
let counter: TokenCounter | undefined;

function countTokens(text: string): number {
  counter ??= (require('./o200k') as { countTokens: TokenCounter }).countTokens;
  return counter(text);
}

const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY_PRIMER = 3;

/**
 * BPE merging is quadratic in the length of a run without spaces (2 MB of "AAAA…" took minutes), so a
 * long text is counted in slices; each cut may add a token, about one per slice: still an estimate.
 */
const SLICE_CHARS = 1000;

export function estimateTextTokens(text: string): number {
  if (text.length <= SLICE_CHARS) return text.length === 0 ? 0 : countTokens(text);
  let total = 0;
  for (let i = 0; i < text.length; i += SLICE_CHARS) total += countTokens(text.slice(i, i + SLICE_CHARS));
  return total;
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = TOKENS_PER_REPLY_PRIMER;
  for (const m of messages) total += TOKENS_PER_MESSAGE + estimateTextTokens(m.role) + estimateTextTokens(m.content);
  return total;
}
