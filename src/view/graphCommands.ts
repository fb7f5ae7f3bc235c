// Commands of the graph views: Open Graph in Editor (the live graph in an editor tab) and Open Sample
// Run (the recorded ToT run shipped in the bundle, shown without any model: a first look before one is
// set up). The sample is media/sample/tot-game24.json, written by `npm run record-sample`.
import * as vscode from 'vscode';
import type { Trace } from '../core/trace';
import type { RunController } from '../runController';
import sample from '../../media/sample/tot-game24.json';
import type { ThoughtGraphViewProvider } from './thoughtGraphViewProvider';

/** What the header says about the sample, so nobody takes it for a live run. */
export const SAMPLE_NOTE = 'Recorded sample run: Tree of Thoughts on the Game of 24 puzzle 4 9 10 13, answered by a scripted model. Opening it calls no model.';

export const SAMPLE_TRACE = sample as unknown as Trace;

export function registerGraphCommands(context: vscode.ExtensionContext, view: ThoughtGraphViewProvider, controller: RunController): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('thoughtscope.openGraphInEditor', () => view.openInEditor()),
    vscode.commands.registerCommand('thoughtscope.openSampleRun', () => {
      controller.showTrace(SAMPLE_TRACE, 'Tree of Thoughts', SAMPLE_NOTE);
    }),
  );
}
