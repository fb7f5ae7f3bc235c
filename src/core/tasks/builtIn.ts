// The tasks shipped with Thoughtscope: tasks/*.task.yaml in the package root, read once per process,
// each made by the code of its kind. A user's task file is made the same way (`taskFromFile`).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../packageRoot';
import { TemplateError } from '../templates/errors';
import { TemplateLibrary } from '../templates/library';
import { Game24Task } from './game24';
import { GenericTask } from './generic';
import { CrosswordsTask } from './crosswords';
import { CreativeWritingTask } from './creativeWriting';
import type { LoadedTaskFile } from './spec';
import { TASK_FILE, TaskFileError, readTaskFile } from './taskFile';
import type { Task } from './types';

/** The task of a loaded task file, rendering from `templates` (default: the built-in templates); `shown` names the file in messages. */
export function taskOf(loaded: LoadedTaskFile, templates: TemplateLibrary = TemplateLibrary.builtIn(), shown = loaded.file): Task {
  for (const [slot, name] of Object.entries(loaded.spec.templates ?? {})) {
    if (!name || templates.has(name)) continue;
    try {
      templates.entry(name);
    } catch (err) {
      // The library's message names the nearest templates; this says which file and slot asked.
      if (err instanceof TemplateError) throw new TemplateError(`${shown}: templates.${slot}: ${err.message}`);
      throw err;
    }
  }
  switch (loaded.spec.kind ?? 'generic') {
    case 'game24':
      return new Game24Task(loaded, templates);
    case 'crosswords':
      return new CrosswordsTask(loaded, templates);
    case 'creative-writing':
      return new CreativeWritingTask(loaded, templates);
    default:
      return new GenericTask(loaded, templates);
  }
}

/** A user's task file (absolute path) as a task; `shown` names it in messages. */
export function taskFromFile(path: string, templates?: TemplateLibrary, shown?: string): Task {
  return taskOf(readTaskFile(path, shown), templates, shown);
}

/** tasks/ in the package root. */
export function builtInTasksDir(): string {
  return join(packageRoot(__dirname), 'tasks');
}

let builtIns: Task[] | undefined;

/** Every built-in task: generic and game24 first (the original two), then by file name. */
export function builtInTasks(): readonly Task[] {
  if (!builtIns) {
    const dir = builtInTasksDir();
    const files = readdirSync(dir).filter((f) => TASK_FILE.test(f)).sort();
    const tasks = files.map((f) => taskFromFile(join(dir, f), undefined, `tasks/${f}`));
    const ids = new Set<string>();
    for (const t of tasks) {
      if (ids.has(t.id)) throw new TaskFileError(`tasks/: two built-in tasks are called "${t.id}"`);
      ids.add(t.id);
    }
    const first = ['generic', 'game24'];
    builtIns = [...first.flatMap((id) => tasks.filter((t) => t.id === id)), ...tasks.filter((t) => !first.includes(t.id))];
  }
  return builtIns;
}

/** A built-in task by id, made on first use (module-level exports such as `game24Task` are these). */
export function lazyBuiltInTask(id: string): Task {
  let task: Task | undefined;
  const load = (): Task => {
    task ??= builtInTasks().find((t) => t.id === id);
    if (!task) throw new Error(`the built-in task "${id}" is missing from tasks/`);
    return task;
  };
  return new Proxy({} as Task, {
    get(_target, key) {
      const real = load();
      const value = Reflect.get(real, key, real);
      return typeof value === 'function' ? value.bind(real) : value;
    },
    has: (_target, key) => Reflect.has(load(), key),
  });
}
