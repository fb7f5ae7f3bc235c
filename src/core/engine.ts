// Runs a technique on an input and turns whatever happens (answer, cancel, budget, model failure)
// into a summary, keeping the graph built so far. The CLI and the extension both call this.
import { ExplainedStop } from './errors';
import type { RunSummary } from './graph/types';
import { ModelError } from './model/types';
import { BudgetExceededError } from './run/budget';
import { isAbortError } from './run/limiter';
import type { Run } from './run/run';
import type { Task } from './tasks/types';
import { resolveParams, type ParamValues } from './techniques/params';
import type { Technique, TechniqueHost } from './techniques/types';

export interface RunRequest {
  technique: Technique;
  task: Task;
  input: string;
  /** Raw parameter values (strings from the CLI, values from settings); validated here. */
  params?: Record<string, unknown>;
  run: Run;
  /** Workspace folder, session examples: what the host knows that the technique may need. */
  host?: TechniqueHost;
}

export interface RunReport {
  technique: string;
  task: string;
  params: ParamValues;
  model: string;
  input: string;
  summary: RunSummary;
  candidates?: string[];
  /** The technique's named picks besides the answer (TechniqueResult.picks). */
  picks?: Record<string, string>;
}

/** Validate parameters first (throws ParamError before anything is sent), then run to an outcome. */
export async function runTechnique(req: RunRequest): Promise<RunReport> {
  const params = resolveParams(req.technique.params, req.params ?? {}, `technique "${req.technique.id}"`);
  if (req.input.trim() === '') throw new Error('The input is empty: select some text or pass --input');
  const host = req.host ?? {};
  const { run } = req;
  run.checkBudgetPrices();
  await req.technique.validate?.(params, host, run, req.input);
  let summary: RunSummary;
  let candidates: string[] | undefined;
  let picks: Record<string, string> | undefined;
  try {
    const result = await req.technique.run({ run, task: req.task, input: req.input, params, host });
    candidates = result.candidates;
    picks = result.picks;
    await settle(run);
    if (result.answerNodeId) run.graph.update(result.answerNodeId, { status: 'selected' });
    run.markFinished();
    summary = { outcome: 'done', answer: result.answer, answerNodeId: result.answerNodeId, confidence: result.confidence, totals: run.totals() };
  } catch (err) {
    await settle(run);
    run.markFinished();
    summary = failureSummary(err, run);
  }
  closeUnfinishedNodes(run, summary.outcome === 'done' ? 'done' : summary.outcome === 'failed' ? 'failed' : 'cancelled');
  summary.totals = run.totals();
  const notes = run.notes();
  if (notes.length) summary.notes = notes;
  run.graph.emit({ type: 'runFinished', summary });
  return { technique: req.technique.id, task: req.task.id, params, model: run.model.model, input: req.input, summary, candidates, ...(picks ? { picks } : {}) };
}

/**
 * Requests still in flight when the technique ended (a budget stop, a failed sibling) finish and are
 * counted before the totals are read: what a server answered is never left out. Then one turn of the
 * event loop lets the technique's own continuations settle.
 */
async function settle(run: Run): Promise<void> {
  await run.settled();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

function failureSummary(err: unknown, run: Run): RunSummary {
  if (err instanceof BudgetExceededError || run.budgetStop) {
    return { outcome: 'budget', message: `Stopped: ${run.budgetStop ?? (err as Error).message}`, totals: run.totals() };
  }
  if (isAbortError(err) || run.cancelled) return { outcome: 'cancelled', message: 'Cancelled', totals: run.totals() };
  const explained = err instanceof ModelError || err instanceof ExplainedStop;
  const message = explained ? err.message : `Run failed: ${err instanceof Error ? err.message : String(err)}`;
  return { outcome: 'failed', message, totals: run.totals() };
}

/** No node is left drawn as running or pending once the run is over. */
function closeUnfinishedNodes(run: Run, status: 'done' | 'cancelled' | 'failed'): void {
  for (const node of run.graph.nodes()) {
    if (node.status === 'running' || node.status === 'pending') run.graph.update(node.id, { status });
  }
}
