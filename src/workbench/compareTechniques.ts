// "Thoughtscope: Compare Techniques": a multi-select of techniques and model profiles (remembered per
// workspace), the selection (or typed text) as input, an optional expected answer; all runs go in
// parallel within the concurrency setting, then a table and scatter open in a panel. A row opens its
// graph in the Thoughtscope view; every run is saved to the Runs history like any other finished run.
import * as vscode from 'vscode';
import { compareTechniques, type CompareEntry } from '../core/compare/compare';
import { findScorer } from '../core/eval/scorers';
import { REASONING_EFFORTS } from '../core/model/types';
import { Pricing } from '../core/pricing';
import type { RunProfile } from '../core/run/run';
import { techniqueHost } from '../techniques/iclExamples';
import { TECHNIQUES } from '../core/techniques/registry';
import { expectedScorer } from '../core/eval/taskScorer';
import { readTechniqueParams, settingsTask, type Settings } from '../settings/settings';
import type { RunController } from '../run/runController';
import type { ApiKeyStore } from '../models/secrets';
import type { CompareRowView } from '../shared/workbenchMessages';
import { modelFromSettings } from './modelFromSettings';
import type { RunHistory } from './runsView';
import { openWorkbenchPanel } from './workbenchPanel';
import type { RunWatcher } from '../otel/otelExport';

const PICKS_KEY = 'thoughtscope.compare.picks';

interface Pick extends vscode.QuickPickItem {
  key: string;
}

export async function compareCommand(
  context: vscode.ExtensionContext,
  controller: RunController,
  keys: ApiKeyStore,
  log: vscode.LogOutputChannel,
  history: RunHistory,
  profilesFor?: (settings: Settings) => Promise<RunProfile[]>,
  watch?: RunWatcher,
): Promise<void> {
  const setup = await modelFromSettings(keys, log);
  const profiles = ((await profilesFor?.(setup.settings)) ?? []).filter((p) => p.model);
  const remembered = new Set(context.workspaceState.get<string[]>(PICKS_KEY) ?? ['t:io', 't:cot']);
  const items: Array<Pick | vscode.QuickPickItem> = [
    { label: vscode.l10n.t('Techniques'), kind: vscode.QuickPickItemKind.Separator },
    ...TECHNIQUES.map((t) => ({ key: `t:${t.id}`, label: t.name, description: t.id, picked: remembered.has(`t:${t.id}`) })),
    ...(profiles.length ? [{ label: vscode.l10n.t('Model profiles (default: {0})', setup.settings.model), kind: vscode.QuickPickItemKind.Separator }] : []),
    ...profiles.map((p) => ({ key: `p:${p.name}`, label: p.name, description: p.model!.model, picked: remembered.has(`p:${p.name}`) })),
    { label: `Reasoning effort (none picked: ${setup.settings.reasoningEffort ?? 'the model default'})`, kind: vscode.QuickPickItemKind.Separator },
    ...REASONING_EFFORTS.map((e) => ({ key: `e:${e}`, label: e, description: 'reasoning_effort: one more run per technique and model', picked: remembered.has(`e:${e}`) })),
  ];
  const chosen = (await vscode.window.showQuickPick(items, { canPickMany: true, title: vscode.l10n.t('Thoughtscope: Compare Techniques'), placeHolder: vscode.l10n.t('Techniques (and model profiles) to run on the same input') })) as Pick[] | undefined;
  if (!chosen) return;
  await context.workspaceState.update(PICKS_KEY, chosen.map((c) => c.key));
  const techniques = TECHNIQUES.filter((t) => chosen.some((c) => c.key === `t:${t.id}`));
  if (techniques.length === 0) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: choose at least one technique to compare.'));
    return;
  }
  const chosenProfiles = profiles.filter((p) => chosen.some((c) => c.key === `p:${p.name}`));
  const input = await inputText();
  if (input === undefined) return;
  const expected = await vscode.window.showInputBox({ title: vscode.l10n.t('Expected answer (optional)'), prompt: vscode.l10n.t('Leave empty to compare answers with each other only.'), ignoreFocusOut: true });
  if (expected === undefined) return;

  const models = chosenProfiles.length ? chosenProfiles.map((p) => p.model!) : [setup.make()];
  const prices = Object.fromEntries(chosenProfiles.filter((p) => p.price).map((p) => [p.model!.model, p.price!]));
  const task = settingsTask(setup.settings, input, techniqueHost().templates!);
  // A task file's own scorer judges the expected answer when it can on the spot (not a model judge or a sandboxed function).
  const scorer = expectedScorer(task) ?? findScorer('exact');
  const picked = REASONING_EFFORTS.filter((e) => chosen.some((c) => c.key === `e:${e}`));
  const efforts = picked.length ? picked : [undefined];
  const entries: CompareEntry[] = models.flatMap((model) =>
    efforts.flatMap((reasoningEffort) => techniques.map((technique) => ({ technique, model, params: readTechniqueParams(setup.config, technique, setup.settings.temperature), ...(reasoningEffort ? { reasoningEffort } : {}) }))),
  );

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Thoughtscope: comparing {0} runs', entries.length), cancellable: true },
    async (_progress, token) => {
      const stop = new AbortController();
      const sub = token.onCancellationRequested(() => stop.abort());
      try {
        return await compareTechniques({
          input,
          task,
          entries,
          expected: expected.trim() ? expected : undefined,
          scorer: expected.trim() ? scorer : undefined,
          concurrency: setup.settings.concurrency,
          runOptions: { ...setup.runOptions, pricing: new Pricing({ ...setup.settings.pricing, ...prices }, { source: 'thoughtscope.pricing' }) },
          signal: stop.signal,
          onRunStart: watch && ((i, run) => watch(run, { technique: entries[i].technique, params: entries[i].params, input, task: task.id, ...(chosenProfiles.length ? {} : { baseUrl: setup.settings.baseUrl }) })),
        });
      } finally {
        sub.dispose();
      }
    },
  );
  // The server is known for runs of the configured model; a profile's may be another.
  history.save(result.rows.map((row) => row.trace), chosenProfiles.length ? {} : { baseUrl: setup.settings.baseUrl });
  const rows: CompareRowView[] = result.rows.map(({ trace: _trace, params: _params, message: _message, ...row }) => row);
  const names = new Map(TECHNIQUES.map((t) => [t.id, t.name]));
  openWorkbenchPanel(context.extensionUri, vscode.l10n.t('Thoughtscope: Compare'), { type: 'compare', input, expected: result.expected, rows }, (index) => {
    const row = result.rows[index];
    if (row) controller.showTrace(row.trace, names.get(row.technique));
  });
}

/** The selection of the active editor, else typed text. */
async function inputText(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  if (selected.trim()) return selected;
  const typed = await vscode.window.showInputBox({ title: vscode.l10n.t('Thoughtscope: Compare Techniques'), prompt: vscode.l10n.t('Nothing is selected: type the question or problem to compare on.'), ignoreFocusOut: true });
  if (typed !== undefined && !typed.trim()) void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: the input is empty; there is nothing to compare.'));
  return typed?.trim() ? typed : undefined;
}
