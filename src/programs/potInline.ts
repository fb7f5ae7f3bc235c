// Program of Thoughts in the editor: the gate for generated programs (executionGate.ts: Workspace
// Trust, a confirmation before the first execution in a session; the optional local python3), and
// "Solve with Program of Thoughts", which runs PoT on the selection and puts the program and its
// output under it as a fenced block to accept or discard (CodeLens + one notification that also
// gives the answer, in place of the run's usual answer notification).
import * as vscode from 'vscode';
import type { RunReport } from '../core/engine';
import type { Run } from '../core/run/run';
import { configureExecution, resetExecution } from '../core/sandbox/execution';
import { LocalPythonExecutor } from '../core/sandbox/localPython';
import { disposeSharedSandbox, sharedSandbox } from '../core/sandbox/sandbox';
import { potTechnique } from '../core/techniques/pot';
import { mayRun, usesLocalPython } from './executionGate';
import { answerChain, previewBlock } from './potPreview';
import type { RunController } from '../run/runController';

interface Preview {
  uri: vscode.Uri;
  range: vscode.Range;
  text: string;
}

class PreviewLenses implements vscode.CodeLensProvider {
  readonly previews: Preview[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  add(preview: Preview): void {
    this.previews.push(preview);
    this.changed.fire();
  }

  remove(preview: Preview): void {
    const i = this.previews.indexOf(preview);
    if (i >= 0) this.previews.splice(i, 1);
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return this.previews
      .filter((p) => p.uri.toString() === document.uri.toString())
      .flatMap((p) => [
        new vscode.CodeLens(p.range, { title: vscode.l10n.t('$(check) Accept'), command: 'thoughtscope.acceptPotPreview', arguments: [p] }),
        new vscode.CodeLens(p.range, { title: vscode.l10n.t('$(trash) Discard'), command: 'thoughtscope.discardPotPreview', arguments: [p] }),
      ]);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerPot(context: vscode.ExtensionContext, controller: RunController, log: vscode.LogOutputChannel): void {
  const local = new LocalPythonExecutor();
  configureExecution({
    gate: (request) => mayRun(context, request, 'model', usesLocalPython(request)),
    executorFor: (request) => (usesLocalPython(request) ? local : sharedSandbox()),
  });

  const lenses = new PreviewLenses();

  const finish = async (preview: Preview, keep: boolean): Promise<void> => {
    if (!lenses.previews.includes(preview)) return;
    lenses.remove(preview);
    if (keep) return;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === preview.uri.toString());
    if (!document || document.getText(preview.range) !== preview.text) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: the preview was edited, so it was left in place.'));
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.delete(preview.uri, preview.range);
    await vscode.workspace.applyEdit(edit);
  };

  /**
   * The run's one answer notification: the answer and the preview under the selection to keep or
   * discard. False (the controller then shows its usual answer notification) when there is no preview.
   */
  const presentPreview = async (uri: vscode.Uri, end: vscode.Position, { report, run, totals }: { report: RunReport; run: Run; totals: string }): Promise<boolean> => {
    const answer = report.summary.answer;
    const answerId = report.summary.answerNodeId;
    const chain = answerId ? answerChain(run.graph, answerId) : undefined;
    if (!chain || answer === undefined) return false;
    let preview: Preview | undefined;
    try {
      preview = await insertPreview(uri, end, previewBlock(chain.language, chain.code, chain.output, answer));
    } catch (err) {
      log.error(`Could not insert the PoT preview: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!preview) return false;
    lenses.add(preview);
    const oneLine = answer.replace(/\s+/g, ' ').trim();
    const shown = oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
    const accept = vscode.l10n.t('Accept');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Thoughtscope Program of Thoughts answer: {0} — {1}. Keep the program and its result under the selection?', shown, totals),
      accept,
      vscode.l10n.t('Discard'),
    );
    if (choice) await finish(preview, choice === accept);
    return true;
  };

  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ scheme: '*' }, lenses),
    vscode.commands.registerCommand('thoughtscope.solveWithPot', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty || !editor.document.getText(editor.selection).trim()) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: select the question to solve with Program of Thoughts.'));
        return;
      }
      const input = editor.document.getText(editor.selection);
      const uri = editor.document.uri;
      const end = editor.selection.end;
      await controller.start(potTechnique, input, { uri, end }, { presentAnswer: (finished) => presentPreview(uri, end, finished) });
    }),
    vscode.commands.registerCommand('thoughtscope.acceptPotPreview', (preview: Preview) => finish(preview, true)),
    vscode.commands.registerCommand('thoughtscope.discardPotPreview', (preview: Preview) => finish(preview, false)),
    { dispose: () => {
      resetExecution();
      disposeSharedSandbox();
    } },
  );
}

async function insertPreview(uri: vscode.Uri, end: vscode.Position, block: string): Promise<Preview | undefined> {
  const document = await vscode.workspace.openTextDocument(uri);
  const at = document.lineAt(document.validatePosition(end).line).range.end;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, at, block);
  // Text inserted where a selection ends extends it; keep the user's selection as it was, or the
  // next keystroke would replace the question together with the preview.
  const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === uri.toString());
  const selections = editors.map((e) => e.selections);
  if (!(await vscode.workspace.applyEdit(edit))) return undefined;
  editors.forEach((e, i) => (e.selections = selections[i]));
  const start = document.offsetAt(at);
  const range = new vscode.Range(document.positionAt(start), document.positionAt(start + block.length));
  return { uri, range, text: block };
}
