// Resuming an evaluation that stopped with items unfinished, from where it was started (VS Code).
// Beside `<name>.checkpoint.jsonl` and `<name>.json` an evaluation has a sidecar `<name>.source.json`
// saying how its items were chosen (technique, scorer, data source, dataset label), so they can be
// loaded again. The checkpoint stays the record of what finished: resuming continues it through
// evaluate() with `resume: true`, which refuses a checkpoint of a different setup.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Task } from '../tasks/types';
import { TemplateLibrary } from '../templates/library';
import { findTechnique } from '../techniques/registry';
import type { Technique } from '../techniques/types';
import { CheckpointMismatchError, readCheckpoint } from './checkpoint';
import { DatasetError, loadDataset, loadDatasetRange, loadGame24Range, type DataFormat } from './dataset';
import { evalTask, EvalTaskError } from './evalTask';
import type { Scorer } from './scorers';
import type { EvalItem, EvalResults, EvalSetup } from './types';

/** Where the items came from: 24.csv rows `from`..`to` (both included), or a JSONL/CSV file. */
/** Where an evaluation's items came from: 24.csv rows, or a data file (a task file's: in its format, its rows from–to, both included). */
export type EvalSource = { kind: 'game24'; path: string; from: number; to: number } | { kind: 'file'; path: string; format?: DataFormat; from?: number; to?: number };

/** The sidecar `<name>.source.json`. A relative `source.path` is taken from the sidecar's folder. */
export interface EvalSourceRecord {
  technique: string;
  /** A scorer's id, or a task file's path (its own scorer; relative: from the sidecar's folder). */
  scorer: string;
  /** The label in the checkpoint header and results, e.g. "24.csv rows 900-999". */
  dataset: string;
  source: EvalSource;
  /** How many items were chosen. */
  total: number;
}

export class ResumeError extends DatasetError {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeError';
  }
}

const SOURCE_MARK = 'thoughtscope-eval-source';
const CHECKPOINT_SUFFIX = '.checkpoint.jsonl';
const SOURCE_SUFFIX = '.source.json';

export interface EvalPaths {
  checkpoint: string;
  results: string;
  source: string;
  /** Each finished item's run trace (traceLog.ts). */
  traces: string;
}

/** The files of evaluation `name` in `dir`. */
export function evalPaths(dir: string, name: string): EvalPaths {
  return {
    checkpoint: join(dir, `${name}${CHECKPOINT_SUFFIX}`),
    results: join(dir, `${name}.json`),
    source: join(dir, `${name}${SOURCE_SUFFIX}`),
    traces: join(dir, `${name}.traces.jsonl`),
  };
}

/** Writes the sidecar; an existing one is never replaced (it belongs to another evaluation's checkpoint). */
export function writeEvalSource(path: string, record: EvalSourceRecord): void {
  try {
    writeFileSync(path, `${JSON.stringify({ [SOURCE_MARK]: 1, ...record }, null, 2)}\n`, { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ResumeError(`cannot write ${path}: ${code === 'EEXIST' ? 'it already exists (another evaluation of the same name)' : code ?? (err as Error).message}`);
  }
}

const isWhole = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** The sidecar's record, or a ResumeError naming `path` and what is wrong with it. */
export function parseEvalSource(text: string, path: string): EvalSourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ResumeError(`${path} is not valid JSON`);
  }
  const v = value as Record<string, unknown> & { source?: Record<string, unknown> };
  if (!v || typeof v !== 'object' || Array.isArray(v) || !(SOURCE_MARK in v)) throw new ResumeError(`${path} is not a Thoughtscope evaluation source file`);
  for (const key of ['technique', 'scorer', 'dataset'] as const) {
    if (!isText(v[key])) throw new ResumeError(`${path}: "${key}" must be non-empty text`);
  }
  if (!isWhole(v.total) || v.total === 0) throw new ResumeError(`${path}: "total" must be a whole number of items above 0`);
  const s = v.source;
  if (!s || typeof s !== 'object' || !isText(s.path)) throw new ResumeError(`${path}: "source" must be an object with a "path"`);
  let source: EvalSource;
  // Rows from..to (both included): 24.csv always has them; a data file has them or neither.
  const rows = (): { from: number; to: number } => {
    if (!isWhole(s.from) || !isWhole(s.to) || s.to < s.from) throw new ResumeError(`${path}: "source.from" and "source.to" must be row numbers with from <= to`);
    return { from: s.from, to: s.to };
  };
  if (s.kind === 'game24') {
    source = { kind: 'game24', path: s.path, ...rows() };
  } else if (s.kind === 'file') {
    if (s.format !== undefined && s.format !== 'lines' && s.format !== 'crosswords') throw new ResumeError(`${path}: "source.format" must be "lines" or "crosswords", got ${JSON.stringify(s.format)}`);
    source = { kind: 'file', path: s.path, ...(s.format ? { format: s.format } : {}), ...(s.from !== undefined || s.to !== undefined ? rows() : {}) };
  } else {
    throw new ResumeError(`${path}: "source.kind" must be "game24" or "file", got ${JSON.stringify(s.kind)}`);
  }
  return { technique: v.technique as string, scorer: v.scorer as string, dataset: v.dataset as string, source, total: v.total };
}

export function readEvalSource(path: string): EvalSourceRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ResumeError(`${path} is missing, so the items cannot be chosen again (an evaluation started by the CLI or an older Thoughtscope: finish it with "thoughtscope eval ... --resume")`);
    throw new ResumeError(`cannot read ${path}: ${code ?? (err as Error).message}`);
  }
  return parseEvalSource(text, path);
}

/** The items of a source; a relative path is taken from `baseDir`. Problems are DatasetErrors naming the file. */
export function loadSourceItems(source: EvalSource, needsExpected: boolean, baseDir = '.'): EvalItem[] {
  const path = resolve(baseDir, source.path);
  if (source.kind === 'game24') return loadGame24Range(path, source.from, source.to);
  return source.from !== undefined && source.to !== undefined ? loadDatasetRange(path, needsExpected, source.from, source.to, source.format) : loadDataset(path, needsExpected, source.format);
}

/** What a folder's evaluation with unfinished items looks like, for choosing one to resume. */
export interface ResumableEval {
  name: string;
  technique: string;
  model: string;
  dataset: string;
  /** Items in the checkpoint. */
  finished: number;
  /** Items chosen; undefined when neither the sidecar nor the results say. */
  total: number | undefined;
  /** Why it stopped, from the results file. */
  stopped?: string;
  /** When the checkpoint (or the results) last changed. */
  updated: Date;
  /** Why it cannot be resumed here, one line; undefined when it can. */
  problem?: string;
}

/** The results file `<name>.json`, or undefined when it is not one (or cannot be read). */
export function readResults(path: string): EvalResults | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as EvalResults;
    return parsed?.meta && typeof parsed.meta.unfinished === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The names of the evaluations in `dir`: a checkpoint, or a `.json` that may be results (not a sidecar). */
export function evaluationNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const names = new Set<string>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith(CHECKPOINT_SUFFIX)) names.add(file.slice(0, -CHECKPOINT_SUFFIX.length));
    else if (file.endsWith('.json') && !file.endsWith(SOURCE_SUFFIX)) names.add(file.slice(0, -'.json'.length));
  }
  return [...names];
}

/**
 * Evaluations in `dir` that can be continued: a results file with `meta.unfinished > 0`, or a
 * checkpoint without a results file (the window closed mid-evaluation). Newest first. One that
 * cannot be resumed here (no sidecar, no checkpoint, a broken file) is listed with its `problem`.
 */
export function listResumable(dir: string): ResumableEval[] {
  const found: ResumableEval[] = [];
  for (const name of evaluationNames(dir)) {
    const paths = evalPaths(dir, name);
    const results = existsSync(paths.results) ? readResults(paths.results) : undefined;
    const hasCheckpoint = existsSync(paths.checkpoint);
    // A complete evaluation, or a .json that is not a results file and has no checkpoint.
    if (results ? results.meta.unfinished <= 0 : !hasCheckpoint) continue;
    let problem: string | undefined;
    let checkpoint: { setup?: EvalSetup; finished: number } = { finished: 0 };
    if (!hasCheckpoint) problem = `${paths.checkpoint} is missing, so resuming would run every item again`;
    else {
      try {
        const read = readCheckpoint(paths.checkpoint);
        checkpoint = { setup: read.setup, finished: read.finished.size };
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    let source: EvalSourceRecord | undefined;
    try {
      source = readEvalSource(paths.source);
    } catch (err) {
      problem ??= (err as Error).message;
    }
    const setup = checkpoint.setup ?? results?.meta;
    found.push({
      name,
      technique: setup?.technique ?? source?.technique ?? '?',
      model: setup?.model ?? '?',
      dataset: setup?.dataset ?? source?.dataset ?? '?',
      finished: checkpoint.finished,
      total: source?.total ?? results?.meta.requested,
      ...(results?.meta.stopped ? { stopped: results.meta.stopped } : {}),
      updated: statSync(hasCheckpoint ? paths.checkpoint : paths.results).mtime,
      ...(problem ? { problem } : {}),
    });
  }
  return found.sort((a, b) => b.updated.getTime() - a.updated.getTime());
}

/** Everything evaluate() needs to continue evaluation `name` of `dir`, other than the model and settings. */
export interface ResumePlan {
  paths: EvalPaths;
  record: EvalSourceRecord;
  technique: Technique;
  scorer: Scorer;
  task: Task;
  items: EvalItem[];
}

/**
 * Reads the sidecar and reloads the items from the recorded source; every problem is a one-line
 * ResumeError. The task renders from `templates` (the workspace's, as when the evaluation started).
 */
export function planResume(dir: string, name: string, templates: TemplateLibrary = TemplateLibrary.builtIn()): ResumePlan {
  const paths = evalPaths(dir, name);
  if (!existsSync(paths.checkpoint)) throw new ResumeError(`${paths.checkpoint} is missing, so resuming would run every item again`);
  const record = readEvalSource(paths.source);
  const technique = findTechnique(record.technique);
  if (!technique) throw new ResumeError(`${paths.source}: no technique "${record.technique}" in this version of Thoughtscope`);
  let scorer: Scorer;
  let task: Task;
  try {
    ({ scorer, task } = evalTask(record.scorer, { templates, baseDir: dirname(paths.source) }));
  } catch (err) {
    if (!(err instanceof EvalTaskError)) throw err;
    throw new ResumeError(`${paths.source}: ${err.unknownName ? `no scorer "${record.scorer}" in this version of Thoughtscope` : err.message}`);
  }
  const dataPath = resolve(dirname(paths.source), record.source.path);
  if (!existsSync(dataPath)) throw new ResumeError(`${dataPath}, where ${paths.source} says the items came from, does not exist (moved or deleted?)`);
  let items: EvalItem[];
  try {
    items = loadSourceItems(record.source, scorer.needsExpected, dirname(paths.source));
  } catch (err) {
    if (err instanceof DatasetError) throw new ResumeError(`cannot load the items again: ${err.message}`);
    throw err;
  }
  if (items.length !== record.total) throw new ResumeError(`${dataPath} now has ${items.length} items where the evaluation had ${record.total}: the data changed`);
  return { paths, record, technique, scorer, task, items };
}

/**
 * evaluate()'s refusal of a checkpoint of a different setup (openCheckpoint), said for a resume whose
 * model and parameters come from the settings; any other error is returned as it is.
 */
export function explainRefusal(err: unknown, name: string): unknown {
  if (!(err instanceof CheckpointMismatchError)) return err;
  return new ResumeError(`cannot resume ${name}: the settings differ from its checkpoint's (${err.difference}); set them back to resume it`);
}
