// Wires the experiment workbench into the extension: Compare Techniques, Evaluate on Dataset, Resume
// Evaluation, Run Experiment (thoughtscope.yaml), and the Runs history view (with the evaluations of the folder they are written to). Errors become one-line messages (and the log), never stack
// traces in the UI.
import * as vscode from 'vscode';
import type { RunProfile } from '../core/run/run';
import type { RunController } from '../run/runController';
import type { ApiKeyStore } from '../models/secrets';
import type { Settings } from '../settings/settings';
import { compareCommand } from './compareTechniques';
import { evalsDir, evaluateCommand, resumeEvaluationCommand } from './evaluateDataset';
import { registerRunsView, type RunHistory } from './runsView';
import { runExperimentCommand } from './runExperiment';
import type { RunWatcher } from '../otel/otelExport';

export function registerWorkbench(
  context: vscode.ExtensionContext,
  controller: RunController,
  keys: ApiKeyStore,
  log: vscode.LogOutputChannel,
  profilesFor?: (settings: Settings) => Promise<RunProfile[]>,
  /** OpenTelemetry export of each run of a comparison or an evaluation, as single runs are exported. */
  watch?: RunWatcher,
): RunHistory {
  const guarded = (what: string, action: () => Promise<void>) => async () => {
    try {
      await action();
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 500);
      log.error(`${what}: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', message));
    }
  };
  const history = registerRunsView(context, controller, log, () => evalsDir(context));
  context.subscriptions.push(
    vscode.commands.registerCommand('thoughtscope.compareTechniques', guarded('Compare', () => compareCommand(context, controller, keys, log, history, profilesFor, watch))),
    vscode.commands.registerCommand('thoughtscope.evaluateDataset', guarded('Evaluate', () => evaluateCommand(context, keys, log, watch))),
    // The Resume button passes the evaluation's name; from the palette there is none and a list opens.
    vscode.commands.registerCommand('thoughtscope.resumeEvaluation', (name?: unknown) => guarded('Resume evaluation', () => resumeEvaluationCommand(context, keys, log, name, watch))()),
    // The explorer and the editor title pass the file's URI; from the palette the active editor's file is run.
    vscode.commands.registerCommand('thoughtscope.runExperiment', (uri?: unknown) => guarded('Run experiment', () => runExperimentCommand(context, keys, log, profilesFor, uri, false, watch))()),
  );
  return history;
}
