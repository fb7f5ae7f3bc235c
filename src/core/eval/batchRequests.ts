// What goes into a Batch API input file and what comes back, for the single-call techniques (io, cot,
// icl, sc, cot-sc): each item's one request, found by running the technique against a model that
// records the request and stops; the JSONL lines OpenAI's Batch API (and vLLM's run-batch) read
// (https://platform.openai.com/docs/api-reference/batch/request-input); and the output and error
// lines (.../batch/request-output) read back into each item's response.
import { runTechnique } from '../engine';
import { requestBody, responseOf } from '../model/openaiModel';
import { readWholeCompletion } from '../model/readCompletion';
import { DEFAULT_RESPONSE_LIMITS } from '../model/responseGuard';
import { requestKey } from '../run/cache';
import { Run } from '../run/run';
import type { ChatModel, ChatRequest, ChatResponse } from '../model/types';
import { ModelError } from '../model/types';
import type { Task } from '../tasks/types';
import type { Technique, TechniqueHost } from '../techniques/types';
import type { EvalItem } from './types';

/** Techniques whose run is one model request, so a batch line per item answers the whole item. */
export const BATCH_TECHNIQUES: readonly string[] = ['io', 'cot', 'icl', 'sc', 'cot-sc'];

export const BATCH_ENDPOINT = '/v1/chat/completions';

/** Thrown by the recording model once it has the request: the run stops there. */
class Recorded extends Error {}

/** The one request `technique` makes for `item`, without sending anything. */
export async function collectRequest(technique: Technique, task: Task, item: EvalItem, params: Record<string, unknown>, modelName: string, host?: TechniqueHost): Promise<ChatRequest> {
  const requests: ChatRequest[] = [];
  const recorder: ChatModel = {
    provider: 'batch-recorder',
    model: modelName,
    complete: async (request) => {
      requests.push(request);
      throw new Recorded('recorded');
    },
  };
  const run = new Run({ model: recorder, retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 } });
  await runTechnique({ technique, task, input: item.input, params, run, host });
  if (requests.length !== 1) throw new RangeError(`${technique.id} made ${requests.length} model requests for item ${item.index}; --batch needs exactly one (techniques: ${BATCH_TECHNIQUES.join(', ')})`);
  return requests[0];
}

export const customIdOf = (index: number) => `item-${index}`;

/** One line of the input file: the item's request to /v1/chat/completions. */
export function inputLine(index: number, model: string, request: ChatRequest): string {
  return JSON.stringify({ custom_id: customIdOf(index), method: 'POST', url: BATCH_ENDPOINT, body: requestBody(model, request) });
}

/** What the batch did with one item: a completion, or why there is none. */
export type ItemOutcome = { index: number; completion: unknown } | { index: number; error: string };

/**
 * The items' outcomes from the output file (successes) and the error file (requests the server
 * refused, and those left undone when the batch expired or was cancelled). Lines that name no item
 * of ours are reported, not guessed at.
 */
export function readOutputLines(text: string, source: string): ItemOutcome[] {
  const outcomes: ItemOutcome[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: { custom_id?: unknown; response?: { status_code?: number; body?: unknown } | null; error?: { code?: string; message?: string } | null };
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new ModelError('bad-response', `line ${i + 1} of the batch's ${source} is not JSON`);
    }
    const match = typeof parsed.custom_id === 'string' ? /^item-(\d+)$/.exec(parsed.custom_id) : null;
    if (!match) throw new ModelError('bad-response', `line ${i + 1} of the batch's ${source} has custom_id ${JSON.stringify(parsed.custom_id)}, which is not one of Thoughtscope's`);
    const index = Number(match[1]);
    const status = parsed.response?.status_code;
    if (parsed.error) outcomes.push({ index, error: `${parsed.error.code ?? 'error'}: ${parsed.error.message ?? 'no message'}` });
    else if (status === 200) outcomes.push({ index, completion: parsed.response!.body });
    else {
      const body = parsed.response?.body as { error?: { message?: string } } | undefined;
      outcomes.push({ index, error: `HTTP ${status ?? '?'}: ${body?.error?.message ?? 'no message'}` });
    }
  }
  return outcomes;
}

/**
 * A ChatModel that answers from the batch's completions: the engine then runs each item as usual
 * (graph, accounting, traces), only the answers were computed earlier. Requests are matched by the
 * same key the run cache uses; two equal requests (a dataset with a duplicate) take one each.
 */
export function replayModel(model: string, answers: ReadonlyArray<{ request: ChatRequest; completion: unknown }>, where: string): ChatModel {
  const byKey = new Map<string, unknown[]>();
  const keyOf = (request: ChatRequest) => requestKey(model, request);
  for (const { request, completion } of answers) {
    const key = keyOf(request);
    byKey.set(key, [...(byKey.get(key) ?? []), completion]);
  }
  return {
    provider: 'batch',
    model,
    async complete(request): Promise<ChatResponse> {
      const completion = byKey.get(keyOf(request))?.shift();
      if (completion === undefined) throw new ModelError('bad-response', `the batch has no answer for this request (it asked for ${request.n ?? 1} choices; did ${where} return fewer?)`);
      return responseOf(readWholeCompletion(completion, request.n ?? 1, where), request, 0, model, DEFAULT_RESPONSE_LIMITS.maxTextChars);
    },
  };
}
