// The task and scorer an evaluation runs, from one name: a scorer id (game24, exact, numeric, …, with the
// task it belongs to), a built-in task whose file declares a scorer (numeric-answer, multiple-choice,
// crosswords, creative-writing), or a task file (*.task.yaml, relative to `baseDir`). `thoughtscope eval
// --task` and an experiment file's `task:` both come here, and so do a task's own data: the task file's
// `data` file with its default rows, when no other dataset is given.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { allTasks, findTask, isTaskFileName, loadTask } from '../tasks/registry';
import { TaskFileError } from '../tasks/taskFile';
import type { Task } from '../tasks/types';
import { TemplateError } from '../templates/errors';
import type { TemplateLibrary } from '../templates/library';
import { loadDataset, loadDatasetRange, type DataFormat } from './dataset';
import { findScorer, scorerIds, type Scorer } from './scorers';
import { scorerForTask } from './taskScorer';
import type { EvalItem } from './types';

/** A name that is no scorer, task or readable task file; one line, for the caller to place. */
export class EvalTaskError extends Error {
  constructor(
    message: string,
    /** The name is no scorer, built-in task or task file at all (rather than a task that cannot be used). */
    readonly unknownName = false,
  ) {
    super(message);
    this.name = 'EvalTaskError';
  }
}

export interface EvalTask {
  task: Task;
  scorer: Scorer;
}

/** Every name but a task file's: the scorers, then the built-in tasks that declare one. */
export function evalTaskIds(): string[] {
  const ids = scorerIds();
  return [...ids, ...allTasks().filter((t) => t.spec.scorer && !ids.includes(t.id)).map((t) => t.id)];
}

export interface EvalTaskOptions {
  /** What prompts render from: the built-in templates with a workspace's or user's overrides. */
  templates: TemplateLibrary;
  /** A relative task file path starts here. */
  baseDir: string;
  /** How messages call the name ("--task" on the command line). */
  label?: string;
}

/** The task and scorer `name` stands for; throws one EvalTaskError line when it stands for none. */
export function evalTask(name: string, options: EvalTaskOptions): EvalTask {
  const label = options.label ?? 'task';
  const known = findScorer(name);
  if (known) {
    const task = findTask(known.taskId);
    if (!task) throw new EvalTaskError(`the "${known.taskId}" task is not available in this build`);
    return { task: task.withTemplates(options.templates), scorer: known };
  }
  const file = isTaskFileName(name);
  if (!file && !findTask(name)) throw new EvalTaskError(`unknown ${label} "${name}"; known: ${evalTaskIds().join(', ')}, or a task file (*.task.yaml)`, true);
  if (file && !existsSync(isAbsolute(name) ? name : resolve(options.baseDir, name))) throw new EvalTaskError(`no such task file ${name}`);
  let task: Task;
  try {
    task = loadTask(name, '', { baseDir: options.baseDir, templates: options.templates })!;
  } catch (err) {
    if (err instanceof TaskFileError || err instanceof TemplateError) throw new EvalTaskError(err.message);
    throw err;
  }
  const scorer = scorerForTask(task);
  if (!scorer) throw new EvalTaskError(`the task "${task.id}" declares no scorer; add one to its file, or name a scorer (${scorerIds().join(', ')})`);
  return { task, scorer };
}

/** A task file's data file (absolute), its label in results and default rows ([from, to) as the file says). */
export interface TaskData {
  path: string;
  label: string;
  range?: [number, number];
  format?: DataFormat;
}

/** The task file's data file, when it names one. */
export function taskData(task: Task): TaskData | undefined {
  const data = task.spec.data;
  if (!data) return undefined;
  const format = data.format === 'lines' || data.format === 'crosswords' ? data.format : undefined;
  return { path: resolve(dirname(task.file), data.file), label: data.file.replace(/^(\.\.\/)+/, ''), range: data.range, format };
}

/**
 * The data an evaluation of `task` with `scorer` reads when given none: the task file's, when the scorer
 * is the task's own (not game24, whose rows come from 24.csv and its test range).
 */
export function ownTaskData(evaluated: EvalTask): TaskData | undefined {
  const { task, scorer } = evaluated;
  return scorer.id === task.id && scorer.id !== 'game24' ? taskData(task) : undefined;
}

/**
 * The items of a task's own data: rows `from`–`to` (inclusive) when given, else the file's default range,
 * else all; `rows` says which were read, when not all.
 */
export function taskDataItems(own: TaskData, needsExpected: boolean, rows?: [number, number]): { items: EvalItem[]; dataset: string; rows?: [number, number] } {
  const read = rows ?? (own.range ? ([own.range[0], own.range[1] - 1] as [number, number]) : undefined);
  if (!read) return { items: loadDataset(own.path, needsExpected, own.format), dataset: own.label };
  const [from, to] = read;
  return { items: loadDatasetRange(own.path, needsExpected, from, to, own.format), dataset: `${own.label} rows ${from}-${to}`, rows: read };
}
