// Ollama's OpenAI-compatible endpoint (/v1/chat/completions), as documented:
//  - https://docs.ollama.com/api/openai-compatibility : reasoning_effort is taken for thinking models;
//    seed, stop, temperature, top_p, max_tokens are taken; usage has prompt and completion tokens only.
//  - https://docs.ollama.com/capabilities/thinking : a thinking model's trace comes apart from the
//    answer; on the OpenAI-compatible endpoint in the message's (and each delta's) `reasoning` field.
//    Asking a model without thinking to think is refused: HTTP 400 '"llama3.2" does not support
//    thinking' in an OpenAI-style error body.
//  - a model whose template leaves the trace in the text (as deepseek-r1 builds without a thinking
//    parser do) writes `<think>…</think>` at the start of the content.
import { chunks, completion, openAIError, promptText, tokens, type ProviderHandler } from './harness';

export interface OllamaModel {
  /** thinking: trace in `reasoning`; tags: trace as <think> in the content; none: no thinking. */
  thinking: 'field' | 'tags' | 'none';
  reasoning: string;
  answer: string;
}

export function ollamaHandler(models: Record<string, OllamaModel>): ProviderHandler {
  return (req) => {
    const model = models[req.body.model];
    if (!model) return openAIError(404, `model "${req.body.model}" not found, try pulling it first`, null, null);
    if (req.body.reasoning_effort !== undefined && req.body.reasoning_effort !== 'none' && model.thinking === 'none') {
      return openAIError(400, `"${req.body.model}" does not support thinking`);
    }
    const prompt = promptText(req.body);
    const content = model.thinking === 'tags' ? `<think>\n${model.reasoning}\n</think>\n\n${model.answer}` : model.answer;
    const usage = { prompt_tokens: tokens(prompt), completion_tokens: tokens(content) + (model.thinking === 'field' ? tokens(model.reasoning) : 0) };
    const reasoning = model.thinking === 'field' ? { reasoning: model.reasoning } : {};
    if (req.body.stream) {
      // Thinking streams first, then the answer, in small pieces.
      const pieces = (text: string) => text.match(/.{1,12}/gs) ?? [];
      const deltas = [
        { role: 'assistant', content: '' },
        ...(model.thinking === 'field' ? pieces(model.reasoning).map((r) => ({ content: '', reasoning: r })) : []),
        ...pieces(content).map((c) => ({ content: c })),
      ];
      return { stream: chunks(req.body.model, deltas, req.body.stream_options?.include_usage ? { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } : undefined) };
    }
    return completion(req.body.model, [{ content, ...reasoning }], { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens });
  };
}
