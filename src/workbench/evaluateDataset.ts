// "Thoughtscope: Evaluate on Dataset": a technique, a scorer and a data file (or Game of 24 rows), run
// with a progress notification (done of total, running accuracy, cost so far, time left) and Cancel.
// Results and the checkpoint go to .thoughtscope/evals in the workspace; the report (accuracy against
// cost per item over every evaluation of the same data there, with the Pareto frontier) opens as a
// chart and is written as report.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DatasetError, loadDataset, loadGame24Range } from '../core/eval/dataset';
import { evaluate } from '../core/eval/evaluate';
import { SCORERS } from '../core/eval/scorers';
import type { EvalItem, EvalResults } from '../core/eval/types';
import { formatUsd } from '../core/pricing';
import { buildReport, reportMarkdown } from '../core/report/pareto';
import { findTask } from '../core/tasks/registry';
import { TECHNIQUES } from '../core/techniques/registry';
import { readTechniqueParams } from '../settings';
import type { ApiKeyStore } from '../secrets';
import { modelFromSettings } from './modelFromSettings';
import { openWorkbenchPanel } from './workbenchPanel';

export async function evaluateCommand(context: vscode.ExtensionContext, keys: ApiKeyStore, log: vscode.LogOutputChannel): Promise<void> {
  const technique = (await vscode.window.showQuickPick(TECHNIQUES.map((t) => ({ label: t.name, description: t.id, t })), { title: 'Evaluate on Dataset (1/3): technique' }))?.t;
  if (!technique) return;
  const scorer = (await vscode.window.showQuickPick(SCORERS.map((s) => ({ label: s.id, detail: s.description, s })), { title: 'Evaluate on Dataset (2/3): how to score answers' }))?.s;
  if (!scorer) return;
  const data = await chooseItems(scorer.id, scorer.needsExpected);
  if (!data) return;
  const task = findTask(scorer.taskId);
  if (!task) throw new Error(`the "${scorer.taskId}" task is not available in this build`);

  const setup = await modelFromSettings(keys, log);
  const model = setup.make();
  const outDir = outputDir(context);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const name = `${technique.id}-${model.model.replace(/[^\w.-]+/g, '_')}-${stamp}`;
  const started = Date.now();
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Thoughtscope: ${technique.name} on ${data.dataset}`, cancellable: true },
    async (progress, token) => {
      const stop = new AbortController();
      const sub = token.onCancellationRequested(() => stop.abort());
      progress.report({ message: `0/${data.items.length}` });
      try {
        return await evaluate({
          technique,
          task,
          scorer,
          items: data.items,
          model,
          params: readTechniqueParams(setup.config, technique, setup.settings.temperature),
          concurrency: setup.settings.concurrency,
          runOptions: setup.runOptions,
          checkpoint: join(outDir, `${name}.checkpoint.jsonl`),
          dataset: data.dataset,
          signal: stop.signal,
          onItem: (_item, p) => {
            const perItem = p.elapsedMs / Math.max(1, p.doneThisSession);
            const left = Math.round(((p.total - p.done) * perItem) / 1000);
            progress.report({
              increment: 100 / p.total,
              message: `${p.done}/${p.total} · ${((100 * p.correct) / p.done).toFixed(0)}% correct · ${formatUsd(p.costUsd)} · ~${left} s left`,
            });
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  const resultsPath = join(outDir, `${name}.json`);
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  const s = results.summary;
  log.info(`Evaluation ${name}: ${s.correct}/${s.total} correct, ${formatUsd(s.costUsd)}, ${Math.round((Date.now() - started) / 1000)} s; results in ${resultsPath}`);
  const note = results.meta.unfinished ? ` ${results.meta.unfinished} items unfinished (${results.meta.stopped ?? 'stopped'}); finish them with "thoughtscope eval ... --resume --checkpoint ${name}.checkpoint.jsonl".` : '';
  void vscode.window.showInformationMessage(`Thoughtscope: ${technique.name}: ${s.correct}/${s.total} correct (${(100 * s.accuracy).toFixed(1)}%), ${formatUsd(s.costUsd)}.${note}`);

  // The report covers every evaluation of the same data and scorer in the folder.
  const same = readAllResults(outDir, log).filter((r) => r.meta.dataset === results.meta.dataset && r.meta.task === results.meta.task);
  const report = buildReport(same);
  writeFileSync(join(outDir, 'report.md'), reportMarkdown(report));
  openWorkbenchPanel(context.extensionUri, 'Thoughtscope: Evaluation Report', { type: 'report', report });
}

function outputDir(context: vscode.ExtensionContext): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const dir = folder ? join(folder, '.thoughtscope', 'evals') : join((context.storageUri ?? context.globalStorageUri).fsPath, 'evals');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function readAllResults(dir: string, log: vscode.LogOutputChannel): EvalResults[] {
  const all: EvalResults[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as EvalResults;
      if (parsed?.meta?.technique && parsed.summary) all.push(parsed);
    } catch (err) {
      log.warn(`Skipped ${file} in the report: ${(err as Error).message}`);
    }
  }
  return all;
}

async function chooseItems(scorerId: string, needsExpected: boolean): Promise<{ items: EvalItem[]; dataset: string } | undefined> {
  try {
    if (scorerId === 'game24') {
      const guess = vscode.workspace.workspaceFolders?.map((f) => join(f.uri.fsPath, '..', 'shared', 'data', 'game24', '24.csv')).find((p) => existsSync(p));
      const picked = await vscode.window.showOpenDialog({ title: 'Game of 24 puzzles (24.csv)', filters: { CSV: ['csv'] }, defaultUri: guess ? vscode.Uri.file(guess) : undefined, canSelectMany: false });
      if (!picked?.[0]) return undefined;
      const range = await vscode.window.showInputBox({
        title: 'Evaluate on Dataset (3/3): puzzle rows',
        prompt: 'Row indices, both included (the ToT paper’s test set is 900-999)',
        value: '900-999',
        validateInput: (v) => (/^\s*\d+\s*-\s*\d+\s*$/.test(v) ? undefined : 'Write two row numbers, e.g. 900-999'),
      });
      if (!range) return undefined;
      const [from, to] = range.split('-').map((x) => Number(x.trim()));
      return { items: loadGame24Range(picked[0].fsPath, from, to), dataset: `24.csv rows ${from}-${to}` };
    }
    const picked = await vscode.window.showOpenDialog({ title: 'Evaluate on Dataset (3/3): JSONL or CSV with input and expected', filters: { Data: ['jsonl', 'csv'] }, canSelectMany: false });
    if (!picked?.[0]) return undefined;
    return { items: loadDataset(picked[0].fsPath, needsExpected), dataset: vscode.workspace.asRelativePath(picked[0]) };
  } catch (err) {
    if (err instanceof DatasetError) {
      void vscode.window.showErrorMessage(`Thoughtscope: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}
