// Entry point of the VS Code extension: wires the log, the API key store, the Thought Graph view,
// the run controller and the commands. Everything model-related lives in src/core (no vscode there).
import * as vscode from 'vscode';
import { registerResponseCache } from './cache/responseCache';
import { registerCommands } from './run/commands';
import { registerProfiles } from './models/profileCommands';
import { registerPot } from './programs/potInline';
import { registerRunInSandbox } from './programs/runInSandbox';
import { registerIclCommands } from './techniques/iclExamples';
import { registerWorkbench } from './workbench/register';
import { registerOtelExport } from './otel/otelExport';
import { registerProxy } from './proxy/proxyController';
import { registerRagIndexer } from './techniques/ragIndexer';
import { RunController } from './run/runController';
import { ApiKeyStore } from './models/secrets';
import { registerGraphCommands } from './view/graphCommands';
import { registerGraphEditorSerializer, ThoughtGraphViewProvider, VIEW_ID } from './view/thoughtGraphViewProvider';

let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // The engine's Logger: info/warn/error. API keys are never written here (only where a key came from).
  const log = vscode.window.createOutputChannel('Thoughtscope', { log: true });
  const keys = new ApiKeyStore(context.secrets);
  registerResponseCache(context, log);
  const view = new ThoughtGraphViewProvider(context.extensionUri, log);
  const profilesFor = registerProfiles(context, log);
  controller = new RunController(view, keys, log, profilesFor);

  context.subscriptions.push(
    log,
    view,
    controller,
    vscode.window.registerWebviewViewProvider(VIEW_ID, view),
    registerGraphEditorSerializer(view),
  );
  const otel = registerOtelExport(context, controller, log);
  registerCommands(context, controller, keys, log);
  registerGraphCommands(context, view, controller);
  registerIclCommands(context, log);
  const history = registerWorkbench(context, controller, keys, log, profilesFor, (run, meta) => otel.watch(run, meta));
  registerProxy(context, { controller, keys, log, history, otel, profilesFor });
  registerRagIndexer(context, log);
  registerPot(context, controller, log);
  registerRunInSandbox(context, log);
  void vscode.commands.executeCommand('setContext', 'thoughtscope.running', false);
  log.info(`Thoughtscope ${String(context.extension.packageJSON.version ?? '')} activated`);
}

export function deactivate(): void {
  // Stop a run in progress; the subscriptions above are disposed by VS Code.
  controller?.dispose();
  controller = undefined;
}
