// Opens a workspace file at a line range for the panel (rag chunks and citations). The location comes
// from the webview: `path` is relative to `root` (the rag index root, which may be a subfolder) or,
// without a root (older traces), to a workspace folder; either way it must lie inside a workspace folder.
import * as vscode from 'vscode';
import { locationCandidates } from '../core/rag/files';

export async function openWorkspaceLocation(path: string, startLine: number, endLine: number, root?: string): Promise<void> {
  if (typeof path !== 'string' || !Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine) return;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  for (const file of locationCandidates(folders, path, typeof root === 'string' && root !== '' ? root : undefined)) {
    const target = vscode.Uri.file(file);
    try {
      await vscode.workspace.fs.stat(target);
    } catch {
      continue;
    }
    const range = new vscode.Range(startLine - 1, 0, endLine - 1, Number.MAX_SAFE_INTEGER);
    await vscode.window.showTextDocument(target, { selection: range, preview: true, viewColumn: vscode.ViewColumn.One });
    return;
  }
  void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: {0} is not a file of the open workspace.', path));
}
