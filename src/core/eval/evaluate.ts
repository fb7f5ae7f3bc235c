// evaluate(): one technique over a list of items, several items at a time, each item a Run of its own
// through the same engine as a single run. Finished items go to the checkpoint as they finish, so a
// crash or a cancel loses nothing and a resumed evaluation skips them. A library function: the CLI,
// the VS Code command and benchmarks call it.
import { setMaxListeners } from 'node:events';
import { runTechnique, type RunReport } from '../engine';
import { limitedModel } from '../model/limitedModel';
import type { ChatModel } from '../model/types';
import { Pricing } from '../pricing';
import { BudgetLedger } from '../run/budget';
import { Limiter } from '../run/limiter';
import { Run, type RunOptions } from '../run/run';
import type { Task } from '../tasks/types';
import { TemplateError } from '../templates/errors';
import type { TemplateLibrary } from '../templates/library';
import { resolveParams } from '../techniques/params';
import type { Technique, TechniqueHost } from '../techniques/types';
import { toTrace } from '../trace';
import { openCheckpoint } from './checkpoint';
import type { Scorer } from './scorers';
import { sumCost, summarize } from './summary';
import { openTraceLog, refuseExistingTraces } from './traceLog';
import type { RunTotals } from '../graph/types';
import type { EvalItem, EvalResults, EvalSetup, ItemResult, UnfinishedCost } from './types';

export interface EvalProgress {
  /** Items finished so far (resumed ones included) and asked for. */
  done: number;
  total: number;
  correct: number;
  /** null once any item's price is unknown. */
  costUsd: number | null;
  /** Elapsed time of this session. */
  elapsedMs: number;
  /** Items finished in this session, for estimating time left. */
  doneThisSession: number;
}

export interface EvaluateOptions {
  technique: Technique;
  /** The prompting task; usually the scorer's (see scorers.ts `taskId`). */
  task: Task;
  scorer: Scorer;
  items: readonly EvalItem[];
  model: ChatModel;
  /** Raw technique parameters, validated before anything is sent. */
  params?: Record<string, unknown>;
  /** What the host knows (base folder, storage); every item also gets the evaluation's shared cache. */
  host?: TechniqueHost;
  /** Requests in flight at once, across all items; also the number of items run at once. Default 4. */
  concurrency?: number;
  /** Per-item run options (pricing, per-item budget, retries, logger). */
  runOptions?: Omit<RunOptions, 'model' | 'signal' | 'concurrency'>;
  /**
   * The evaluation's budget in USD, across all items: every request holds its worst case against it,
   * so the evaluation stops before passing it (an unpriced model is refused before any call).
   */
  maxUsd?: number;
  /** JSONL checkpoint path; without it nothing is written. */
  checkpoint?: string;
  /**
   * JSONL file of each finished item's run trace (`{"index":N,"trace":{...}}` lines, the trace of
   * `thoughtscope run --out`), appended as items finish; see traceLog.ts. Without it none is kept.
   */
  traces?: string;
  /** Continue the checkpoint (and the traces file) instead of refusing to overwrite it. */
  resume?: boolean;
  /** Describes the items in the checkpoint header and results (e.g. "24.csv rows 900-999"). */
  dataset?: string;
  signal?: AbortSignal;
  onItem?: (item: ItemResult, progress: EvalProgress) => void;
  /** Called as each item's run starts (e.g. to watch its graph). */
  onRunStart?: (item: EvalItem, run: Run) => void;
}

/** Every index once, and an expected answer wherever the scorer needs one; a RangeError naming the item otherwise. */
export function checkItems(items: readonly EvalItem[], scorer: Scorer): void {
  const seen = new Set<number>();
  for (const item of items) {
    if (seen.has(item.index)) throw new RangeError(`item index ${item.index} appears twice`);
    seen.add(item.index);
    if (scorer.needsExpected && (item.expected === undefined || item.expected.trim() === '')) {
      throw new RangeError(`item ${item.index} has no expected answer, which the "${scorer.id}" scorer needs`);
    }
    scorer.checkItem?.(item);
  }
}

export async function evaluate(options: EvaluateOptions): Promise<EvalResults> {
  const { technique, task, scorer, items } = options;
  const params = resolveParams(technique.params, taskParams(scorer, technique, options.params ?? {}), `technique "${technique.id}"`);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  checkItems(items, scorer);
  const setup: EvalSetup = { technique: technique.id, task: scorer.id, model: options.model.model, params, dataset: options.dataset ?? `${items.length} items` };
  // Refused before the checkpoint writes its header, so a refusal leaves no file behind.
  if (options.traces) refuseExistingTraces(options.traces, options.resume ?? false);
  const checkpoint = options.checkpoint ? openCheckpoint(options.checkpoint, setup, options.resume ?? false) : undefined;
  const results = new Map<number, ItemResult>();
  for (const item of items) {
    const saved = checkpoint?.finished.get(item.index);
    if (!saved) continue;
    if (saved.input !== item.input) throw new RangeError(`the checkpoint's item ${item.index} was "${saved.input}", the data now says "${item.input}"; the data changed`);
    results.set(item.index, saved);
  }
  const resumed = results.size;
  const traces = options.traces ? openTraceLog(options.traces, options.resume ? new Set(results.keys()) : undefined) : undefined;
  const queue = items.filter((item) => !results.has(item.index));

  const started = performance.now();
  // Cancel (the user) aborts every request in flight; a stop (a failed item, the budget) starts
  // nothing new and lets requests in flight finish, so what they cost is counted.
  const stop = new AbortController();
  // Every item in flight listens on it (up to `concurrency`, e.g. 64); that is expected, not a leak.
  setMaxListeners(0, stop.signal);
  const active = new Set<Run>();
  let stopped: string | undefined;
  const halt = (reason: string) => {
    stopped ??= reason;
    if (reason === 'cancelled') stop.abort();
    else for (const run of active) run.stop(`the evaluation stopped: ${reason}`);
  };
  const onOuterAbort = () => halt('cancelled');
  if (options.signal?.aborted) halt('cancelled');
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const model = limitedModel(options.model, new Limiter(concurrency));
  // One cache for every item of this evaluation (ToT's valueCache=evaluation).
  const host: TechniqueHost = { ...options.host, evaluationCache: new Map() };
  let doneThisSession = 0;
  let spent: number | null = sumCost([...results.values()]);
  const ledger = evaluationBudget(options, spent ?? 0);
  const unfinished = new UnfinishedSpend();
  let correct = [...results.values()].filter((r) => r.correct).length;

  const runOne = async (item: EvalItem): Promise<void> => {
    // A signal per item, unhooked when it ends, so a long evaluation does not pile up listeners (and runs).
    const itemStop = new AbortController();
    const forward = () => itemStop.abort();
    stop.signal.addEventListener('abort', forward, { once: true });
    const run = new Run({ ...options.runOptions, model, concurrency, signal: itemStop.signal, sharedBudgets: ledger ? [ledger] : [] });
    active.add(run);
    options.onRunStart?.(item, run);
    let report: RunReport;
    let judged: number | undefined;
    try {
      report = await runTechnique({ technique, task, input: item.input, params, run, host });
      if (report.summary.outcome === 'done' && scorer.judge) {
        try {
          judged = await judgeAnswer(scorer, item, report, run, host.templates ?? task.templates);
        } catch (err) {
          if (stop.signal.aborted) return;
          return halt(`item ${item.index}: judging the answer failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    } finally {
      stop.signal.removeEventListener('abort', forward);
      active.delete(run);
    }
    const { summary } = report;
    // A template that cannot render for this item: no new item starts; the ones in flight finish and are kept.
    if (summary.outcome === 'failed' && report.error instanceof TemplateError) {
      unfinished.add(summary.totals);
      stopped ??= `item ${item.index}: ${summary.message ?? 'a template failed'}`;
      return;
    }
    // A stop of the whole evaluation (its budget, a failed item, the user) leaves the item unfinished, to
    // run again on --resume, with what it cost so far reported apart. Its own budget ends it as answered.
    const evaluationStopped = stopped !== undefined || ledger?.stopped !== undefined;
    if (summary.outcome === 'cancelled' || summary.outcome === 'failed' || (summary.outcome === 'budget' && evaluationStopped)) {
      unfinished.add(summary.totals);
      if (summary.outcome === 'failed') halt(`item ${item.index}: ${summary.message ?? 'the run failed'}`);
      else if (ledger?.stopped) halt(ledger.stopped);
      return;
    }
    const answer = summary.answer ?? '';
    const candidates = report.candidates && report.candidates.length > 0 ? report.candidates : answer ? [answer] : [];
    // The judge's calls happened after the technique finished: count them from the run itself.
    const totals = judged === undefined ? summary.totals : run.totals();
    const metric = judged ?? scorer.measure?.(item, answer);
    const result: ItemResult = {
      index: item.index,
      input: item.input,
      answer,
      correct: summary.outcome === 'done' && (judged !== undefined && scorer.passes ? scorer.passes(judged) : scorer.score(item, answer)),
      samples: candidates.map((c) => ({ answer: c, correct: scorer.score(item, c) })),
      ...(report.picks ? { picks: Object.fromEntries(Object.entries(report.picks).map(([name, a]) => [name, { answer: a, correct: scorer.score(item, a) }])) } : {}),
      ...(metric !== undefined ? { metric } : {}),
      ...(scorer.measures ? { measures: scorer.measures(item, answer) } : {}),
      calls: totals.calls,
      promptTokens: totals.promptTokens,
      completionTokens: totals.completionTokens,
      costUsd: totals.costUsd,
      wallMs: totals.wallMs,
      ...(totals.replayed ? { replayed: totals.replayed } : {}),
    };
    // The trace first: an item in the checkpoint is not run again, so its trace must already be kept.
    traces?.append(item.index, toTrace(report, run.graph));
    checkpoint?.append(result);
    results.set(item.index, result);
    doneThisSession++;
    if (result.correct) correct++;
    spent = spent === null || result.costUsd === null ? null : spent + result.costUsd;
    options.onItem?.(result, { done: results.size, total: items.length, correct, costUsd: spent, elapsedMs: performance.now() - started, doneThisSession });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (stopped === undefined && next < queue.length) await runOne(queue[next++]);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }

  const finished = items.filter((item) => results.has(item.index)).map((item) => results.get(item.index)!);
  return {
    meta: {
      ...setup,
      requested: items.length,
      unfinished: items.length - finished.length,
      resumed,
      elapsedMs: Math.round(performance.now() - started),
      ...(stopped ? { stopped } : {}),
      ...(unfinished.items > 0 ? { unfinishedSpend: unfinished.total() } : {}),
    },
    items: finished,
    summary: summarize(finished, scorer.metric),
  };
}

/**
 * A task written for one technique (the GoT tasks) runs only with it, with the parameters it needs
 * (the matching preset) set when not given; anything else is a RangeError naming the problem.
 */
function taskParams(scorer: Scorer, technique: Technique, raw: Record<string, unknown>): Record<string, unknown> {
  const wanted = scorer.technique;
  if (!wanted) return raw;
  if (technique.id !== wanted.id) {
    throw new RangeError(`the ${scorer.id} task runs the ${wanted.id} technique (its "approach" parameter picks the paper's method), not ${technique.id}`);
  }
  const params = { ...raw };
  for (const [name, value] of Object.entries(wanted.params)) {
    if (params[name] === undefined) params[name] = value;
    else if (String(params[name]) !== value) throw new RangeError(`the ${scorer.id} task needs the ${wanted.id} parameter ${name}=${value}, got ${name}=${String(params[name])}`);
  }
  return params;
}

/** The scorer's model judgement of the answer, asked on the item's run under an evaluation node. */
async function judgeAnswer(scorer: Scorer, item: EvalItem, report: RunReport, run: Run, templates: TemplateLibrary): Promise<number> {
  const answer = report.summary.answer ?? '';
  const from = report.summary.answerNodeId ?? run.graph.nodes()[0]?.id;
  const node = run.graph.addNode({ kind: 'evaluation', text: `${scorer.id}: judging the answer`, status: 'pending' }, from ? [{ id: from, kind: 'evaluate' }] : []);
  const value = await scorer.judge!(item, answer, async (prompt, n) => {
    const text = typeof prompt === 'string' ? prompt : prompt.text;
    return (await run.call(node.id, `judge: ${scorer.id}`, { messages: [{ role: 'user', content: text }], n }, { templates: typeof prompt === 'string' ? undefined : prompt.templates })).choices;
  }, templates);
  run.graph.update(node.id, { text: `${scorer.id}: ${value.toFixed(2)}`, score: value, status: 'done' });
  run.markFinished();
  return value;
}

/** The shared USD budget of an evaluation, starting from what resumed items already cost; refused for an unpriced model. */
function evaluationBudget(options: EvaluateOptions, alreadySpent: number): BudgetLedger | undefined {
  if (options.maxUsd === undefined) return undefined;
  const ledger = new BudgetLedger({ maxUsd: options.maxUsd }, alreadySpent);
  ledger.checkPriced(options.model.model, (options.runOptions?.pricing ?? new Pricing()).priceOf(options.model.model));
  return ledger;
}

/** What the items that did not finish cost (calls answered, then the item stopped): paid, but in no item's result. */
class UnfinishedSpend {
  items = 0;
  private readonly sum: Omit<UnfinishedCost, 'items'> = { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };

  add(totals: RunTotals): void {
    if (totals.calls === 0) return;
    this.items++;
    this.sum.calls += totals.calls;
    this.sum.promptTokens += totals.promptTokens;
    this.sum.completionTokens += totals.completionTokens;
    this.sum.costUsd = this.sum.costUsd === null || totals.costUsd === null ? null : this.sum.costUsd + totals.costUsd;
  }

  total(): UnfinishedCost {
    return { items: this.items, ...this.sum };
  }
}
