// compareTechniques(): the same input through several techniques and/or models at once, within one
// shared concurrency limit. Each entry is a Run of its own; a row per entry holds its answer, how many
// other rows agree with it, correctness when it can be told, totals, and the full trace (a row opens
// its graph from it).
import { runTechnique } from '../engine';
import type { Scorer } from '../eval/scorers';
import { normalizeAnswer } from '../eval/scorers';
import { limitedModel } from '../model/limitedModel';
import type { ChatModel, ReasoningEffort } from '../model/types';
import { Limiter } from '../run/limiter';
import { Run, type RunOptions } from '../run/run';
import type { Task } from '../tasks/types';
import { resolveParams } from '../techniques/params';
import type { Technique } from '../techniques/types';
import { toTrace, type Trace } from '../trace';

export interface CompareEntry {
  technique: Technique;
  model: ChatModel;
  /** Raw parameters of this technique (validated before anything is sent). */
  params?: Record<string, unknown>;
  /** The reasoning effort of this entry's run (a dimension of the comparison); default the run options'. */
  reasoningEffort?: ReasoningEffort;
}

export interface CompareOptions {
  input: string;
  task: Task;
  entries: readonly CompareEntry[];
  /** The expected answer, judged with `scorer`. */
  expected?: string;
  /** How to judge against `expected`; without one, the task's own judge (Game of 24) if it has one. */
  scorer?: Scorer;
  /** Requests in flight at once, across all entries. Default 4. */
  concurrency?: number;
  runOptions?: Omit<RunOptions, 'model' | 'signal' | 'concurrency'>;
  signal?: AbortSignal;
  onRunStart?: (index: number, run: Run) => void;
}

export interface CompareRow {
  technique: string;
  model: string;
  /** The reasoning effort the run asked for, null when none. */
  reasoningEffort?: string | null;
  params: Record<string, unknown>;
  outcome: string;
  message?: string;
  answer: string;
  /** Other rows with the same (normalised, non-empty) answer, as a fraction of the other rows. */
  agreement: number;
  /** null when nothing can tell (no expected answer and no task judge). */
  correct: boolean | null;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  wallMs: number;
  trace: Trace;
}

export interface CompareResult {
  input: string;
  task: string;
  expected?: string;
  rows: CompareRow[];
}

export async function compareTechniques(options: CompareOptions): Promise<CompareResult> {
  const { input, task, entries } = options;
  if (entries.length === 0) throw new RangeError('nothing to compare: choose at least one technique');
  // Every entry's parameters are checked before any request goes out.
  const params = entries.map((e) => resolveParams(e.technique.params, e.params ?? {}, `technique "${e.technique.id}"`));
  const concurrency = options.concurrency ?? 4;
  const limiter = new Limiter(concurrency);
  const judge = correctness(options);

  const rows = await Promise.all(
    entries.map(async (entry, i): Promise<Omit<CompareRow, 'agreement'>> => {
      const reasoningEffort = entry.reasoningEffort ?? options.runOptions?.reasoningEffort;
      const run = new Run({ ...options.runOptions, reasoningEffort, model: limitedModel(entry.model, limiter), concurrency, signal: options.signal });
      options.onRunStart?.(i, run);
      const report = await runTechnique({ technique: entry.technique, task, input, params: params[i], run });
      const { summary } = report;
      const answer = summary.answer ?? '';
      return {
        technique: entry.technique.id,
        model: entry.model.model,
        reasoningEffort: reasoningEffort ?? null,
        params: params[i],
        outcome: summary.outcome,
        ...(summary.message ? { message: summary.message } : {}),
        answer,
        correct: summary.outcome === 'done' ? judge(answer) : judge === noJudge ? null : false,
        calls: summary.totals.calls,
        promptTokens: summary.totals.promptTokens,
        completionTokens: summary.totals.completionTokens,
        costUsd: summary.totals.costUsd,
        wallMs: summary.totals.wallMs,
        trace: toTrace(report, run.graph),
      };
    }),
  );
  const keys = rows.map((r) => normalizeAnswer(r.answer));
  return {
    input,
    task: task.id,
    ...(options.expected !== undefined ? { expected: options.expected } : {}),
    rows: rows.map((row, i) => ({ ...row, agreement: agreement(keys, i) })),
  };
}

function agreement(keys: string[], i: number): number {
  if (keys.length < 2 || keys[i] === '') return 0;
  return keys.filter((k, j) => j !== i && k === keys[i]).length / (keys.length - 1);
}

const noJudge = (): null => null;

function correctness(options: CompareOptions): (answer: string) => boolean | null {
  const { expected, scorer, task, input } = options;
  if (expected !== undefined && scorer) return (answer) => scorer.score({ index: 0, input, expected }, answer);
  if (scorer && !scorer.needsExpected) return (answer) => scorer.score({ index: 0, input }, answer);
  if (task.judge) return (answer) => task.judge!(input, answer);
  return noJudge;
}
