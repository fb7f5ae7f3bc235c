// A ChatModel that shares one concurrency limit between several runs: each Run has its own limiter,
// so an evaluation or comparison that runs many at once wraps the model with one shared Limiter to
// keep the total number of requests in flight within the user's limit.
import { Limiter } from '../run/limiter';
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from './types';

export function limitedModel(model: ChatModel, limiter: Limiter): ChatModel {
  return {
    provider: model.provider,
    model: model.model,
    cacheIdentity: model.cacheIdentity,
    server: model.server,
    complete: (request: ChatRequest, options?: CallOptions): Promise<ChatResponse> =>
      limiter.run(() => model.complete(request, options), options?.signal),
    // Embeddings (rag re-ranking) go through the run's own limiter; only chat calls share this one.
    embeddingModel: model.embeddingModel ? (name: string) => model.embeddingModel!(name) : undefined,
  };
}
