// n choices from servers that may ignore `n`: one request where the server honours it, else the
// missing choices as parallel single-choice requests (remembered per model, so later calls go
// straight to parallel requests).
import { addUsage } from '../graph/thoughtGraph';
import type { ChatModel, ChatRequest, ChatResponse, DroppedParam } from '../model/types';

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
  const reasoning = parts.some((p) => p.reasoning) ? parts.flatMap((p) => p.reasoning ?? p.choices.map(() => '')) : undefined;
  const dropped = new Map<string, DroppedParam>(parts.flatMap((p) => (p.droppedParams ?? []).map((d) => [d.param, d] as const)));
  return {
    choices: parts.flatMap((p) => p.choices),
    usage: parts.map((p) => p.usage).reduce(addUsage),
    ...(reasoning ? { reasoning } : {}),
    ...(dropped.size ? { droppedParams: [...dropped.values()] } : {}),
    usageSource: parts.some((p) => p.usageSource === 'estimated') ? 'estimated' : parts[0].usageSource,
    model: parts[0].model,
    latencyMs: Math.max(...parts.map((p) => p.latencyMs)),
    requests: parts.reduce((s, p) => s + p.requests, 0),
    ...(notes.length ? { notes } : {}),
  };
}
