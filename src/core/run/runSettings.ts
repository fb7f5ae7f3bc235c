// Stage: the run's own settings on every request it sends: the reasoning effort (a request's own wins)
// and the seed. Each request gets a seed derived from the run's seed and the request's cacheSalt, so a
// run is reproducible call for call on a server that honours seeds, while deliberate repeats (samples
// told apart by their salt, top-ups of n) still differ: one seed for all of them would make a
// seed-honouring server return the same text every time.
import type { ChatRequest, ReasoningEffort } from '../model/types';

export interface RunSettings {
  reasoningEffort?: ReasoningEffort;
  seed?: number;
}

export function withRunSettings(request: ChatRequest, settings: RunSettings): ChatRequest {
  const effort = request.reasoningEffort ?? settings.reasoningEffort;
  const seed = request.seed ?? (settings.seed === undefined ? undefined : requestSeed(settings.seed, request.cacheSalt));
  if (effort === request.reasoningEffort && seed === request.seed) return request;
  return { ...request, ...(effort !== undefined ? { reasoningEffort: effort } : {}), ...(seed !== undefined ? { seed } : {}) };
}

/** The run's seed itself for a request without a salt; otherwise a 31-bit mix of seed and salt (FNV-1a). */
export function requestSeed(seed: number, salt: string | number | undefined): number {
  if (salt === undefined || salt === '') return seed;
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const ch of `${salt}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}
