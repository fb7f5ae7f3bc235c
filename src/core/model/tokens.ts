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

export function estimateTextTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text);
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = TOKENS_PER_REPLY_PRIMER;
  for (const m of messages) total += TOKENS_PER_MESSAGE + estimateTextTokens(m.role) + estimateTextTokens(m.content);
  return total;
}
