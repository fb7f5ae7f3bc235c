// Per-run request cache: an identical request (same model, messages, settings and salt) is sent once.
// The pending promise is cached, so concurrent duplicates also share one request.
import type { ChatRequest, ChatResponse } from '../model/types';

export function requestKey(model: string, req: ChatRequest): string {
  return JSON.stringify([model, req.messages, req.temperature ?? null, req.n ?? 1, req.stop ?? null, req.maxTokens ?? null, req.cacheSalt ?? null, req.tools ?? null, req.topP ?? null, req.reasoningEffort ?? null, req.seed ?? null]);
}

export class RequestCache {
  private readonly entries = new Map<string, Promise<ChatResponse>>();

  get(key: string): Promise<ChatResponse> | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: Promise<ChatResponse>): void {
    this.entries.set(key, value);
    // A failed request is not an answer: forget it so a later identical request may try again.
    value.catch(() => this.entries.delete(key));
  }

  get size(): number {
    return this.entries.size;
  }
}
