// "Thoughtscope: Calibrate FrugalGPT Cascade…": the stages of the frugal technique's settings, a labelled
// JSONL/CSV file, a tolerance; runs every stage on every item (cancellable), shows what it chose, and
// offers to save the cascade as a profile.
import * as vscode from 'vscode';
import { loadDataset } from '../core/eval/dataset';
import { formatUsd } from '../core/pricing';
import { splitNames } from '../core/profiles';
import { Run, type RunProfile } from '../core/run/run';
import { TemplateLibrary } from '../core/templates/library';
import { calibrateCascade, cascadeProfile, describeCalibration } from '../core/techniques/frugal/calibrate';
import type { Scorer } from '../core/techniques/frugal/stage';
import { techniqueHost } from '../techniques/iclExamples';
import { addProfile } from './profileStatus';
import { settingsTask } from '../settings/settings';
import { SECTION } from '../settings/settingsSchema';
import { readWorkspaceSettings } from '../settings/workspaceSettings';

export async function calibrateCascadeCommand(profilesForRun: () => Promise<RunProfile[] | undefined>, log: vscode.LogOutputChannel): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const names = splitNames(config.get<string>('techniques.frugal.stages') ?? '');
  if (names.length < 2) {
    const open = vscode.l10n.t('Open Settings');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: set at least two stages (profile names, cheapest first) in thoughtscope.techniques.frugal.stages first.'), open);
    if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.techniques.frugal.stages`);
    return;
  }
  const files = await vscode.window.showOpenDialog({ title: vscode.l10n.t('Labelled data: one {"input", "expected"} per line'), filters: { [vscode.l10n.t('JSON Lines or CSV')]: ['jsonl', 'csv'] }, canSelectMany: false });
  if (!files?.[0]) return;
  const toleranceText = await vscode.window.showInputBox({ title: vscode.l10n.t('Accuracy tolerance'), prompt: vscode.l10n.t('How far below the best single model the cascade may fall (0.02 = 2 points)'), value: '0.02', validateInput: (v) => (Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) <= 1 ? undefined : vscode.l10n.t('A number from 0 to 1')) });
  if (toleranceText === undefined) return;
  const profiles = await profilesForRun();
  if (!profiles) return;
  try {
    const items = loadDataset(files[0].fsPath, true);
    const stages = names.map((name) => {
      const model = profiles.find((p) => p.name === name)?.model;
      if (!model) throw new Error(`stage "${name}" is not a model profile; known: ${profiles.filter((p) => p.model).map((p) => p.name).join(', ') || '(none)'}`);
      return { name, model };
    });
    const scorer = (config.get<string>('techniques.frugal.scorer') ?? 'agreement') as Scorer;
    const samples = config.get<number>('techniques.frugal.samples') ?? 3;
    const judgeName = config.get<string>('techniques.frugal.judge') ?? '';
    const judge = profiles.find((p) => p.name === judgeName)?.model;
    if (scorer === 'judge' && !judge) throw new Error('the judge scorer needs a judge profile (a cheap one) in thoughtscope.techniques.frugal.judge');
    const budget = config.get<number>('budget.maxUsd') || undefined;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Thoughtscope: calibrating'), cancellable: true }, async (progress, token) => {
      const run = new Run({ model: stages[0].model, profiles, concurrency: config.get<number>('concurrency') ?? 4, budget: { maxUsd: budget }, logger: log });
      token.onCancellationRequested(() => run.cancel());
      // The task of thoughtscope.task (a built-in one, or a task file) with the workspace's template
      // overrides, as runs use them (trusted workspaces only).
      const settings = readWorkspaceSettings(config);
      const templates = techniqueHost().templates ?? TemplateLibrary.builtIn();
      const taskFor = (input: string) => settingsTask(settings, input, templates);
      const r = await calibrateCascade(run, taskFor, items, { stages, scorer, samples, temperature: 0.7, judge, tolerance: Number(toleranceText), maxLength: 0, testShare: items.length >= 2 ? 0.5 : 0, seed: 0 }, (done) =>
        progress.report({ message: vscode.l10n.t('{0} of {1} items, {2}', done, items.length, formatUsd(run.totals().costUsd)), increment: 100 / items.length }),
      );
      log.info(`Calibration of ${names.join(' → ')} on ${items.length} items (${formatUsd(run.totals().costUsd)}):\n${describeCalibration(names, r).join('\n')}`);
      return r;
    });
    const save = vscode.l10n.t('Save as Profile…');
    const thresholds = result.best.thresholds.map((t) => (t > 1 ? vscode.l10n.t('never') : t.toFixed(2))).join(', ');
    // Held-out figures when the file was split (the thresholds were fitted on the other half).
    const shown = result.test ?? { cascade: result.best, singles: result.singles };
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Thoughtscope: thresholds [{0}] — {1}accuracy {2}% at {3} (best single model {4}% at {5}). Details in the log.',
        thresholds,
        result.test ? vscode.l10n.t('on held-out items: ') : '',
        (shown.cascade.accuracy * 100).toFixed(1),
        formatUsd(shown.cascade.costUsd),
        (shown.singles[result.bestSingle].accuracy * 100).toFixed(1),
        formatUsd(shown.singles[result.bestSingle].costUsd),
      ),
      save,
    );
    if (choice !== save) return;
    const name = await vscode.window.showInputBox({ title: vscode.l10n.t('Cascade profile name'), value: `cascade-${names.join('-')}`.slice(0, 64), validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v) ? undefined : vscode.l10n.t('Letters, digits, ".", "_" or "-"')) });
    if (!name) return;
    await addProfile(cascadeProfile(name, names, result, scorer, samples), false);
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: saved cascade profile "{0}"; run it with the frugal technique and stages = {0}.', name));
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    log.error(`Calibration failed: ${message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: calibration stopped: {0}', message));
  }
}
