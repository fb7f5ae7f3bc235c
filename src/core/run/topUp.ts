// n choices from servers that may ignore `n`: one request where the server honours it, else the
// missing choices as parallel single-choice requests (remembered per model, so later calls go
// straight to parallel requests).
import type { ChatModel, ChatRequest, ChatResponse } from '../model/types';

export type SendOne = (request: ChatRequest) => Promise<ChatResponse>;

export async function sendWithTopUp(request: ChatRequest, model: ChatModel, send: SendOne, ignoresN: Set<ChatModel>, note: (message: string) => void): Promise<ChatResponse> {
  const wanted = request.n ?? 1;
  const single = (i: number) => send({ ...request, n: 1, cacheSalt: `${request.cacheSalt ?? ''}#${i}` });
  if (wanted > 1 && ignoresN.has(model)) return mergeResponses(await Promise.all(Array.from({ length: wanted }, (_, i) => single(i))));
  const first = await send(request);
  if (first.choices.length >= wanted) return first;
  ignoresN.add(model);
  note(`${model.model}: server returned ${first.choices.length} of ${wanted} choices; sending the rest as separate requests`);
  const rest = await Promise.all(Array.from({ length: wanted - first.choices.length }, (_, i) => single(i + 1)));
  return mergeResponses([first, ...rest]);
}

export function mergeResponses(parts: ChatResponse[]): ChatResponse {
  const notes = parts.flatMap((p) => p.notes ?? []);
  return {
    choices: parts.flatMap((p) => p.choices),
    usage: {
      promptTokens: parts.reduce((s, p) => s + p.usage.promptTokens, 0),
      completionTokens: parts.reduce((s, p) => s + p.usage.completionTokens, 0),
      estimated: parts.some((p) => p.usage.estimated),
    },
    usageSource: parts.some((p) => p.usageSource === 'estimated') ? 'estimated' : parts[0].usageSource,
    model: parts[0].model,
    latencyMs: Math.max(...parts.map((p) => p.latencyMs)),
    requests: parts.reduce((s, p) => s + p.requests, 0),
    ...(notes.length ? { notes } : {}),
  };
}
