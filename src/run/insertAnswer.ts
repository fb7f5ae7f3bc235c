// "Insert into editor": put a run's answer right after the text it was asked about, in the editor
// it came from; when that document has been closed, at the cursor of the active editor.
import * as vscode from 'vscode';

/** Where a run's input came from. */
export interface InputOrigin {
  uri: vscode.Uri;
  /** End of the selection (end of the document when the whole document was used). */
  end: vscode.Position;
}

/** The text to insert at `character` of a line: the answer on a line of its own. */
export function answerInsertion(lineText: string, character: number, answer: string): string {
  const before = lineText.slice(0, character);
  const after = lineText.slice(character);
  const lead = before.trim() === '' ? '' : '\n';
  const trail = after === '' ? '' : '\n';
  return `${lead}${answer}${trail}`;
}

export async function insertAnswer(answer: string, origin: InputOrigin | undefined): Promise<void> {
  const original = origin && vscode.workspace.textDocuments.find((d) => !d.isClosed && d.uri.toString() === origin.uri.toString());
  if (original && origin) {
    const shown = vscode.window.visibleTextEditors.find((e) => e.document === original);
    const editor = await vscode.window.showTextDocument(original, { viewColumn: shown?.viewColumn, preview: false });
    await insertAt(editor, original.validatePosition(origin.end), answer);
    return;
  }
  const active = vscode.window.activeTextEditor;
  if (!active) {
    const copy = vscode.l10n.t('Copy Answer');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: open an editor to insert the answer into.'), copy);
    if (choice === copy) await vscode.env.clipboard.writeText(answer);
    return;
  }
  await insertAt(active, active.selection.active, answer);
}

async function insertAt(editor: vscode.TextEditor, position: vscode.Position, answer: string): Promise<void> {
  const text = answerInsertion(editor.document.lineAt(position.line).text, position.character, answer);
  const ok = await editor.edit((edit) => edit.insert(position, text));
  if (!ok) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: the answer could not be inserted (is the editor read-only?).'));
    return;
  }
  const start = editor.document.offsetAt(position) + (text.startsWith('\n') ? 1 : 0);
  const range = new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(start + answer.length));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
