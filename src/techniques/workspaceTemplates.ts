// The templates runs use in VS Code: the built-in ones, overridden by the workspace folder's
// .thoughtscope/templates/<name>.liquid — only in a trusted workspace. In an untrusted one the folder is
// ignored (a cloned repository must not decide what is sent to the model), as the restricted settings are.
// No vscode import: the caller passes vscode.workspace.isTrusted, so tests can call this directly.
import { join } from 'node:path';
import { TemplateLibrary, WORKSPACE_TEMPLATES_DIR } from '../core/templates/library';

/** Built-in templates, with `baseDir`'s overrides when `trusted`. A broken override throws a one-line TemplateError. */
export function workspaceTemplates(baseDir: string | undefined, trusted: boolean): TemplateLibrary {
  const builtIn = TemplateLibrary.builtIn();
  if (!baseDir || !trusted) return builtIn;
  return builtIn.withDir(join(baseDir, ...WORKSPACE_TEMPLATES_DIR), 'workspace');
}
