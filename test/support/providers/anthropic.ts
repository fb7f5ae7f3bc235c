// Anthropic's OpenAI SDK compatibility endpoint (https://api.anthropic.com/v1/), as documented at
// https://docs.anthropic.com/en/api/openai-sdk : `n` must be exactly 1 (choices[] always has one
// entry); seed, reasoning_effort, logprobs and the penalties are ignored without an error; temperature
// is taken from 0 to 1 and capped at 1 above that; stop sequences work. Errors use Anthropic's shape,
// { "type": "error", "error": { "type": "invalid_request_error", "message" } }.
import { completion, promptText, tokens, type ProviderHandler } from './harness';

export function anthropicHandler(options: { answer: (prompt: string) => string }): ProviderHandler {
  return (req) => {
    if (req.body.n !== undefined && req.body.n !== 1) {
      return { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'n: this endpoint only supports n = 1; the value must be exactly 1' } } };
    }
    const prompt = promptText(req.body);
    const text = options.answer(prompt);
    return completion(req.body.model, [{ content: text }], { prompt_tokens: tokens(prompt), completion_tokens: tokens(text), total_tokens: tokens(prompt) + tokens(text) });
  };
}
