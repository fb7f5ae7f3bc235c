// ICL examples picked from a selection ("Thoughtscope: Use Selection as ICL Examples"), kept for this
// VS Code session, and the host facts every run gets (workspace folder, those examples).
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { ExamplesError, parseExamples } from '../core/techniques/iclExamples';
import type { TechniqueHost } from '../core/techniques/types';
import { workspaceTemplates } from './workspaceTemplates';

/** Context key: true while examples from a selection are stored (shows "Clear ICL Examples"). */
const STORED_CONTEXT = 'thoughtscope.iclExamplesStored';

let storedExamples: string | undefined;

/**
 * What runs get from VS Code: relative file parameters start at the active document's workspace folder,
 * whose .thoughtscope/templates override the built-in templates (trusted workspaces only).
 */
export function techniqueHost(): TechniqueHost {
  const document = vscode.window.activeTextEditor?.document;
  const folder = (document && vscode.workspace.getWorkspaceFolder(document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
  const baseDir = folder?.uri.scheme === 'file' ? folder.uri.fsPath : document?.uri.scheme === 'file' ? dirname(document.uri.fsPath) : undefined;
  return { baseDir, examples: storedExamples, templates: workspaceTemplates(baseDir, vscode.workspace.isTrusted) };
}

function setStored(text: string | undefined): void {
  storedExamples = text;
  void vscode.commands.executeCommand('setContext', STORED_CONTEXT, text !== undefined);
}

export function registerIclCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  setStored(undefined);
  context.subscriptions.push(
    vscode.commands.registerCommand('thoughtscope.useSelectionAsIclExamples', () => {
      const editor = vscode.window.activeTextEditor;
      const text = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
      if (!text.trim()) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: select the examples first ("Input:" / "Output:" pairs or JSON Lines).'));
        return;
      }
      try {
        const count = parseExamples(text).length;
        setStored(text);
        log.info(`Stored ${count} ICL example(s) from a selection for this session`);
        void vscode.window.showInformationMessage(
          count === 1
            ? vscode.l10n.t('Thoughtscope: 1 ICL example stored for this session; In-Context Learning runs use it instead of the examples settings.')
            : vscode.l10n.t('Thoughtscope: {0} ICL examples stored for this session; In-Context Learning runs use them instead of the examples settings.', count),
        );
      } catch (err) {
        if (!(err instanceof ExamplesError)) throw err;
        void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: the selection is not a list of examples: {0}', err.message));
      }
    }),
    vscode.commands.registerCommand('thoughtscope.clearIclExamples', () => {
      setStored(undefined);
      void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: ICL examples from the selection cleared; runs use the examples settings again.'));
    }),
  );
}
