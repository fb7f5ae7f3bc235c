// Program of Thoughts in the editor: who may run generated programs (Workspace Trust, a confirmation
// before the first execution in a session, "always allow in this workspace", the optional local
// python3), and "Solve with Program of Thoughts", which runs PoT on the selection and puts the
// program and its output under it as a fenced block to accept or discard (CodeLens + notification).
import * as vscode from 'vscode';
import { configureExecution, resetExecution } from './core/sandbox/execution';
import { LocalPythonExecutor } from './core/sandbox/localPython';
import { disposeSharedSandbox, sharedSandbox } from './core/sandbox/sandbox';
import type { ExecutionRequest } from './core/sandbox/types';
import { potTechnique } from './core/techniques/pot';
import { answerChain, previewBlock } from './potPreview';
import type { RunController } from './runController';
import { SECTION } from './settingsSchema';

const ALWAYS_ALLOW_KEY = 'thoughtscope.pot.alwaysAllow';

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
        new vscode.CodeLens(p.range, { title: '$(check) Accept', command: 'thoughtscope.acceptPotPreview', arguments: [p] }),
        new vscode.CodeLens(p.range, { title: '$(trash) Discard', command: 'thoughtscope.discardPotPreview', arguments: [p] }),
      ]);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerPot(context: vscode.ExtensionContext, controller: RunController, log: vscode.LogOutputChannel): void {
  let allowedThisSession = false;

  const gate = async (request: ExecutionRequest): Promise<string | undefined> => {
    if (!vscode.workspace.isTrusted) {
      return 'this workspace is not trusted, and Thoughtscope runs generated programs only in trusted workspaces (Workspace Trust)';
    }
    if (allowedThisSession || context.workspaceState.get<boolean>(ALWAYS_ALLOW_KEY)) return undefined;
    const run = 'Run';
    const always = 'Always Allow in This Workspace';
    const where = usesLocalPython(request) ? 'with your local python3 — NOT sandboxed: it can read and change your files and use the network' : 'in the WebAssembly sandbox (no files, network or processes; time, memory and output limits)';
    const choice = await vscode.window.showWarningMessage(
      `Run the ${request.language} program the model wrote?`,
      { modal: true, detail: `Program of Thoughts runs model-written code ${where}. The program is shown in the Thought Graph.` },
      run,
      always,
    );
    if (choice === always) await context.workspaceState.update(ALWAYS_ALLOW_KEY, true);
    if (choice === run || choice === always) {
      allowedThisSession = true;
      return undefined;
    }
    return 'you declined to run it';
  };

  const local = new LocalPythonExecutor();
  configureExecution({ gate, executorFor: (request) => (usesLocalPython(request) ? local : sharedSandbox()) });

  const lenses = new PreviewLenses();
  let pending: { input: string; uri: vscode.Uri; end: vscode.Position } | undefined;

  const finish = async (preview: Preview, keep: boolean): Promise<void> => {
    if (!lenses.previews.includes(preview)) return;
    lenses.remove(preview);
    if (keep) return;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === preview.uri.toString());
    if (!document || document.getText(preview.range) !== preview.text) {
      void vscode.window.showWarningMessage('Thoughtscope: the preview was edited, so it was left in place.');
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.delete(preview.uri, preview.range);
    await vscode.workspace.applyEdit(edit);
  };

  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ scheme: '*' }, lenses),
    vscode.commands.registerCommand('thoughtscope.solveWithPot', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty || !editor.document.getText(editor.selection).trim()) {
        void vscode.window.showWarningMessage('Thoughtscope: select the question to solve with Program of Thoughts.');
        return;
      }
      const input = editor.document.getText(editor.selection);
      pending = { input, uri: editor.document.uri, end: editor.selection.end };
      await controller.start(potTechnique, input, { uri: editor.document.uri, end: editor.selection.end });
    }),
    vscode.commands.registerCommand('thoughtscope.acceptPotPreview', (preview: Preview) => finish(preview, true)),
    vscode.commands.registerCommand('thoughtscope.discardPotPreview', (preview: Preview) => finish(preview, false)),
    controller.onDidFinishRun(async ({ report, run }) => {
      const request = pending;
      if (!request || report.technique !== 'pot' || report.input !== request.input) return;
      pending = undefined;
      const answerId = report.summary.answerNodeId;
      const chain = answerId ? answerChain(run.graph, answerId) : undefined;
      if (!chain || report.summary.answer === undefined) return;
      try {
        const preview = await insertPreview(request.uri, request.end, previewBlock(chain.language, chain.code, chain.output, report.summary.answer));
        if (!preview) return;
        lenses.add(preview);
        const choice = await vscode.window.showInformationMessage('Thoughtscope: keep the program and its result under the selection?', 'Accept', 'Discard');
        if (choice) await finish(preview, choice === 'Accept');
      } catch (err) {
        log.error(`Could not insert the PoT preview: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
    { dispose: () => {
      resetExecution();
      disposeSharedSandbox();
    } },
  );
}

function usesLocalPython(request: ExecutionRequest): boolean {
  return request.language === 'python' && vscode.workspace.isTrusted && vscode.workspace.getConfiguration(SECTION).get<boolean>('pot.localPython') === true;
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
