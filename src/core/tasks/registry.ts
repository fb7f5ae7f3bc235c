// Finding a task: a built-in one by id (tasks/*.task.yaml), "auto" by the built-in tasks' `auto`
// patterns, or a user's task file by its path (ends in .task.yaml). `templates` makes the task render
// from a workspace's or user's overrides.
import { isAbsolute, resolve } from 'node:path';
import type { TemplateLibrary } from '../templates/library';
import { builtInTasks, taskFromFile } from './builtIn';
import { TASK_FILE } from './taskFile';
import type { Task } from './types';

/** Every built-in task, generic and game24 first. */
export function allTasks(): readonly Task[] {
  return builtInTasks();
}

export function findTask(id: string): Task | undefined {
  return builtInTasks().find((t) => t.id === id);
}

/** "auto" picks the first built-in task whose `auto` pattern matches the input (Game of 24: four whole numbers), else generic. */
export const AUTO_TASK = 'auto';

export function taskIds(): string[] {
  return [AUTO_TASK, ...builtInTasks().map((t) => t.id)];
}

export function resolveTask(id: string, input: string): Task | undefined {
  if (id === AUTO_TASK) return builtInTasks().find((t) => t.spec.auto !== undefined && new RegExp(t.spec.auto).test(input)) ?? findTask('generic');
  return findTask(id);
}

/** Whether `name` names a task file rather than a built-in task. */
export function isTaskFileName(name: string): boolean {
  return TASK_FILE.test(name);
}

/**
 * A task by id, "auto" or task file path (relative to `baseDir`), rendering from `templates` when given;
 * undefined for an unknown id. A task file that cannot be read or breaks the schema throws a TaskFileError.
 */
export function loadTask(name: string, input: string, options: { baseDir?: string; templates?: TemplateLibrary } = {}): Task | undefined {
  let task: Task | undefined;
  if (isTaskFileName(name)) {
    const path = isAbsolute(name) ? name : resolve(options.baseDir ?? process.cwd(), name);
    task = taskFromFile(path, options.templates, name);
  } else task = resolveTask(name, input);
  return task && options.templates && !isTaskFileName(name) ? task.withTemplates(options.templates) : task;
}
