// `thoughtscope eval --batch`: a single-call technique over a dataset through the Batch API
// (https://platform.openai.com/docs/guides/batch): each unfinished item's one request goes into a
// JSONL file, uploaded and run as one batch by the provider; the batch is polled until it ends; its
// answers are then run through the engine as usual (evaluate() with a model that replays them), so
// the graph, traces, scoring and accounting are those of any evaluation, priced at the batch rate.
// The batch's id is kept in the checkpoint the moment it is created: a restarted evaluation
// (--resume) polls the same batch instead of paying for a second one. Nothing here changes Run.
import { createHash } from 'node:crypto';
import { Pricing } from '../pricing';
import { requestKey } from '../run/cache';
import { isAbortError } from '../run/limiter';
import { sleep } from '../run/retry';
import { resolveParams } from '../techniques/params';
import type { TechniqueHost } from '../techniques/types';
import { TERMINAL_STATUSES, type BatchClient, type BatchState } from './batchClient';
import { BATCH_TECHNIQUES, collectRequest, inputLine, readOutputLines, replayModel, type ItemOutcome } from './batchRequests';
import { openCheckpoint, type BatchRecord } from './checkpoint';
import { checkItems, evaluate, type EvalProgress, type EvaluateOptions } from './evaluate';
import { summarize } from './summary';
import { refuseExistingTraces } from './traceLog';
import type { EvalItem, EvalResults, EvalSetup } from './types';

/** Requests one batch may hold (https://platform.openai.com/docs/guides/batch). */
export const MAX_BATCH_REQUESTS = 50_000;

export interface BatchProgress {
  batchId: string;
  status: BatchState['status'];
  /** Requests the provider has finished and failed, of `total` (0 until it has validated the file). */
  completed: number;
  failed: number;
  total: number;
  /** True when this session created the batch, false when it picked up one from the checkpoint. */
  submittedNow: boolean;
}

/** onRunStart sees each item's run as its batch answer is applied (a replay: the calls took no time here). */
export interface BatchEvalOptions extends Omit<EvaluateOptions, 'concurrency' | 'maxUsd' | 'checkpoint'> {
  checkpoint: string;
  client: BatchClient;
  /** Time between two reads of the batch's status. */
  pollMs: number;
  /** The batch rate as a fraction of the price table (OpenAI: 0.5). */
  priceFactor: number;
  /** Where relative file parameters (icl's examplesFile) resolve. */
  host?: TechniqueHost;
  onBatch?: (progress: BatchProgress) => void;
  /** While the batch's answers are read in, per item (as evaluate's onItem). */
  onItem?: (item: EvalResults['items'][number], progress: EvalProgress) => void;
}

export interface BatchMeta {
  id: string;
  status: BatchState['status'];
  /** Items the batch did not answer (a refused request, expired or cancelled before it ran). */
  failedItems: Array<{ index: number; error: string }>;
}

export type BatchEvalResults = EvalResults & { meta: EvalResults['meta'] & { batch?: BatchMeta } };

export async function evaluateWithBatch(options: BatchEvalOptions): Promise<BatchEvalResults> {
  const { technique, scorer, items, client } = options;
  if (!BATCH_TECHNIQUES.includes(technique.id)) {
    throw new RangeError(`--batch runs techniques that make one request per item (${BATCH_TECHNIQUES.join(', ')}); "${technique.id}" makes more, so run it without --batch`);
  }
  const params = resolveParams(technique.params, options.params ?? {}, `technique "${technique.id}"`);
  checkItems(items, scorer);
  const started = performance.now();
  const setup: EvalSetup = { technique: technique.id, task: scorer.id, model: options.model.model, params, dataset: options.dataset ?? `${items.length} items` };
  if (options.traces) refuseExistingTraces(options.traces, options.resume ?? false);
  const checkpoint = openCheckpoint(options.checkpoint, setup, options.resume ?? false);
  const resumed = checkpoint.finished.size;
  const done = () => items.filter((item) => checkpoint.finished.has(item.index));
  const results = (extra: { stopped?: string; batch?: BatchMeta }): BatchEvalResults => {
    const finished = done().map((item) => checkpoint.finished.get(item.index)!);
    return {
      meta: { ...setup, requested: items.length, unfinished: items.length - finished.length, resumed, elapsedMs: Math.round(performance.now() - started), ...(extra.stopped ? { stopped: extra.stopped } : {}), ...(extra.batch ? { batch: extra.batch } : {}) },
      items: finished,
      summary: summarize(finished),
    };
  };
  const requestOf = (item: EvalItem) => collectRequest(technique, options.task, item, params, options.model.model, options.host);

  let record = pendingBatch(checkpoint.batches);
  const submittedNow = !record;
  if (!record) {
    const todo = items.filter((item) => !checkpoint.finished.has(item.index));
    if (todo.length === 0) return results({});
    if (todo.length > MAX_BATCH_REQUESTS) throw new RangeError(`${todo.length} items are more than one batch takes (${MAX_BATCH_REQUESTS.toLocaleString('en-US')}, OpenAI's limit); evaluate the data in parts`);
    const lines: string[] = [];
    const hashes: string[] = [];
    for (const item of todo) {
      const request = await requestOf(item);
      lines.push(inputLine(item.index, options.model.model, request));
      hashes.push(hashOf(requestKey(options.model.model, request)));
    }
    const fileId = await client.upload(`${lines.join('\n')}\n`, `thoughtscope-${technique.id}-${todo.length}-items.jsonl`);
    const batch = await client.create(fileId, { thoughtscope: `${technique.id} on ${setup.dataset}`.slice(0, 512) });
    record = { event: 'submitted', id: batch.id, inputFileId: fileId, items: todo.map((i) => i.index), hashes, at: Date.now() };
    checkpoint.appendBatch(record);
  }

  // Poll until the batch ends; a stop (Ctrl+C) leaves it running at the provider, its id in the checkpoint.
  let state: BatchState;
  try {
    state = await client.retrieve(record.id);
    for (;;) {
      options.onBatch?.(progressOf(state, submittedNow));
      if (TERMINAL_STATUSES.has(state.status)) break;
      await sleep(options.pollMs, options.signal);
      state = await client.retrieve(record.id);
    }
  } catch (err) {
    if (!isAbortError(err)) throw err;
    return results({ stopped: `stopped polling; batch ${record.id} goes on at the provider` });
  }
  const meta: BatchMeta = { id: state.id, status: state.status, failedItems: [] };
  if (state.status === 'failed') {
    checkpoint.appendBatch({ event: 'failed', id: state.id, status: state.status, at: Date.now() });
    const why = (state.errors?.data ?? []).slice(0, 3).map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code ?? 'error'}`).join('; ');
    return results({ stopped: `batch ${state.id} failed${why ? `: ${why}` : ''}`, batch: meta });
  }

  const ours = new Set(record.items);
  const outcomes: ItemOutcome[] = [
    ...(state.output_file_id ? readOutputLines(await client.download(state.output_file_id), 'output file') : []),
    ...(state.error_file_id ? readOutputLines(await client.download(state.error_file_id), 'error file') : []),
  ].filter((o) => ours.has(o.index) && !checkpoint.finished.has(o.index));
  meta.failedItems = outcomes.flatMap((o) => ('error' in o ? [{ index: o.index, error: o.error }] : []));
  const answered = new Map(outcomes.flatMap((o) => ('completion' in o ? [[o.index, o.completion] as const] : [])));
  const answers: Array<{ request: Awaited<ReturnType<typeof requestOf>>; completion: unknown }> = [];
  for (const item of items.filter((i) => answered.has(i.index))) {
    const request = await requestOf(item);
    const at = record.items.indexOf(item.index);
    if (record.hashes && hashOf(requestKey(options.model.model, request)) !== record.hashes[at]) {
      throw new RangeError(`item ${item.index} asks something else than when batch ${record.id} was submitted: the data changed`);
    }
    answers.push({ request, completion: answered.get(item.index) });
  }

  const applied = await evaluate({
    ...options,
    items: items.filter((i) => answered.has(i.index) || checkpoint.finished.has(i.index)),
    model: replayModel(options.model.model, answers, `batch ${state.id}`),
    params,
    concurrency: 8,
    runOptions: { ...options.runOptions, pricing: (options.runOptions?.pricing ?? new Pricing()).scaled(options.priceFactor) },
    checkpoint: options.checkpoint,
    resume: true,
  });
  // The items evaluate() appended are now in the file; read them as this session's.
  for (const item of applied.items) checkpoint.finished.set(item.index, item);
  if (!applied.meta.stopped) checkpoint.appendBatch({ event: 'applied', id: state.id, status: state.status, at: Date.now() });
  const failed = meta.failedItems;
  const stopped = applied.meta.stopped ?? (failed.length ? `${failed.length} item${failed.length === 1 ? '' : 's'} got no answer from batch ${state.id} (${state.status}; item ${failed[0].index}: ${failed[0].error})` : undefined);
  return results({ stopped, batch: meta });
}

/** The last batch submitted and not yet read back or ended. */
function pendingBatch(records: readonly BatchRecord[]): Extract<BatchRecord, { event: 'submitted' }> | undefined {
  const ended = new Set(records.filter((r) => r.event !== 'submitted').map((r) => r.id));
  return [...records].reverse().find((r): r is Extract<BatchRecord, { event: 'submitted' }> => r.event === 'submitted' && !ended.has(r.id));
}

function progressOf(state: BatchState, submittedNow: boolean): BatchProgress {
  const counts = state.request_counts ?? { total: 0, completed: 0, failed: 0 };
  return { batchId: state.id, status: state.status, completed: counts.completed, failed: counts.failed, total: counts.total, submittedNow };
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
