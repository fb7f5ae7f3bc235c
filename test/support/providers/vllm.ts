// vLLM's OpenAI-compatible server with a reasoning parser, as documented at
// https://docs.vllm.ai/en/latest/features/reasoning_outputs.html : the reasoning comes in its own
// field beside `content` (`reasoning_content`; newer releases also `reasoning`), and while streaming
// in each delta's field of the same name. vLLM samples `n` choices and honours `seed`: the same
// seed and prompt give the same text (this fake picks its answer from the seed for that reason).
import { chunks, completion, promptText, tokens, type ProviderHandler, type ProviderRequest } from './harness';

export interface VllmOptions {
  /** The answer and the reasoning of choice `i` of a request. */
  write: (req: ProviderRequest, i: number) => { reasoning: string; answer: string };
}

export function vllmHandler(options: VllmOptions): ProviderHandler {
  return (req) => {
    const prompt = promptText(req.body);
    const n = req.body.n ?? 1;
    const written = Array.from({ length: n }, (_, i) => options.write(req, i));
    const completionTokens = written.reduce((s, w) => s + tokens(w.answer) + tokens(w.reasoning), 0);
    const usage = { prompt_tokens: tokens(prompt), completion_tokens: completionTokens, total_tokens: tokens(prompt) + completionTokens };
    if (req.body.stream) {
      const w = written[0];
      return { stream: chunks(req.body.model, [{ role: 'assistant', reasoning_content: w.reasoning }, { content: w.answer }], req.body.stream_options?.include_usage ? usage : undefined) };
    }
    return completion(req.body.model, written.map((w) => ({ content: w.answer, reasoning_content: w.reasoning })), usage);
  };
}
