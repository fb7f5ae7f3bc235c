// The "Runs" tree view: every finished run is saved (its trace, never a key) in the workspace storage:
// runs of the run controller, and the runs of Compare Techniques (through the returned RunHistory);
// items reopen the graph (no model needed), rerun with the same parameters and model, export, delete.
// Above them, the evaluations in .thoughtscope/evals (core/history/evaluations.ts): expanded, one row
// per finished item, which opens that item's kept trace the same way.
import * as vscode from 'vscode';
import { evaluationItemLabel, evaluationItems, evaluationLabel, listEvaluations, loadEvaluationTrace, type EvaluationEntry, type EvaluationItem } from '../core/history/evaluations';
import { excerpt, RunStore, type RunSettings, type SavedRunMeta } from '../core/history/runStore';
import { formatUsd } from '../core/pricing';
import { findTechnique } from '../core/techniques/registry';
import { toTrace, type Trace } from '../core/trace';
import type { RunController } from '../run/runController';
import { redactedUrl } from '../core/model/redactUrl';

export const RUNS_VIEW_ID = 'thoughtscope.runs';

/** An evaluation, one of its items, or a one-line problem shown in its place. */
type EvalNode = { kind: 'evaluation'; dir: string; entry: EvaluationEntry } | { kind: 'evalItem'; dir: string; name: string; item: EvaluationItem } | { kind: 'problem'; text: string };
type RunsNode = SavedRunMeta | EvalNode;

class RunsTree implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    readonly store: RunStore,
    private readonly evalsDir: () => string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: RunsNode): RunsNode[] {
    if (element) return 'kind' in element && element.kind === 'evaluation' ? this.itemsOf(element) : [];
    const dir = this.evalsDir();
    let evaluations: EvalNode[] = [];
    try {
      evaluations = listEvaluations(dir).map((entry) => ({ kind: 'evaluation', dir, entry }));
    } catch (err) {
      this.log.warn(`Could not list the evaluations in ${dir}: ${(err as Error).message}`);
    }
    return [...evaluations, ...this.store.list((file, problem) => this.log.warn(`Skipped saved run ${file}: ${problem}`))];
  }

  private itemsOf({ dir, entry }: { dir: string; entry: EvaluationEntry }): EvalNode[] {
    if (entry.problem) return [{ kind: 'problem', text: entry.problem }];
    const { items, problem } = evaluationItems(dir, entry.name);
    if (problem) this.log.warn(problem);
    return [
      ...(problem ? [{ kind: 'problem', text: problem } as const] : []),
      ...(items.length === 0 ? [{ kind: 'problem', text: vscode.l10n.t('no item has finished yet') } as const] : []),
      ...items.map((item) => ({ kind: 'evalItem', dir, name: entry.name, item }) as const),
    ];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (!('kind' in node)) return this.runItem(node);
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(node.text);
      item.tooltip = node.text;
      item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    if (node.kind === 'evaluation') {
      const e = node.entry;
      const item = new vscode.TreeItem(evaluationLabel(e), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `evaluation:${e.name}`;
      const unfinished = e.total !== undefined && e.total > e.finished ? ` · ${vscode.l10n.t('{0} unfinished', e.total - e.finished)}` : '';
      item.description = `${formatUsd(e.costUsd)}${unfinished}${e.traced ? '' : ` · ${vscode.l10n.t('no traces kept')}`} · ${new Date(e.updated).toLocaleString()}`;
      item.tooltip = `${e.name} (${e.task})${e.problem ? `\n${e.problem}` : ''}\n${vscode.l10n.t('Cost: {0}', formatUsd(e.costUsd))}${unfinished}\n${vscode.l10n.t('In {0}', node.dir)}`;
      item.contextValue = 'thoughtscope.evaluation';
      item.iconPath = new vscode.ThemeIcon(e.problem ? 'warning' : 'beaker');
      return item;
    }
    const { item: result, name } = node;
    const item = new vscode.TreeItem(evaluationItemLabel(result));
    item.id = `evaluation:${name}:${result.index}`;
    item.description = `${formatUsd(result.costUsd)} · ${excerpt(result.input, 50)}${result.traced ? '' : ` · ${vscode.l10n.t('no trace kept')}`}`;
    item.tooltip = [
      vscode.l10n.t('Item {0}: {1}', result.index, result.correct ? vscode.l10n.t('correct') : vscode.l10n.t('wrong')),
      vscode.l10n.t('Input: {0}', excerpt(result.input, 300)),
      vscode.l10n.t('Answer: {0}', excerpt(result.answer, 300) || vscode.l10n.t('(none)')),
      vscode.l10n.t('Cost: {0} · {1} calls', formatUsd(result.costUsd), result.calls),
    ].join('\n');
    item.contextValue = 'thoughtscope.evaluationItem';
    item.command = { command: 'thoughtscope.runs.openEvaluationItem', title: vscode.l10n.t('Open Graph'), arguments: [node] };
    return item;
  }

  private runItem(run: SavedRunMeta): vscode.TreeItem {
    const item = new vscode.TreeItem(`${run.technique} · ${run.inputExcerpt}`);
    const answer = run.outcome === 'done' ? (run.answer ?? '').replace(/\s+/g, ' ').slice(0, 40) : run.outcome;
    const date = new Date(run.savedAt).toLocaleString();
    item.description = `${answer} · ${formatUsd(run.costUsd)} · ${date}`;
    item.tooltip = [
      vscode.l10n.t('{0} on {1} ({2})', run.technique, run.model, run.task),
      vscode.l10n.t('Answer: {0}', run.answer ?? vscode.l10n.t('(none)')),
      vscode.l10n.t('Cost: {0}', formatUsd(run.costUsd)),
      vscode.l10n.t('Saved: {0}', date),
    ].join('\n');
    item.contextValue = 'thoughtscope.savedRun';
    item.iconPath = new vscode.ThemeIcon(run.outcome === 'done' ? 'pass' : 'warning');
    item.command = { command: 'thoughtscope.runs.open', title: vscode.l10n.t('Open Graph'), arguments: [run] };
    return item;
  }
}

/** Saves finished runs made outside the run controller (compared runs, proxy requests) to the history. */
export interface RunHistory {
  save(traces: readonly Trace[], settings: RunSettings): void;
  /** One run; its id in the history, or undefined when it could not be saved (logged). */
  saveOne(trace: Trace, settings: RunSettings): string | undefined;
}

export function registerRunsView(context: vscode.ExtensionContext, controller: RunController, log: vscode.LogOutputChannel, evalsDir: () => string): RunHistory {
  const base = context.storageUri ?? context.globalStorageUri;
  const tree = new RunsTree(new RunStore(vscode.Uri.joinPath(base, 'runs').fsPath), evalsDir, log);
  const { store } = tree;
  const save = (traces: () => readonly Trace[], settings: RunSettings, saved?: (meta: SavedRunMeta) => void) => {
    try {
      for (const trace of traces()) {
        const meta = store.save(trace, settings);
        saved?.(meta);
      }
    } catch (err) {
      log.warn(`Could not save the run to the history: ${(err as Error).message}`);
    }
    tree.refresh();
  };
  const load = (meta: SavedRunMeta | undefined) => {
    if (!meta) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: choose a run in the Runs view.'));
      return undefined;
    }
    try {
      return store.load(meta.id);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: cannot open the saved run: {0}', (err as Error).message));
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
    vscode.commands.registerCommand('thoughtscope.runs.openEvaluationItem', (node?: EvalNode) => {
      if (node?.kind !== 'evalItem') return;
      const { dir, name, item } = node;
      try {
        const trace = loadEvaluationTrace(dir, name, item.index);
        controller.showTrace(trace, findTechnique(trace.technique)?.name);
      } catch (err) {
        const message = excerpt((err as Error).message, 500);
        log.warn(`Could not open item ${item.index} of ${name}: ${message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t("Thoughtscope: cannot open item {0}'s graph: {1}", item.index, message));
      }
    }),
    vscode.commands.registerCommand('thoughtscope.runs.rerun', async (meta?: SavedRunMeta) => {
      const saved = load(meta);
      if (!saved) return;
      const technique = findTechnique(saved.technique);
      if (!technique) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: the technique "{0}" is not available in this build.', saved.technique));
        return;
      }
      log.info(`Rerunning saved run ${saved.id} (${saved.technique} on ${saved.model}${saved.settings.baseUrl ? ` at ${redactedUrl(saved.settings.baseUrl)}` : ''}) with its parameters`);
      await controller.start(technique, saved.trace.input, undefined, { params: saved.trace.params, model: saved.trace.model });
    }),
    vscode.commands.registerCommand('thoughtscope.runs.delete', async (meta?: SavedRunMeta) => {
      if (!meta) return;
      const remove = vscode.l10n.t('Delete');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Delete the saved {0} run “{1}”?', meta.technique, meta.inputExcerpt), { modal: true }, remove);
      if (choice !== remove) return;
      store.delete(meta.id);
      tree.refresh();
    }),
    // The saved run in the Thought Graph editor tab (the side view shows it too).
    vscode.commands.registerCommand('thoughtscope.runs.openInEditor', async (meta?: SavedRunMeta) => {
      const saved = load(meta);
      if (saved && controller.showTrace(saved.trace, findTechnique(saved.technique)?.name)) await vscode.commands.executeCommand('thoughtscope.openGraphInEditor');
    }),
    vscode.commands.registerCommand('thoughtscope.openSavedRunInEditor', async () => {
      const runs = store.list((file, problem) => log.warn(`Skipped saved run ${file}: ${problem}`));
      if (runs.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: no saved runs yet; every finished run is saved in the Runs view.'));
        return;
      }
      const picked = await vscode.window.showQuickPick(
        runs.map((meta) => ({ label: meta.inputExcerpt, description: `${meta.technique} · ${meta.model}`, detail: new Date(meta.savedAt).toLocaleString(), meta })),
        { title: vscode.l10n.t('Thoughtscope: Open Saved Run in Editor'), placeHolder: vscode.l10n.t('Choose a saved run'), matchOnDescription: true },
      );
      if (picked) await vscode.commands.executeCommand('thoughtscope.runs.openInEditor', picked.meta);
    }),
    vscode.commands.registerCommand('thoughtscope.runs.export', async (meta?: SavedRunMeta) => {
      const saved = load(meta);
      if (!saved) return;
      // JSON trace, Mermaid, Markdown report, SVG, PNG (src/export/exportFormats.ts); images open the run in the view first.
      await controller.exportSaved(saved.trace, new Date(saved.savedAt), findTechnique(saved.technique)?.name);
    }),
  );
  return {
    save: (traces, settings) => save(() => traces, settings),
    saveOne: (trace, settings) => {
      let id: string | undefined;
      save(() => [trace], settings, (meta) => (id = meta.id));
      return id;
    },
  };
}
