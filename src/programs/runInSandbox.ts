// "Run in sandbox": a CodeLens above fenced Python/JavaScript blocks in Markdown, and a command for
// selected code in Python/JavaScript editors. The code runs in the same WebAssembly sandbox as
// Program of Thoughts, with PoT's limits (thoughtscope.techniques.pot.timeoutSeconds / memoryMb,
// 1 MB of output) and the same gate (executionGate.ts). The output is shown at the end of the block
// (an `after` decoration, its first lines as plain text, the whole output on hover) and can be
// inserted below it: a fenced ```text block in Markdown, comment lines in Python/JavaScript.
import * as vscode from 'vscode';
import { fencedBlock, findRunnableBlocks, inlineSummary, languageOfEditor, outputText, plainText, spanAfterEdit, type LineSpan } from '../core/sandbox/codeBlocks';
import { sharedSandbox } from '../core/sandbox/sandbox';
import type { ExecutionResult, ProgramLanguage, SandboxLimits } from '../core/sandbox/types';
import { limitsOf, potTechnique } from '../core/techniques/pot';
import { mayRun } from './executionGate';
import { readTechniqueParams } from '../settings/settings';
import { SECTION } from '../settings/settingsSchema';

/** A run whose output is shown: where its code is, and what it gave. */
interface Ran {
  uri: vscode.Uri;
  /** The block's fence lines (Markdown) or the selected lines. */
  span: LineSpan;
  /** The text of those lines when it ran: the output is dropped once they change. */
  spanText: string;
  language: ProgramLanguage;
  markdown: boolean;
  result: ExecutionResult;
}

/** Most characters of output shown on hover (the inserted text has all of it). */
const HOVER_CHARS = 4000;

export function registerRunInSandbox(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const outputs = new Map<string, Ran[]>();
  const lensesChanged = new vscode.EventEmitter<void>();
  const decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });

  const outputsOf = (uri: vscode.Uri): Ran[] => outputs.get(uri.toString()) ?? [];
  const setOutputs = (uri: vscode.Uri, list: Ran[]): void => {
    if (list.length > 0) outputs.set(uri.toString(), list);
    else outputs.delete(uri.toString());
    render(uri);
    lensesChanged.fire();
  };

  const render = (uri: vscode.Uri): void => {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== uri.toString()) continue;
      editor.setDecorations(decoration, outputsOf(uri).map((ran) => decorationFor(editor.document, ran)));
    }
  };

  const lenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensesChanged.event,
    provideCodeLenses(document) {
      const shown = outputsOf(document.uri);
      return findRunnableBlocks(document.getText()).flatMap((block) => {
        const range = new vscode.Range(block.openLine, 0, block.openLine, 0);
        const run = new vscode.CodeLens(range, {
          title: vscode.l10n.t('$(play) Run in sandbox'),
          tooltip: vscode.l10n.t("Run this {0} block in Thoughtscope's WebAssembly sandbox", block.language),
          command: 'thoughtscope.runInSandbox',
          arguments: [document.uri, block.openLine],
        });
        const ran = shown.find((r) => r.markdown && r.span.start === block.openLine && r.span.end === block.closeLine);
        if (!ran) return [run];
        return [
          run,
          new vscode.CodeLens(range, { title: vscode.l10n.t('$(insert) Insert output'), tooltip: vscode.l10n.t('Insert the output below the block as a text block'), command: 'thoughtscope.insertSandboxOutput', arguments: [ran] }),
          new vscode.CodeLens(range, { title: vscode.l10n.t('$(close) Clear output'), command: 'thoughtscope.clearSandboxOutput', arguments: [ran] }),
        ];
      });
    },
  };

  const insertOutput = async (ran: Ran): Promise<void> => {
    if (!outputsOf(ran.uri).includes(ran)) return;
    const document = await vscode.workspace.openTextDocument(ran.uri);
    if (ran.span.end >= document.lineCount) return;
    const text = plainText(outputText(ran.result));
    const at = document.lineAt(ran.span.end).range.end;
    const block = ran.markdown ? fencedBlock('text', text) : asComments(text, ran.language, indentationOf(document.lineAt(ran.span.start).text));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(ran.uri, at, `${document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n'}${block.replace(/\n/g, document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n')}`);
    // The inserted text now shows the output: the decoration goes (the edit also makes it stale).
    setOutputs(ran.uri, outputsOf(ran.uri).filter((r) => r !== ran));
    if (!(await vscode.workspace.applyEdit(edit))) void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: the output could not be inserted.'));
  };

  const runCode = async (uri: vscode.Uri, span: LineSpan, language: ProgramLanguage, code: string, markdown: boolean): Promise<void> => {
    const refusal = await mayRun(context, { language, code }, 'user', false);
    if (refusal !== undefined) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: not run: {0}.', refusal));
      return;
    }
    let limits: Partial<SandboxLimits>;
    try {
      limits = limitsOf(readTechniqueParams(vscode.workspace.getConfiguration(SECTION), potTechnique));
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', errorText(err)));
      return;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    const spanText = textOfLines(document, span);
    let result: ExecutionResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Thoughtscope: running {0} in the sandbox…', language), cancellable: true },
        (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return sharedSandbox().execute({ language, code, limits }, abort.signal);
        },
      );
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') return;
      log.error(`Run in sandbox failed: ${errorText(err)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: the sandbox could not run the code: {0}', errorText(err)));
      return;
    }
    log.info(`Ran ${language} in the sandbox (${result.engine}, ${result.timeMs} ms): ${result.ok ? 'ok' : result.error ?? 'failed'}`);
    // The lines changed while it ran: the output belongs to code that is no longer there.
    if (document.isClosed || span.end >= document.lineCount || textOfLines(document, span) !== spanText) return;
    const ran: Ran = { uri, span, spanText, language, markdown, result };
    const others = outputsOf(uri).filter((r) => r.span.start !== span.start || r.span.end !== span.end);
    setOutputs(uri, [...others, ran]);
    if (markdown) return;
    // No CodeLens in code files: the notification offers the insertion.
    const insert = vscode.l10n.t('Insert Output');
    const message = vscode.l10n.t('Thoughtscope: {0}', inlineSummary(result, 200));
    const choice = result.ok ? await vscode.window.showInformationMessage(message, insert) : await vscode.window.showWarningMessage(message, insert);
    if (choice === insert) await insertOutput(ran);
  };

  const runBlock = async (uri: vscode.Uri, line: number): Promise<void> => {
    const document = await vscode.workspace.openTextDocument(uri);
    const block = findRunnableBlocks(document.getText()).find((b) => b.openLine === line);
    if (!block) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: the code block is no longer there.'));
      return;
    }
    await runCode(uri, { start: block.openLine, end: block.closeLine }, block.language, block.code, true);
  };

  const runSelection = async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    const language = editor ? languageOfEditor(editor.document.languageId) : undefined;
    if (!editor || !language || editor.selection.isEmpty || !editor.document.getText(editor.selection).trim()) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: select Python or JavaScript code to run in the sandbox (in Markdown, use the "Run in sandbox" CodeLens above a fenced block).'));
      return;
    }
    const { start, end } = editor.selection;
    // A selection that ends at the start of a line does not include that line.
    const lastLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
    await runCode(editor.document.uri, { start: start.line, end: lastLine }, language, editor.document.getText(editor.selection), false);
  };

  const followEdits = (event: vscode.TextDocumentChangeEvent): void => {
    const list = outputsOf(event.document.uri);
    if (list.length === 0 || event.contentChanges.length === 0) return;
    const kept = list.flatMap((ran) => {
      let span: LineSpan | undefined = ran.span;
      // Changes of one event are against the document before it, in no promised order: from the bottom up.
      const changes = [...event.contentChanges].sort((a, b) => b.range.start.compareTo(a.range.start));
      for (const change of changes) {
        if (!span) break;
        span = spanAfterEdit(span, { startLine: change.range.start.line, endLine: change.range.end.line, endCharacter: change.range.end.character, text: change.text });
      }
      if (!span || span.end >= event.document.lineCount || textOfLines(event.document, span) !== ran.spanText) return [];
      ran.span = span;
      return [ran];
    });
    setOutputs(event.document.uri, kept);
  };

  context.subscriptions.push(
    decoration,
    lensesChanged,
    vscode.languages.registerCodeLensProvider({ language: 'markdown' }, lenses),
    vscode.commands.registerCommand('thoughtscope.runInSandbox', (uri?: vscode.Uri, line?: number) =>
      uri instanceof vscode.Uri && typeof line === 'number' ? runBlock(uri, line) : runSelection(),
    ),
    vscode.commands.registerCommand('thoughtscope.insertSandboxOutput', (ran: Ran) => insertOutput(ran)),
    vscode.commands.registerCommand('thoughtscope.clearSandboxOutput', (ran: Ran) => setOutputs(ran.uri, outputsOf(ran.uri).filter((r) => r !== ran))),
    vscode.workspace.onDidChangeTextDocument(followEdits),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (outputs.delete(document.uri.toString())) lensesChanged.fire();
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => {
      for (const key of outputs.keys()) render(vscode.Uri.parse(key));
    }),
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function textOfLines(document: vscode.TextDocument, span: LineSpan): string {
  return document.getText(new vscode.Range(span.start, 0, span.end, document.lineAt(span.end).text.length));
}

function decorationFor(document: vscode.TextDocument, ran: Ran): vscode.DecorationOptions {
  const end = document.lineAt(Math.min(ran.span.end, document.lineCount - 1)).range.end;
  const full = plainText(outputText(ran.result));
  const shown = full.length > HOVER_CHARS ? `${full.slice(0, HOVER_CHARS)}\n…` : full;
  // The hover is Markdown: the output goes in a fenced block long enough not to be closed by it.
  const hover = new vscode.MarkdownString(`${ran.result.engine}, ${ran.result.timeMs} ms\n\n${fencedBlock('text', shown)}`);
  hover.isTrusted = false;
  hover.supportHtml = false;
  return {
    range: new vscode.Range(end, end),
    hoverMessage: hover,
    renderOptions: {
      after: {
        contentText: inlineSummary(ran.result),
        color: new vscode.ThemeColor(ran.result.ok ? 'editorCodeLens.foreground' : 'errorForeground'),
      },
    },
  };
}

function indentationOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Output as comment lines under selected code (a fenced block would not be valid Python or JavaScript). */
function asComments(text: string, language: ProgramLanguage, indent: string): string {
  const mark = language === 'python' ? '#' : '//';
  return [`${indent}${mark} Output:`, ...text.split('\n').map((line) => `${indent}${mark} ${line}`.trimEnd())].join('\n');
}
