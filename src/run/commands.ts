// The commands in package.json's contributes.commands, each registered here by its literal id
// (test/unit/manifest.test.ts checks that every contributed command has a registration).
import * as vscode from 'vscode';
import { findTechnique, TECHNIQUES } from '../core/techniques/registry';
import type { Technique } from '../core/techniques/types';
import type { InputOrigin } from './insertAnswer';
import type { RunController } from './runController';
import type { ApiKeyStore } from '../models/secrets';

export function registerCommands(
  context: vscode.ExtensionContext,
  controller: RunController,
  keys: ApiKeyStore,
  log: vscode.LogOutputChannel,
): void {
  const reasonWith = async (technique: Technique | undefined): Promise<void> => {
    if (!technique) return;
    const gathered = await gatherInput();
    if (gathered) await controller.start(technique, gathered.input, gathered.origin);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('thoughtscope.reasonWithTot', () => reasonWith(techniqueById('tot'))),
    vscode.commands.registerCommand('thoughtscope.reasonWith', async () => reasonWith(await pickTechnique())),
    vscode.commands.registerCommand('thoughtscope.cancel', () => controller.cancel()),
    vscode.commands.registerCommand('thoughtscope.setApiKey', () => keys.promptAndStore()),
    vscode.commands.registerCommand('thoughtscope.clearApiKey', () => keys.clear()),
    vscode.commands.registerCommand('thoughtscope.showLog', () => log.show()),
  );
}

function techniqueById(id: string): Technique | undefined {
  const technique = findTechnique(id);
  if (!technique) void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: the technique "{0}" is not available in this build.', id));
  return technique;
}

async function pickTechnique(): Promise<Technique | undefined> {
  const picked = await vscode.window.showQuickPick(
    TECHNIQUES.map((t) => ({ label: t.name, description: t.id, detail: t.description, technique: t })),
    { title: vscode.l10n.t('Thoughtscope: Reason with…'), placeHolder: vscode.l10n.t('Choose a reasoning technique (parameters: Settings › Thoughtscope)'), matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.technique;
}

/**
 * The input of a run: the selection; without one, the whole document after a confirmation; without
 * an editor, typed into an input box. Undefined when there is nothing to send or the user declined.
 */
async function gatherInput(): Promise<{ input: string; origin?: InputOrigin } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    const typed = await vscode.window.showInputBox({
      title: 'Thoughtscope',
      prompt: vscode.l10n.t('No editor is open: type the question or problem to reason about.'),
      ignoreFocusOut: true,
    });
    if (typed === undefined) return undefined;
    if (!typed.trim()) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: the input is empty; there is nothing to reason about.'));
      return undefined;
    }
    return { input: typed };
  }

  const document = editor.document;
  const selection = editor.selection;
  if (!selection.isEmpty) {
    const text = document.getText(selection);
    if (!text.trim()) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: the selection is only whitespace; select the text to reason about.'));
      return undefined;
    }
    return { input: text, origin: { uri: document.uri, end: selection.end } };
  }

  const text = document.getText();
  if (!text.trim()) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: the document is empty; select or type the text to reason about.'));
    return undefined;
  }
  const useAll = vscode.l10n.t('Use Whole Document');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('No text is selected.'),
    { modal: true, detail: vscode.l10n.t('Send the whole of {0} ({1} characters) to the model?', vscode.workspace.asRelativePath(document.uri), text.length.toLocaleString('en-US')) },
    useAll,
  );
  if (choice !== useAll) return undefined;
  const end = document.lineAt(document.lineCount - 1).range.end;
  return { input: text, origin: { uri: document.uri, end } };
}
