// OpenAI's reasoning models (o-series, gpt-5 family) on /v1/chat/completions, as documented:
//  - https://platform.openai.com/docs/guides/reasoning : max_tokens is refused in favour of
//    max_completion_tokens; the reasoning tokens are billed as output and reported in
//    usage.completion_tokens_details.reasoning_tokens; reasoning_effort low / medium / high (gpt-5
//    adds minimal); sampling parameters are refused.
//  - the 400 bodies as the API sends them: { error: { message, type: "invalid_request_error",
//    param, code: "unsupported_parameter" | "unsupported_value" } }, e.g. "Unsupported value:
//    'temperature' does not support 0.7 with this model. Only the default (1) value is supported."
//  - https://platform.openai.com/docs/guides/prompt-caching : a prompt of 1024 tokens or more whose
//    prefix was seen before has that prefix cached, in steps of 128 tokens
//    (usage.prompt_tokens_details.cached_tokens).
//  - https://platform.openai.com/docs/guides/rate-limits : x-ratelimit-* headers on every answer.
import { completion, openAIError, promptText, tokens, type ProviderHandler, type ProviderReply, type ProviderRequest } from './harness';

export interface ReasoningServerOptions {
  /** What the model writes for a request. */
  answer: (req: ProviderRequest) => string;
  /** Reasoning tokens each answer spends. */
  reasoningTokens?: number;
  /** Efforts the model takes (o4-mini: low, medium, high). */
  efforts?: readonly string[];
}

/** Characters of earlier prompts' prefixes, for the prompt cache. */
function cachedPrefixTokens(seen: string[], prompt: string): number {
  let best = 0;
  for (const earlier of seen) {
    let i = 0;
    while (i < earlier.length && i < prompt.length && earlier[i] === prompt[i]) i++;
    best = Math.max(best, i);
  }
  const total = tokens(prompt);
  if (total < 1024) return 0;
  return Math.floor(Math.floor(best / 4) / 128) * 128;
}

export function refusal(body: ProviderRequest['body'], efforts: readonly string[]): ProviderReply | undefined {
  if (body.max_tokens !== undefined) return openAIError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens', 'unsupported_parameter');
  if (body.temperature !== undefined && body.temperature !== 1) return openAIError(400, `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, 'temperature', 'unsupported_value');
  if (body.top_p !== undefined) return openAIError(400, "Unsupported parameter: 'top_p' is not supported with this model.", 'top_p', 'unsupported_parameter');
  if (body.stop !== undefined) return openAIError(400, "Unsupported parameter: 'stop' is not supported with this model.", 'stop', 'unsupported_parameter');
  if (body.reasoning_effort !== undefined && !efforts.includes(body.reasoning_effort)) {
    return openAIError(400, `Unsupported value: 'reasoning_effort' does not support '${body.reasoning_effort}' with this model. Supported values are: ${efforts.map((e) => `'${e}'`).join(', ')}.`, 'reasoning_effort', 'unsupported_value');
  }
  return undefined;
}

export function openAIReasoningHandler(options: ReasoningServerOptions): ProviderHandler {
  const seen: string[] = [];
  const efforts = options.efforts ?? ['low', 'medium', 'high'];
  return (req) => {
    const refused = refusal(req.body, efforts);
    if (refused) return refused;
    const prompt = promptText(req.body);
    const cached = cachedPrefixTokens(seen, prompt);
    seen.push(prompt);
    const n = req.body.n ?? 1;
    const texts = Array.from({ length: n }, () => options.answer(req));
    const reasoning = options.reasoningTokens ?? 64;
    const completionTokens = texts.reduce((s, t) => s + tokens(t) + reasoning, 0);
    const reply = completion(req.body.model, texts.map((content) => ({ content })), {
      prompt_tokens: tokens(prompt),
      completion_tokens: completionTokens,
      total_tokens: tokens(prompt) + completionTokens,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoning * n, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    return { ...reply, headers: { 'x-ratelimit-limit-requests': '5000', 'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-reset-requests': '12ms' } };
  };
}
