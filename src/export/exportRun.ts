// "Export…" of a run: choose a format, make the file (images come from the panel), choose where to
// save it. Used by the panel's Export… button and the Runs view's Export Saved Run…
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { Trace } from '../core/trace';
import { EXPORT_FORMATS, exportBytes, exportFileName, type ExportFormat } from './exportFormats';
import type { ImageExportResult, ImageFormat } from '../shared/messages';

export interface RunExport {
  trace: Trace;
  /** When the run was made or saved (the default file name's time stamp). */
  when: Date;
  title: string;
  /** The drawn graph from the panel (which may first have to show the run). */
  image: (format: ImageFormat) => Promise<ImageExportResult>;
}

export async function exportRunInteractively(run: RunExport): Promise<void> {
  const format = await vscode.window.showQuickPick(
    EXPORT_FORMATS.map((f) => ({ label: f.label, description: f.description, format: f })),
    { title: run.title, placeHolder: vscode.l10n.t('Export the run as') },
  );
  if (!format) return;
  const { id, label } = format.format;
  let bytes: Uint8Array;
  try {
    bytes =
      id === 'svg' || id === 'png'
        ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Thoughtscope: drawing the {0}…', label) }, () => exportBytes(id, run.trace, run.image))
        : await exportBytes(id, run.trace, run.image);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (id === 'png') {
      // The SVG needs no canvas, so it is the way out when the PNG cannot be made.
      const svg = vscode.l10n.t('Export SVG Instead');
      if ((await vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', message), svg)) === svg) {
        await saveExport(run, EXPORT_FORMATS.find((f) => f.id === 'svg')!, await exportBytes('svg', run.trace, run.image));
      }
      return;
    }
    void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', message));
    return;
  }
  await saveExport(run, format.format, bytes);
}

async function saveExport(run: RunExport, { id, label, ext }: ExportFormat, bytes: Uint8Array): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const target = await vscode.window.showSaveDialog({
    title: run.title,
    defaultUri: vscode.Uri.joinPath(folder, exportFileName(run.trace.technique, run.when, ext)),
    filters: { [label]: [ext] },
    saveLabel: vscode.l10n.t('Export'),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(id === 'png' || id === 'svg' ? vscode.l10n.t('Thoughtscope: graph exported to {0}.', vscode.workspace.asRelativePath(target)) : vscode.l10n.t('Thoughtscope: run exported to {0}.', vscode.workspace.asRelativePath(target)));
}
