// The templates and task a CLI command uses: the built-in templates, overridden by the current
// directory's .thoughtscope/templates/ (a workspace, as in VS Code) and then by --templates DIR; the
// task by id, "auto" or task file path (relative to the current directory).
import { join, resolve } from 'node:path';
import { AUTO_TASK, loadTask, taskIds } from '../core/tasks/registry';
import { TaskFileError } from '../core/tasks/taskFile';
import type { Task } from '../core/tasks/types';
import { TemplateError } from '../core/templates/errors';
import { TemplateLibrary, WORKSPACE_TEMPLATES_DIR } from '../core/templates/library';
import { UsageError } from './args';

/** Built-in, then ./.thoughtscope/templates (source "workspace"), then `dir` (source "user"). */
export function cliTemplates(dir: string | undefined, cwd = process.cwd()): TemplateLibrary {
  try {
    const workspace = TemplateLibrary.builtIn().withDir(join(cwd, ...WORKSPACE_TEMPLATES_DIR), 'workspace');
    if (dir === undefined) return workspace;
    // resolve, not join: an absolute --templates path stands as given.
    return workspace.withNamedDir(resolve(cwd, dir), 'user', `--templates ${dir}`);
  } catch (err) {
    if (err instanceof TemplateError) throw new UsageError(err.message);
    throw err;
  }
}

/** The task `name` (id, "auto" or a .task.yaml path) rendering from `templates`. */
export function cliTask(name: string | undefined, input: string, templates: TemplateLibrary): Task {
  try {
    const task = loadTask(name ?? AUTO_TASK, input, { baseDir: process.cwd(), templates });
    if (!task) throw new UsageError(`unknown task "${name}"; known: ${taskIds().join(', ')}, or a task file (*.task.yaml)`);
    return task;
  } catch (err) {
    if (err instanceof TaskFileError || err instanceof TemplateError) throw new UsageError(err.message);
    throw err;
  }
}
