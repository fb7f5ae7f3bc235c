// The results of evaluating one technique on a dataset. The item and summary shapes are the public
// format of `thoughtscope eval --out` and of the JSONL checkpoint lines; keep them stable.
import type { ReplayedTotals } from '../graph/types';

/** One dataset row to run: `index` is its row number (0-based) in the file or in 24.csv. */
export interface EvalItem {
  index: number;
  input: string;
  /** The expected answer, for the exact / numeric / contains scorers. */
  expected?: string;
}

export interface SampleResult {
  answer: string;
  correct: boolean;
}

export interface ItemResult {
  index: number;
  input: string;
  answer: string;
  correct: boolean;
  /** Every final candidate of a sampling technique (ToT: its final states), else the one answer. */
  samples: SampleResult[];
  /** The technique's named picks besides the answer, each scored (ToT on Game of 24: `authors`). */
  picks?: Record<string, SampleResult>;
  /** The scorer's measure of the answer, when it has one (GoT tasks: the error count; document merging: the 0-10 score). */
  metric?: number;
  /** Further named measures (crosswords: letters, words and game, each 0..1). */
  measures?: Record<string, number>;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** null when the model's price is unknown. */
  costUsd: number | null;
  wallMs: number;
  /** Calls answered from the cache across runs ($0 now; not in the counts above) and what they used when first sent. */
  replayed?: ReplayedTotals;
}

export interface EvalSummary {
  /** Items finished and scored. */
  total: number;
  correct: number;
  accuracy: number;
  /** Wilson score interval (95%) for `accuracy`. */
  accuracyCi95: [number, number];
  /** Correct samples over all samples. */
  sampleAccuracy: number;
  /** Items with at least one correct sample (best of k). */
  anyCorrect: number;
  /** Per named pick (ToT: `authors`, the final state the paper's authors count as solved): items it got right. */
  picks?: Record<string, { correct: number; accuracy: number }>;
  /** The scorer's measure over the items that have it, as the GoT paper's box plots show it. */
  metric?: MetricSummary;
  /** The mean of each named measure over the items that have it. */
  measures?: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  /** Calls answered from the cache across runs, over all items (see ItemResult.replayed). */
  replayed?: ReplayedTotals;
  /** Sum of the items' wall times (with concurrency the elapsed time is shorter; see meta.elapsedMs). */
  wallMs: number;
}

export interface MetricSummary {
  /** "errors" (fewer is better) or "score" (more is better). */
  name: string;
  better: 'lower' | 'higher';
  /** Items measured. */
  count: number;
  mean: number;
  median: number;
  /** First and third quartile (linear interpolation between order statistics). */
  q1: number;
  q3: number;
  min: number;
  max: number;
}

/** What was evaluated; also the checkpoint's header, compared on --resume. */
export interface EvalSetup {
  technique: string;
  task: string;
  model: string;
  params: Record<string, unknown>;
  /** Where the items came from, e.g. "24.csv rows 900-999" or the data file's name. */
  dataset: string;
}

export interface EvalMeta extends EvalSetup {
  /** Items asked for. */
  requested: number;
  /** Items not finished (cancelled, stopped by a failure or the budget); --resume runs them. */
  unfinished: number;
  /** Items taken from the checkpoint instead of run again. */
  resumed: number;
  /** Elapsed time of this session. */
  elapsedMs: number;
  /** Why the evaluation stopped early, if it did. */
  stopped?: string;
  /** What this session's unfinished items cost before they stopped (answered requests are always counted). */
  unfinishedSpend?: UnfinishedCost;
}

/** Requests answered for items that then did not finish: paid, so reported, though in no item's result. */
export interface UnfinishedCost {
  items: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
}

export interface EvalResults {
  meta: EvalMeta;
  items: ItemResult[];
  summary: EvalSummary;
}
