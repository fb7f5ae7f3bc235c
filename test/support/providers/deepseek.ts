// DeepSeek's API, as documented:
//  - https://api-docs.deepseek.com/guides/reasoning_model : deepseek-reasoner returns its chain of
//    thought in `reasoning_content` beside `content`; temperature, top_p, presence_penalty and
//    frequency_penalty are accepted but have no effect; logprobs and top_logprobs are refused (400).
//  - https://api-docs.deepseek.com/guides/kv_cache : a request whose prefix repeats an earlier one
//    reads it from the cache; usage reports prompt_cache_hit_tokens and prompt_cache_miss_tokens
//    (hit + miss = prompt_tokens), and completion_tokens_details.reasoning_tokens.
import { completion, openAIError, promptText, tokens, type ProviderHandler } from './harness';

export interface DeepSeekOptions {
  reasoning: string;
  answer: string;
}

export function deepSeekHandler(options: DeepSeekOptions): ProviderHandler {
  const seen: string[] = [];
  return (req) => {
    if (req.body.logprobs !== undefined || req.body.top_logprobs !== undefined) return openAIError(400, 'deepseek-reasoner does not support logprobs', 'logprobs');
    const prompt = promptText(req.body);
    // The cache works in units of 64 tokens of a repeated prefix.
    let prefix = 0;
    for (const earlier of seen) {
      let i = 0;
      while (i < earlier.length && i < prompt.length && earlier[i] === prompt[i]) i++;
      prefix = Math.max(prefix, i);
    }
    seen.push(prompt);
    const hit = Math.min(tokens(prompt), Math.floor(Math.floor(prefix / 4) / 64) * 64);
    const reasoningTokens = req.body.model === 'deepseek-reasoner' ? tokens(options.reasoning) : 0;
    const completionTokens = tokens(options.answer) + reasoningTokens;
    return completion(req.body.model, [{ content: options.answer, ...(reasoningTokens ? { reasoning_content: options.reasoning } : {}) }], {
      prompt_tokens: tokens(prompt),
      completion_tokens: completionTokens,
      total_tokens: tokens(prompt) + completionTokens,
      prompt_cache_hit_tokens: hit,
      prompt_cache_miss_tokens: tokens(prompt) - hit,
      completion_tokens_details: { reasoning_tokens: reasoningTokens },
    });
  };
}
