// "Export trace" from the panel: the finished run as the same JSON the CLI writes with --out.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { RunReport } from '../core/engine';
import type { ThoughtGraph } from '../core/graph/thoughtGraph';
import { toTrace } from '../core/trace';

export async function exportTrace(report: RunReport, graph: ThoughtGraph): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const name = `thoughtscope-${report.technique}-${stamp}.json`;
  const target = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Export Thoughtscope Trace'),
    defaultUri: vscode.Uri.joinPath(folder, name),
    filters: { [vscode.l10n.t('JSON trace')]: ['json'] },
    saveLabel: vscode.l10n.t('Export'),
  });
  if (!target) return;
  const json = `${JSON.stringify(toTrace(report, graph), null, 2)}\n`;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(json));
  const open = vscode.l10n.t('Open');
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: trace saved to {0}.', vscode.workspace.asRelativePath(target)), open);
  if (choice === open) await vscode.window.showTextDocument(target);
}
