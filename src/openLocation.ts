// Opens a workspace file at a line range for the panel (rag chunks and citations). The path comes
// from the webview, so it must be relative and resolve inside a workspace folder.
import * as vscode from 'vscode';
import { relativeTo } from './core/rag/files';

export async function openWorkspaceLocation(path: string, startLine: number, endLine: number): Promise<void> {
  if (typeof path !== 'string' || !Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine) return;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const target = vscode.Uri.joinPath(folder.uri, path);
    if (relativeTo(folder.uri.fsPath, target.fsPath) === undefined) continue;
    try {
      await vscode.workspace.fs.stat(target);
    } catch {
      continue;
    }
    const range = new vscode.Range(startLine - 1, 0, endLine - 1, Number.MAX_SAFE_INTEGER);
    await vscode.window.showTextDocument(target, { selection: range, preview: true, viewColumn: vscode.ViewColumn.One });
    return;
  }
  void vscode.window.showWarningMessage(`Thoughtscope: ${path} is not a file of the open workspace.`);
}
