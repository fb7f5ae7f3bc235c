// The server's `usage` is data from the network: it is summed into totals and checked against budgets,
// so a negative, fractional, non-numeric or absurd count must never be added. Such usage is refused
// (the call's usage is then estimated with the tokenizer and marked so), with the reason.

/** More tokens than any model's context in one request: a count above this is not believed. */
export const MAX_TOKENS_PER_REQUEST = 10_000_000;

export type ReportedUsage =
  | { kind: 'reported'; promptTokens: number; completionTokens: number; cachedPromptTokens: number; reasoningTokens: number }
  | { kind: 'none' }
  | { kind: 'refused'; reason: string };

function checkCount(name: string, value: unknown): string | undefined {
  if (typeof value !== 'number') return `${name} is ${JSON.stringify(value) ?? String(value)}, not a number`;
  if (!Number.isInteger(value) || value < 0) return `${name} is ${value}, not a whole number >= 0`;
  if (value > MAX_TOKENS_PER_REQUEST) return `${name} is ${value}, more than ${MAX_TOKENS_PER_REQUEST} tokens in one request`;
  return undefined;
}

interface RawUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  /** OpenAI (and most servers copying it): prompt tokens served from the prompt cache. */
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  /** DeepSeek's own name for the same count. */
  prompt_cache_hit_tokens?: unknown;
  /** Reasoning models: output tokens spent thinking (part of completion_tokens). */
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
}

/**
 * `usage` of a completion or of a stream's last chunk. A missing completion count is 0, as servers omit
 * it for empty replies. The cached and reasoning counts are parts of the prompt and completion counts:
 * a part larger than its whole is refused with the rest.
 */
export function readUsage(raw: unknown): ReportedUsage {
  if (raw === undefined || raw === null) return { kind: 'none' };
  if (typeof raw !== 'object') return { kind: 'refused', reason: `usage is ${JSON.stringify(raw)}, not an object` };
  const u = raw as RawUsage;
  if (u.prompt_tokens === undefined) return { kind: 'none' };
  const completion = u.completion_tokens ?? 0;
  const cachedName = u.prompt_tokens_details?.cached_tokens !== undefined ? 'prompt_tokens_details.cached_tokens' : 'prompt_cache_hit_tokens';
  const cached = u.prompt_tokens_details?.cached_tokens ?? u.prompt_cache_hit_tokens ?? 0;
  const reasoning = u.completion_tokens_details?.reasoning_tokens ?? 0;
  const problem =
    checkCount('prompt_tokens', u.prompt_tokens) ??
    checkCount('completion_tokens', completion) ??
    checkCount(cachedName, cached) ??
    checkCount('completion_tokens_details.reasoning_tokens', reasoning) ??
    checkPart(cachedName, cached as number, 'prompt_tokens', u.prompt_tokens as number) ??
    checkPart('completion_tokens_details.reasoning_tokens', reasoning as number, 'completion_tokens', completion as number);
  if (problem) return { kind: 'refused', reason: problem };
  return { kind: 'reported', promptTokens: u.prompt_tokens as number, completionTokens: completion as number, cachedPromptTokens: cached as number, reasoningTokens: reasoning as number };
}

function checkPart(name: string, part: number, wholeName: string, whole: number): string | undefined {
  return part > whole ? `${name} is ${part}, more than ${wholeName} (${whole})` : undefined;
}
