// "Thoughtscope: Calibrate FrugalGPT Cascade…": the stages of the frugal technique's settings, a labelled
// JSONL/CSV file, a tolerance; runs every stage on every item (cancellable), shows what it chose, and
// offers to save the cascade as a profile.
import * as vscode from 'vscode';
import { loadDataset } from './core/eval/dataset';
import { formatUsd } from './core/pricing';
import { splitNames } from './core/profiles';
import { Run, type RunProfile } from './core/run/run';
import { resolveTask } from './core/tasks/registry';
import { calibrateCascade, cascadeProfile, describeCalibration } from './core/techniques/frugal/calibrate';
import type { Scorer } from './core/techniques/frugal/stage';
import { addProfile } from './profileStatus';
import { SECTION } from './settingsSchema';

export async function calibrateCascadeCommand(profilesForRun: () => Promise<RunProfile[] | undefined>, log: vscode.LogOutputChannel): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const names = splitNames(config.get<string>('techniques.frugal.stages') ?? '');
  if (names.length < 2) {
    const open = 'Open Settings';
    const choice = await vscode.window.showWarningMessage('Thoughtscope: set at least two stages (profile names, cheapest first) in thoughtscope.techniques.frugal.stages first.', open);
    if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.techniques.frugal.stages`);
    return;
  }
  const files = await vscode.window.showOpenDialog({ title: 'Labelled data: one {"input", "expected"} per line', filters: { 'JSON Lines or CSV': ['jsonl', 'csv'] }, canSelectMany: false });
  if (!files?.[0]) return;
  const toleranceText = await vscode.window.showInputBox({ title: 'Accuracy tolerance', prompt: 'How far below the best single model the cascade may fall (0.02 = 2 points)', value: '0.02', validateInput: (v) => (Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) <= 1 ? undefined : 'A number from 0 to 1') });
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
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Thoughtscope: calibrating', cancellable: true }, async (progress, token) => {
      const run = new Run({ model: stages[0].model, profiles, concurrency: config.get<number>('concurrency') ?? 4, budget: { maxUsd: budget }, logger: log });
      token.onCancellationRequested(() => run.cancel());
      const r = await calibrateCascade(run, (input) => resolveTask('auto', input)!, items, { stages, scorer, samples, temperature: 0.7, judge, tolerance: Number(toleranceText), maxLength: 0, testShare: items.length >= 2 ? 0.5 : 0, seed: 0 }, (done) =>
        progress.report({ message: `${done} of ${items.length} items, ${formatUsd(run.totals().costUsd)}`, increment: 100 / items.length }),
      );
      log.info(`Calibration of ${names.join(' → ')} on ${items.length} items (${formatUsd(run.totals().costUsd)}):\n${describeCalibration(names, r).join('\n')}`);
      return r;
    });
    const save = 'Save as Profile…';
    const thresholds = result.best.thresholds.map((t) => (t > 1 ? 'never' : t.toFixed(2))).join(', ');
    // Held-out figures when the file was split (the thresholds were fitted on the other half).
    const shown = result.test ?? { cascade: result.best, singles: result.singles };
    const choice = await vscode.window.showInformationMessage(
      `Thoughtscope: thresholds [${thresholds}] — ${result.test ? 'on held-out items: ' : ''}accuracy ${(shown.cascade.accuracy * 100).toFixed(1)}% at ${formatUsd(shown.cascade.costUsd)} (best single model ${(shown.singles[result.bestSingle].accuracy * 100).toFixed(1)}% at ${formatUsd(shown.singles[result.bestSingle].costUsd)}). Details in the log.`,
      save,
    );
    if (choice !== save) return;
    const name = await vscode.window.showInputBox({ title: 'Cascade profile name', value: `cascade-${names.join('-')}`.slice(0, 64), validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v) ? undefined : 'Letters, digits, ".", "_" or "-"') });
    if (!name) return;
    await addProfile(cascadeProfile(name, names, result, scorer, samples), false);
    void vscode.window.showInformationMessage(`Thoughtscope: saved cascade profile "${name}"; run it with the frugal technique and stages = ${name}.`);
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    log.error(`Calibration failed: ${message}`);
    void vscode.window.showErrorMessage(`Thoughtscope: calibration stopped: ${message}`);
  }
}
