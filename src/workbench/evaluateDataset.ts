// "Thoughtscope: Evaluate on Dataset": a technique, a scorer and a data file (or Game of 24 rows), run
// with a progress notification (done of total, running accuracy, cost so far, time left) and Cancel.
// Results, the checkpoint, each item's run trace (for the Runs view) and a sidecar saying where the items
// came from go to .thoughtscope/evals in the workspace; the report (accuracy against cost per item over every evaluation of the same data
// there, with the Pareto frontier) opens as a chart and is written as report.md.
// "Thoughtscope: Resume Evaluation" (also the Resume button when items are unfinished) continues one.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { DatasetError } from '../core/eval/dataset';
import { evaluate } from '../core/eval/evaluate';
import { evalPaths, explainRefusal, listResumable, loadSourceItems, planResume, ResumeError, writeEvalSource, type EvalSource } from '../core/eval/resumable';
import { taskData, taskDataItems, type TaskData } from '../core/eval/evalTask';
import { SCORERS, type Scorer } from '../core/eval/scorers';
import { scorerForTask } from '../core/eval/taskScorer';
import type { EvalItem, EvalResults } from '../core/eval/types';
import type { ChatModel } from '../core/model/types';
import { formatUsd } from '../core/pricing';
import { buildReport, reportMarkdown } from '../core/report/pareto';
import { GAME24_PUZZLES_FILE } from '../core/tasks/game24';
import { findTask } from '../core/tasks/registry';
import { techniqueHost } from '../techniques/iclExamples';
import type { Task } from '../core/tasks/types';
import { TECHNIQUES } from '../core/techniques/registry';
import type { Technique } from '../core/techniques/types';
import { readTechniqueParams, settingsTask } from '../settings/settings';
import type { ApiKeyStore } from '../models/secrets';
import { modelFromSettings, type SettingsModel } from './modelFromSettings';
import { openWorkbenchPanel } from './workbenchPanel';
import type { RunWatcher } from '../otel/otelExport';

export async function evaluateCommand(context: vscode.ExtensionContext, keys: ApiKeyStore, log: vscode.LogOutputChannel, watch?: RunWatcher): Promise<void> {
  const setup = await modelFromSettings(keys, log);
  const templates = techniqueHost().templates!;
  // A task file in thoughtscope.task offers its own scorer first (its prompts, answer reading and examples come with it).
  const fileTask = setup.settings.taskFile ? settingsTask(setup.settings, '', templates) : undefined;
  const fileScorer = fileTask && scorerForTask(fileTask);
  const technique = (await vscode.window.showQuickPick(TECHNIQUES.map((t) => ({ label: t.name, description: t.id, t })), { title: vscode.l10n.t('Evaluate on Dataset (1/3): technique') }))?.t;
  if (!technique) return;
  const scorers = [
    ...(fileScorer ? [{ label: fileScorer.id, description: vscode.l10n.t('the task file in thoughtscope.task'), detail: fileScorer.description, s: fileScorer }] : []),
    ...SCORERS.map((s) => ({ label: s.id, detail: s.description, s })),
  ];
  const scorer = (await vscode.window.showQuickPick(scorers, { title: vscode.l10n.t('Evaluate on Dataset (2/3): how to score answers') }))?.s;
  if (!scorer) return;
  const own = scorer === fileScorer ? fileTask : undefined;
  const data = await chooseItems(context.extensionUri, scorer.id, scorer.needsExpected, own && taskData(own));
  if (!data) return;
  const found = own ?? findTask(scorer.taskId);
  if (!found) throw new Error(`the "${scorer.taskId}" task is not available in this build`);
  const task = found.withTemplates(templates);

  const model = setup.make();
  const outDir = outputDir(context);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const name = `${technique.id}-${model.model.replace(/[^\w.-]+/g, '_')}-${stamp}`;
  // How the items were chosen, so "Resume Evaluation" can load them again.
  // A task file's scorer is recorded as the file's path, so Resume reads the same file again.
  writeEvalSource(evalPaths(outDir, name).source, { technique: technique.id, scorer: own ? own.file : scorer.id, dataset: data.dataset, source: data.source, total: data.items.length });
  await runAndReport(context, log, setup, { name, outDir, technique, task, scorer, items: data.items, dataset: data.dataset, model, resume: false, watch });
}

/** "Thoughtscope: Resume Evaluation": `name` (from the Resume button) or one chosen from the evaluations with unfinished items. */
export async function resumeEvaluationCommand(context: vscode.ExtensionContext, keys: ApiKeyStore, log: vscode.LogOutputChannel, name?: unknown, watch?: RunWatcher): Promise<void> {
  const outDir = outputDir(context);
  const resumable = listResumable(outDir);
  let chosen = typeof name === 'string' ? resumable.find((r) => r.name === name) : undefined;
  if (!chosen) {
    if (resumable.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: no evaluation in {0} has unfinished items.', outDir));
      return;
    }
    chosen = (
      await vscode.window.showQuickPick(
        resumable.map((r) => ({
          label: `${r.problem ? '$(warning) ' : ''}${r.technique}`,
          description: `${r.model} · ${r.dataset}`,
          detail: r.problem ?? `${r.finished}/${r.total ?? '?'} done${r.stopped ? ` · stopped: ${r.stopped}` : ''} · ${r.updated.toLocaleString()}`,
          r,
        })),
        { title: vscode.l10n.t('Resume Evaluation'), placeHolder: vscode.l10n.t('An evaluation with unfinished items') },
      )
    )?.r;
    if (!chosen) return;
  }
  if (chosen.problem) throw new ResumeError(`cannot resume ${chosen.name}: ${chosen.problem}`);
  const plan = planResume(outDir, chosen.name, techniqueHost().templates);
  const setup = await modelFromSettings(keys, log);
  const { technique, task, scorer, items, record } = plan;
  await runAndReport(context, log, setup, { name: chosen.name, outDir, technique, task, scorer, items, dataset: record.dataset, model: setup.make(), resume: true, done: chosen.finished, watch });
}

interface EvaluationJob {
  name: string;
  outDir: string;
  technique: Technique;
  task: Task;
  scorer: Scorer;
  items: EvalItem[];
  dataset: string;
  model: ChatModel;
  /** Continue the checkpoint (its items are not run again). */
  resume: boolean;
  /** Items already in the checkpoint, for the progress bar. */
  done?: number;
  /** OpenTelemetry export of each item's run. */
  watch?: RunWatcher;
}

/** Evaluations running now, by name: a second Resume of one (a double click) would run items twice. */
const running = new Set<string>();

/** Runs the evaluation with progress and Cancel, writes `<name>.json` and report.md, and opens the report. */
async function runAndReport(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, setup: SettingsModel, job: EvaluationJob): Promise<void> {
  if (running.has(job.name)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: {0} is already running.', job.name));
    return;
  }
  running.add(job.name);
  try {
    await runAndReportOnce(context, log, setup, job);
  } finally {
    running.delete(job.name);
  }
}

async function runAndReportOnce(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, setup: SettingsModel, job: EvaluationJob): Promise<void> {
  const { name, outDir, technique, items } = job;
  const paths = evalPaths(outDir, name);
  const started = Date.now();
  const params = readTechniqueParams(setup.config, technique, setup.settings.temperature);
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: job.resume ? vscode.l10n.t('Thoughtscope: resuming {0} on {1}', technique.name, job.dataset) : vscode.l10n.t('Thoughtscope: {0} on {1}', technique.name, job.dataset), cancellable: true },
    async (progress, token) => {
      const stop = new AbortController();
      const sub = token.onCancellationRequested(() => stop.abort());
      const done = job.done ?? 0;
      progress.report({ message: `${done}/${items.length}`, increment: (100 * done) / items.length });
      try {
        return await evaluate({
          technique,
          task: job.task,
          scorer: job.scorer,
          items,
          model: job.model,
          params,
          concurrency: setup.settings.concurrency,
          runOptions: setup.runOptions,
          checkpoint: paths.checkpoint,
          traces: paths.traces,
          resume: job.resume,
          dataset: job.dataset,
          signal: stop.signal,
          onRunStart: job.watch && ((item, run) => job.watch!(run, { technique, params, input: item.input, task: job.task.id, baseUrl: setup.settings.baseUrl, attributes: { 'thoughtscope.eval.item': item.index } })),
          onItem: (_item, p) => {
            const perItem = p.elapsedMs / Math.max(1, p.doneThisSession);
            const left = Math.round(((p.total - p.done) * perItem) / 1000);
            progress.report({
              increment: 100 / p.total,
              message: `${p.done}/${p.total} · ${((100 * p.correct) / p.done).toFixed(0)}% correct · ${formatUsd(p.costUsd)} · ~${left} s left`,
            });
          },
        });
      } catch (err) {
        // The model or parameters in the settings changed since the checkpoint was started.
        throw job.resume ? explainRefusal(err, name) : err;
      } finally {
        sub.dispose();
      }
    },
  );
  writeFileSync(paths.results, `${JSON.stringify(results, null, 2)}\n`);
  // The Runs view lists the evaluations of this folder.
  void vscode.commands.executeCommand('thoughtscope.runs.refresh');
  const s = results.summary;
  log.info(`Evaluation ${name}: ${s.correct}/${s.total} correct, ${formatUsd(s.costUsd)}, ${Math.round((Date.now() - started) / 1000)} s; results in ${paths.results}`);
  const unfinished = results.meta.unfinished;
  const note = unfinished ? ` ${vscode.l10n.t('{0} items unfinished ({1}); Resume runs only those.', unfinished, results.meta.stopped ?? vscode.l10n.t('stopped'))}` : '';
  const resume = vscode.l10n.t('Resume');
  const outcome = vscode.l10n.t('Thoughtscope: {0}: {1}/{2} correct ({3}%), {4}.', technique.name, s.correct, s.total, (100 * s.accuracy).toFixed(1), formatUsd(s.costUsd));
  void vscode.window.showInformationMessage(`${outcome}${note}`, ...(unfinished ? [resume] : [])).then((choice) => {
    if (choice === resume) void vscode.commands.executeCommand('thoughtscope.resumeEvaluation', name);
  });

  // The report covers every evaluation of the same data and scorer in the folder.
  const same = readAllResults(outDir, log).filter((r) => r.meta.dataset === results.meta.dataset && r.meta.task === results.meta.task);
  const report = buildReport(same);
  writeFileSync(join(outDir, 'report.md'), reportMarkdown(report));
  openWorkbenchPanel(context.extensionUri, vscode.l10n.t('Thoughtscope: Evaluation Report'), { type: 'report', report });
}

/** Where evaluations are written (and the Runs view finds them). */
export function evalsDir(context: vscode.ExtensionContext): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return folder ? join(folder, '.thoughtscope', 'evals') : join((context.storageUri ?? context.globalStorageUri).fsPath, 'evals');
}

function outputDir(context: vscode.ExtensionContext): string {
  const dir = evalsDir(context);
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

async function chooseItems(extensionUri: vscode.Uri, scorerId: string, needsExpected: boolean, own?: TaskData): Promise<{ items: EvalItem[]; dataset: string; source: EvalSource } | undefined> {
  try {
    if (scorerId === 'game24') {
      // The ToT paper's puzzles ship with the extension (data/game24/24.csv): offered first, any other file allowed.
      const shipped = vscode.Uri.joinPath(extensionUri, ...GAME24_PUZZLES_FILE);
      const picked = await vscode.window.showOpenDialog({ title: vscode.l10n.t('Game of 24 puzzles (24.csv)'), filters: { CSV: ['csv'] }, defaultUri: existsSync(shipped.fsPath) ? shipped : undefined, canSelectMany: false });
      if (!picked?.[0]) return undefined;
      const range = await vscode.window.showInputBox({
        title: vscode.l10n.t('Evaluate on Dataset (3/3): puzzle rows'),
        prompt: vscode.l10n.t('Row indices, both included (the ToT paper’s test set is 900-999)'),
        value: '900-999',
        validateInput: (v) => (/^\s*\d+\s*-\s*\d+\s*$/.test(v) ? undefined : vscode.l10n.t('Write two row numbers, e.g. 900-999')),
      });
      if (!range) return undefined;
      const [from, to] = range.split('-').map((x) => Number(x.trim()));
      const source: EvalSource = { kind: 'game24', path: picked[0].fsPath, from, to };
      return { items: loadSourceItems(source, needsExpected), dataset: `24.csv rows ${from}-${to}`, source };
    }
    const ownExtension = own ? extname(own.path).slice(1).toLowerCase() : '';
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Evaluate on Dataset (3/3): JSONL or CSV with input and expected'),
      filters: { Data: [...new Set(['jsonl', 'csv', ...(ownExtension ? [ownExtension] : [])])] },
      // A task file's own data file, when it names one.
      defaultUri: own && existsSync(own.path) ? vscode.Uri.file(own.path) : undefined,
      canSelectMany: false,
    });
    if (!picked?.[0]) return undefined;
    if (own && resolve(picked[0].fsPath) === resolve(own.path)) {
      // The task file's data: in its format and its default rows, as `thoughtscope eval --task` reads it.
      const { items, dataset, rows } = taskDataItems(own, needsExpected);
      return { items, dataset, source: { kind: 'file', path: own.path, ...(own.format ? { format: own.format } : {}), ...(rows ? { from: rows[0], to: rows[1] } : {}) } };
    }
    const source: EvalSource = { kind: 'file', path: picked[0].fsPath };
    return { items: loadSourceItems(source, needsExpected), dataset: vscode.workspace.asRelativePath(picked[0]), source };
  } catch (err) {
    if (err instanceof DatasetError) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', err.message));
      return undefined;
    }
    throw err;
  }
}
