// Stage: what a call leaves on its node. A call answered (or answered from the run's cache, costing
// nothing), and a call cancelled while streaming, whose text so far was paid for. Every record names
// the effort and the seed the request was sent with, the reasoning apart from the responses, and the
// parameters the model did not take.
import type { CallRecord } from '../graph/types';
import type { ChatRequest, ChatResponse, PartialAnswer } from '../model/types';
import { requestSeed, type RunSettings } from './runSettings';

/** The record's role, prompt, and the effort and seed the request went out with. */
function basics(role: string, request: ChatRequest, settings: RunSettings) {
  const effort = request.reasoningEffort ?? settings.reasoningEffort;
  const seed = request.seed ?? (settings.seed === undefined ? undefined : requestSeed(settings.seed, request.cacheSalt));
  return {
    role,
    prompt: request.messages.map((m) => (request.messages.length > 1 ? `[${m.role}]\n${m.content}` : m.content)).join('\n\n'),
    ...(effort !== undefined ? { reasoningEffort: effort } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

export function answeredCall(role: string, request: ChatRequest, settings: RunSettings, response: ChatResponse, cached: boolean, costUsd: number | null): CallRecord {
  return {
    ...basics(role, request, settings),
    model: response.model,
    responses: response.choices,
    usage: cached ? { promptTokens: 0, completionTokens: 0, estimated: false } : response.usage,
    usageSource: response.usageSource,
    costUsd: cached ? 0 : costUsd,
    latencyMs: cached ? 0 : response.latencyMs,
    cached,
    ...(response.notes?.length && !cached ? { notes: response.notes } : {}),
    ...(response.reasoning?.some((r) => r !== '') ? { reasoning: response.reasoning } : {}),
    ...(response.droppedParams?.length ? { droppedParams: response.droppedParams } : {}),
  };
}

export function partialCall(role: string, request: ChatRequest, settings: RunSettings, model: string, partial: PartialAnswer, costUsd: number | null): CallRecord {
  return {
    ...basics(role, request, settings),
    model,
    responses: [partial.text],
    ...(partial.reasoning ? { reasoning: [partial.reasoning] } : {}),
    usage: partial.usage,
    usageSource: partial.usage.estimated ? 'estimated' : 'reported',
    costUsd,
    latencyMs: partial.latencyMs,
    cached: false,
    error: 'cancelled while streaming: the text so far is kept',
  };
}
