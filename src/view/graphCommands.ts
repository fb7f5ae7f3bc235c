// Commands of the graph views: Open Graph in Editor (the live graph in an editor tab) and Open Sample
// Run (the recorded ToT run shipped in the bundle, core/history/sample.ts, shown without any model: a
// first look before one is set up).
import * as vscode from 'vscode';
import { SAMPLE_NOTE, SAMPLE_TRACE } from '../core/history/sample';
import type { RunController } from '../run/runController';
import type { ThoughtGraphViewProvider } from './thoughtGraphViewProvider';

export function registerGraphCommands(context: vscode.ExtensionContext, view: ThoughtGraphViewProvider, controller: RunController): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('thoughtscope.openGraphInEditor', () => view.openInEditor()),
    vscode.commands.registerCommand('thoughtscope.openSampleRun', () => {
      controller.showTrace(SAMPLE_TRACE, 'Tree of Thoughts', SAMPLE_NOTE);
    }),
  );
}
