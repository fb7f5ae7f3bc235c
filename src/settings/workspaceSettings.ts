// The settings as the extension reads them: thoughtscope.* of the window, with what a task file named in
// thoughtscope.task needs from the workspace (its first folder, where a relative path starts, and whether
// the workspace is trusted: an untrusted one's task file is never read).
import * as vscode from 'vscode';
import { readSettings, type Settings, type TaskFileScope } from './settings';
import { SECTION } from './settingsSchema';

export function taskFileScope(): TaskFileScope {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return { folder: folder?.scheme === 'file' ? folder.fsPath : undefined, trusted: vscode.workspace.isTrusted };
}

/** readSettings on the window's configuration (or `config`) and the workspace's task file scope. */
export function readWorkspaceSettings(config: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration(SECTION)): Settings {
  return readSettings(config, taskFileScope());
}
