// The "Runs" tree view: every finished run is saved (its trace, never a key) in the workspace storage:
// runs of the run controller, and the runs of Compare Techniques (through the returned RunHistory);
// items reopen the graph (no model needed), rerun with the same parameters and model, export, delete.
import * as vscode from 'vscode';
import { RunStore, type RunSettings, type SavedRunMeta } from '../core/history/runStore';
import { formatUsd } from '../core/pricing';
import { findTechnique } from '../core/techniques/registry';
import { toTrace, type Trace } from '../core/trace';
import type { RunController } from '../runController';

export const RUNS_VIEW_ID = 'thoughtscope.runs';

class RunsTree implements vscode.TreeDataProvider<SavedRunMeta> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    readonly store: RunStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: SavedRunMeta): SavedRunMeta[] {
    if (element) return [];
    return this.store.list((file, problem) => this.log.warn(`Skipped saved run ${file}: ${problem}`));
  }

  getTreeItem(run: SavedRunMeta): vscode.TreeItem {
    const item = new vscode.TreeItem(`${run.technique} · ${run.inputExcerpt}`);
    const answer = run.outcome === 'done' ? (run.answer ?? '').replace(/\s+/g, ' ').slice(0, 40) : run.outcome;
    const date = new Date(run.savedAt).toLocaleString();
    item.description = `${answer} · ${formatUsd(run.costUsd)} · ${date}`;
    item.tooltip = `${run.technique} on ${run.model} (${run.task})\nAnswer: ${run.answer ?? '(none)'}\nCost: ${formatUsd(run.costUsd)}\nSaved: ${date}`;
    item.contextValue = 'thoughtscope.savedRun';
    item.iconPath = new vscode.ThemeIcon(run.outcome === 'done' ? 'pass' : 'warning');
    item.command = { command: 'thoughtscope.runs.open', title: 'Open Graph', arguments: [run] };
    return item;
  }
}

/** Saves finished runs made outside the run controller (e.g. compared runs) to the history. */
export interface RunHistory {
  save(traces: readonly Trace[], settings: RunSettings): void;
}

export function registerRunsView(context: vscode.ExtensionContext, controller: RunController, log: vscode.LogOutputChannel): RunHistory {
  const base = context.storageUri ?? context.globalStorageUri;
  const tree = new RunsTree(new RunStore(vscode.Uri.joinPath(base, 'runs').fsPath), log);
  const { store } = tree;
  const save = (traces: () => readonly Trace[], settings: RunSettings) => {
    try {
      for (const trace of traces()) store.save(trace, settings);
    } catch (err) {
      log.warn(`Could not save the run to the history: ${(err as Error).message}`);
    }
    tree.refresh();
  };
  const load = (meta: SavedRunMeta | undefined) => {
    if (!meta) {
      void vscode.window.showInformationMessage('Thoughtscope: choose a run in the Runs view.');
      return undefined;
    }
    try {
      return store.load(meta.id);
    } catch (err) {
      void vscode.window.showErrorMessage(`Thoughtscope: cannot open the saved run: ${(err as Error).message}`);
      return undefined;
    }
  };

  context.subscriptions.push(
    vscode.window.registerTreeDataProvider(RUNS_VIEW_ID, tree),
    controller.onDidFinishRun(({ report, run, baseUrl }) => save(() => [toTrace(report, run.graph)], { baseUrl })),
    vscode.commands.registerCommand('thoughtscope.runs.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('thoughtscope.runs.open', (meta?: SavedRunMeta) => {
      const saved = load(meta);
      if (saved) controller.showTrace(saved.trace, findTechnique(saved.technique)?.name);
    }),
    vscode.commands.registerCommand('thoughtscope.runs.rerun', async (meta?: SavedRunMeta) => {
      const saved = load(meta);
      if (!saved) return;
      const technique = findTechnique(saved.technique);
      if (!technique) {
        void vscode.window.showErrorMessage(`Thoughtscope: the technique "${saved.technique}" is not available in this build.`);
        return;
      }
      log.info(`Rerunning saved run ${saved.id} (${saved.technique} on ${saved.model}${saved.settings.baseUrl ? ` at ${saved.settings.baseUrl}` : ''}) with its parameters`);
      await controller.start(technique, saved.trace.input, undefined, { params: saved.trace.params, model: saved.trace.model });
    }),
    vscode.commands.registerCommand('thoughtscope.runs.delete', async (meta?: SavedRunMeta) => {
      if (!meta) return;
      const remove = 'Delete';
      const choice = await vscode.window.showWarningMessage(`Delete the saved ${meta.technique} run “${meta.inputExcerpt}”?`, { modal: true }, remove);
      if (choice !== remove) return;
      store.delete(meta.id);
      tree.refresh();
    }),
    vscode.commands.registerCommand('thoughtscope.runs.export', async (meta?: SavedRunMeta) => {
      const saved = load(meta);
      if (!saved) return;
      // JSON trace, Mermaid, Markdown report, SVG, PNG (src/exportFormats.ts); images open the run in the view first.
      await controller.exportSaved(saved.trace, new Date(saved.savedAt), findTechnique(saved.technique)?.name);
    }),
  );
  return { save: (traces, settings) => save(() => traces, settings) };
}
