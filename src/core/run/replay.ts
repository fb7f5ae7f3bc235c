// The run's stage for the cache across runs (diskCache.ts): answer a request from disk, or send it and
// keep its answer. A replayed answer is marked (`ChatResponse.replayed`) so the run records it as a
// cached call that costs $0 now, with what it cost when it was sent; `admit` lets the run count it
// against its limits as a call before it is used.
import type { ChatModel, ChatRequest, ChatResponse } from '../model/types';
import { diskCacheKey, type DiskCache } from './diskCache';

export interface ReplayStage {
  /** Send the request (the run's usual path: slots, budget, retries, top-up). */
  send(): Promise<ChatResponse>;
  /** Count a replayed answer as a call; rejects when the run may make no more calls. */
  admit(response: ChatResponse): Promise<void>;
  /** What a sent answer cost, to store beside it. */
  costOf(response: ChatResponse): number | null;
}

/** `request` is keyed as it goes out (with the run's effort and seed), so runs with other settings never share answers. */
export async function replayOrSend(cache: DiskCache, model: ChatModel, request: ChatRequest, stage: ReplayStage): Promise<ChatResponse> {
  // A model without an identity (a test double, a provider that gives none) is never cached across runs.
  if (!model.cacheIdentity) return stage.send();
  const key = diskCacheKey(model.cacheIdentity, request);
  const stored = await cache.get(key);
  if (stored) {
    const response: ChatResponse = {
      ...stored.response,
      replayed: { storedAt: new Date(stored.storedAt).toISOString(), costUsd: stored.costUsd, usage: { ...stored.response.usage } },
    };
    await stage.admit(response);
    return response;
  }
  const response = await stage.send();
  await cache.put(key, response, stage.costOf(response));
  return response;
}
