// Token estimates for servers that report no `usage`: a real BPE tokenizer (o200k, the GPT-4o family's),
// plus the small per-message framing the chat format adds. Marked as estimated wherever it is used.
// The tokenizer is loaded on first use: its BPE tables are most of what loading the extension bundle
// costs, and a server that reports usage never needs them.
import type { ChatMessage } from './types';

type TokenCounter = (text: string) => number;
let counter: TokenCounter | undefined;

function countTokens(text: string): number {
  counter ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: TokenCounter }).countTokens;
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
