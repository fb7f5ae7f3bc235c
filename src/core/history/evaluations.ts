// The evaluations of a folder (VS Code: .thoughtscope/evals), for the Runs view: each with its summary,
// its items on demand, and one item's run trace on demand. Listing reads the small files (checkpoint,
// sidecar, results); an evaluation's traces file is only indexed when its items are asked for, and
// one line of it parsed when an item is opened. Problems are one line naming the file.
import { existsSync, statSync } from 'node:fs';
import { readCheckpoint } from '../eval/checkpoint';
import { evalPaths, evaluationNames, readEvalSource, readResults } from '../eval/resumable';
import { sumCost } from '../eval/summary';
import { indexTraceLines, readTraceLine, TraceLogError, type TraceLine } from '../eval/traceLog';
import type { EvalSetup, ItemResult } from '../eval/types';
import type { Trace } from '../trace';
import { excerpt } from './runStore';

export interface EvaluationEntry {
  name: string;
  technique: string;
  model: string;
  dataset: string;
  /** The scorer. */
  task: string;
  finished: number;
  correct: number;
  /** Items chosen, when the sidecar or the results say. */
  total?: number;
  costUsd: number | null;
  /** When its checkpoint (or results) last changed, ms since the epoch. */
  updated: number;
  /** Whether its items' traces were kept (`<name>.traces.jsonl`). */
  traced: boolean;
  /** Why its items cannot be listed, one line naming the file. */
  problem?: string;
}

export interface EvaluationItem extends ItemResult {
  /** Whether the traces file holds this item's trace. */
  traced: boolean;
}

/** The finished items of evaluation `name` (its checkpoint, else its results file), by index, and its setup. */
function finishedItems(dir: string, name: string): { setup?: EvalSetup; items: ItemResult[] } | undefined {
  const paths = evalPaths(dir, name);
  if (existsSync(paths.checkpoint)) {
    const { setup, finished } = readCheckpoint(paths.checkpoint);
    return { setup, items: [...finished.values()].sort((a, b) => a.index - b.index) };
  }
  const results = existsSync(paths.results) ? readResults(paths.results) : undefined;
  return results && Array.isArray(results.items) ? { setup: results.meta, items: results.items } : undefined;
}

/** Evaluations in `dir`, newest first; a .json that is not an evaluation's is passed over. */
export function listEvaluations(dir: string): EvaluationEntry[] {
  const found: EvaluationEntry[] = [];
  for (const name of evaluationNames(dir)) {
    const paths = evalPaths(dir, name);
    const results = existsSync(paths.results) ? readResults(paths.results) : undefined;
    let read: ReturnType<typeof finishedItems>;
    let problem: string | undefined;
    try {
      read = finishedItems(dir, name);
    } catch (err) {
      problem = (err as Error).message;
    }
    if (!read && !problem) continue;
    let total = results?.meta.requested;
    try {
      total = readEvalSource(paths.source).total;
    } catch {
      // a CLI evaluation has no sidecar
    }
    const setup = read?.setup ?? results?.meta;
    const items = read?.items ?? [];
    found.push({
      name,
      technique: setup?.technique ?? '?',
      model: setup?.model ?? '?',
      dataset: setup?.dataset ?? '?',
      task: setup?.task ?? '?',
      finished: items.length,
      correct: items.filter((i) => i.correct).length,
      ...(total !== undefined ? { total } : {}),
      costUsd: sumCost(items),
      updated: statSync(existsSync(paths.checkpoint) ? paths.checkpoint : paths.results).mtimeMs,
      traced: existsSync(paths.traces),
      ...(problem ? { problem } : {}),
    });
  }
  return found.sort((a, b) => b.updated - a.updated || a.name.localeCompare(b.name));
}

/** "tot · gpt-4o-mini · 24.csv rows 900-999 · 71/100 correct" */
export function evaluationLabel(e: EvaluationEntry): string {
  return `${e.technique} · ${e.model} · ${e.dataset} · ${e.correct}/${e.finished} correct`;
}

/** "✓ 12 · (10 - 4) * (13 - 9) = 24", the answer on one line, shortened. */
export function evaluationItemLabel(item: ItemResult): string {
  return `${item.correct ? '✓' : '✗'} ${item.index} · ${excerpt(item.answer) || '(no answer)'}`;
}

/** Line offsets of the traces files read so far, while the file is unchanged. */
const indexes = new Map<string, { size: number; mtimeMs: number; lines: Map<number, TraceLine> }>();

function traceIndex(path: string): Map<number, TraceLine> {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new TraceLogError(`${path} is missing: no traces were kept for this evaluation (an older one, or a CLI one without --traces)`);
  }
  const cached = indexes.get(path);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.lines;
  const lines = indexTraceLines(path);
  indexes.delete(path);
  indexes.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, lines });
  // A few evaluations' offsets at most.
  if (indexes.size > 8) indexes.delete(indexes.keys().next().value!);
  return lines;
}

/**
 * The finished items of evaluation `name`, by index, each saying whether its trace was kept. `problem`
 * (one line naming the file) when the items or the traces cannot be read.
 */
export function evaluationItems(dir: string, name: string): { items: EvaluationItem[]; problem?: string } {
  let items: ItemResult[];
  try {
    items = finishedItems(dir, name)?.items ?? [];
  } catch (err) {
    return { items: [], problem: (err as Error).message };
  }
  const path = evalPaths(dir, name).traces;
  let traced = new Map<number, TraceLine>();
  let problem: string | undefined;
  if (existsSync(path)) {
    try {
      traced = traceIndex(path);
    } catch (err) {
      problem = (err as Error).message;
    }
  }
  return { items: items.map((item) => ({ ...item, traced: traced.has(item.index) })), ...(problem ? { problem } : {}) };
}

/** The run trace of item `index` of evaluation `name`; a one-line TraceLogError naming the file when it cannot be had. */
export function loadEvaluationTrace(dir: string, name: string, index: number): Trace {
  const path = evalPaths(dir, name).traces;
  const at = traceIndex(path).get(index);
  if (!at) throw new TraceLogError(`${path} holds no trace of item ${index}`);
  return readTraceLine(path, at);
}
