// "Thoughtscope: Run Experiment": the open thoughtscope.yaml (or the one clicked in the explorer) run as
// `thoughtscope eval -c` runs it (core/experiment), with a progress notification and Cancel, then the
// report panel and the verdict. Plain model names go to thoughtscope.baseUrl with the stored key;
// profiles come from the file or from thoughtscope.profiles. A file's own server or profiles never get a
// stored key (only the environment variable they name), so a workspace file cannot send a key elsewhere;
// experiments run only in trusted workspaces. A task file and a templates folder in the file are found
// from the file's folder, over the workspace's .thoughtscope/templates.
import { dirname, resolve } from 'node:path';
import * as vscode from 'vscode';
import { DatasetError } from '../core/eval/dataset';
import { ExperimentError, loadExperiment, type Experiment, type ModelRef } from '../core/experiment/load';
import { runExperiment, type ExperimentResult } from '../core/experiment/run';
import { buildRunProfiles } from '../core/model/profileModels';
import { OpenAIChatModel } from '../core/model/openaiModel';
import type { ChatModel } from '../core/model/types';
import { formatUsd } from '../core/pricing';
import type { RunProfile } from '../core/run/run';
import type { ApiKeyStore } from '../models/secrets';
import { TemplateError } from '../core/templates/errors';
import { workspaceTemplates } from '../techniques/workspaceTemplates';
import type { Settings } from '../settings/settings';
import { modelFromSettings, type SettingsModel } from './modelFromSettings';
import { openWorkbenchPanel } from './workbenchPanel';
import type { RunWatcher } from '../otel/otelExport';

/** Experiment files: thoughtscope.yaml / .yml / .json, or <name>.thoughtscope.yaml. */
export const EXPERIMENT_FILE = /(^|[\\/])([^\\/]+\.)?thoughtscope\.(ya?ml|json)$/;

export async function runExperimentCommand(
  context: vscode.ExtensionContext,
  keys: ApiKeyStore,
  log: vscode.LogOutputChannel,
  profilesFor: ((settings: Settings) => Promise<RunProfile[]>) | undefined,
  target?: unknown,
  resume = false,
  watch?: RunWatcher,
): Promise<void> {
  const uri = await experimentUri(target);
  if (!uri) return;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: experiments run only in a trusted workspace (they send the file’s prompts and data to a model).'));
    return;
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const setup = await modelFromSettings(keys, log);
  let exp: Experiment;
  try {
    // The file's task (an id, or a task file relative to it) renders from the workspace's templates
    // (trusted: checked above) with the file's own `templates` folder over them, as `eval -c` does.
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? dirname(uri.fsPath);
    const templates = workspaceTemplates(folder, vscode.workspace.isTrusted);
    exp = loadExperiment(uri.fsPath, { hostProfiles: setup.settings.profiles.map((p) => p.name), templates });
  } catch (err) {
    if (err instanceof ExperimentError || err instanceof TemplateError) return showFileError(uri, err.message);
    throw err;
  }
  const hostProfiles = (await profilesFor?.(setup.settings)) ?? [];
  const profiles = [...fileProfiles(exp, setup.settings), ...hostProfiles.filter((p) => !exp.profiles.some((q) => q.name === p.name))];
  const model = (ref: ModelRef): ChatModel => {
    if ('name' in ref) return serverModel(exp, setup, ref.name);
    const found = profiles.find((p) => p.name === ref.profile)?.model;
    if (!found) throw new ExperimentError(`profile "${ref.profile}" is not available (a vscode-lm profile whose model cannot be selected?)`);
    return found;
  };

  let result: ExperimentResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Thoughtscope: experiment {0}', exp.name), cancellable: true },
      async (progress, token) => {
        const stop = new AbortController();
        const sub = token.onCancellationRequested(() => stop.abort());
        try {
          return await runExperiment(
            exp,
            {
              model,
              defaultModel: setup.settings.activeProfile ? { profile: setup.settings.activeProfile } : { name: setup.settings.model },
              profiles,
              prices: setup.settings.pricing,
              runOptions: { ...setup.runOptions, logger: log },
              dataRoot: context.extensionUri.fsPath,
              techniqueHost: { baseDir: exp.dir, storageDir: context.globalStorageUri.fsPath },
            },
            {
              resume,
              signal: stop.signal,
              onRunStart: (r) => progress.report({ message: `[${r.index + 1}/${r.total}] ${r.label} · ${r.model}` }),
              onItemRunStart: watch,
              onItem: (r, p) =>
                progress.report({
                  increment: 100 / (r.total * p.total),
                  message: `[${r.index + 1}/${r.total}] ${r.label} · ${r.model} · ${p.done}/${p.total} · ${((100 * p.correct) / Math.max(1, p.done)).toFixed(0)}% · ${formatUsd(p.costUsd)}`,
                }),
            },
          );
        } finally {
          sub.dispose();
        }
      },
    );
  } catch (err) {
    if (err instanceof ExperimentError || err instanceof DatasetError || err instanceof RangeError) return showFileError(uri, err.message);
    throw err;
  }
  log.info(`Experiment ${exp.name}: ${result.passed ? 'passed' : 'failed'}; ${result.failures.join('; ') || 'every threshold held'}; report in ${result.output}`);
  openWorkbenchPanel(context.extensionUri, vscode.l10n.t('Thoughtscope: Experiment {0}', exp.name), { type: 'report', report: result.report });
  await announce(result, () => runExperimentCommand(context, keys, log, profilesFor, uri, true, watch));
}

/** The verdict, with buttons for report.md and, when runs are unfinished, Resume. */
async function announce(result: ExperimentResult, resumeRuns: () => Promise<void>): Promise<void> {
  const openReport = vscode.l10n.t('Open report.md');
  const resume = vscode.l10n.t('Resume');
  const unfinished = result.runs.some((r) => r.stopped);
  const buttons = unfinished ? [openReport, resume] : [openReport];
  const checks = result.checks.length;
  const held = result.checks.filter((c) => c.pass).length;
  const choice = result.passed
    ? await vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: experiment {0} passed ({1} of {2} threshold checks held).', result.name, held, checks), ...buttons)
    : await vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: experiment {0} failed: {1}', result.name, result.failures[0] ?? ''), ...buttons);
  if (choice === openReport) await vscode.window.showTextDocument(vscode.Uri.joinPath(vscode.Uri.file(result.output), 'report.md'));
  if (choice === resume) await resumeRuns();
}

/** The file to run: the command's argument (explorer, editor title), else the active editor's, else one picked. */
async function experimentUri(target: unknown): Promise<vscode.Uri | undefined> {
  if (target instanceof vscode.Uri) return target;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && EXPERIMENT_FILE.test(active.fsPath)) return active;
  const found = await vscode.workspace.findFiles('**/{thoughtscope,*.thoughtscope}.{yaml,yml,json}', '**/node_modules/**', 50);
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    const picked = await vscode.window.showQuickPick(
      found.map((u) => ({ label: vscode.workspace.asRelativePath(u), u })),
      { title: vscode.l10n.t('Thoughtscope: Run Experiment'), placeHolder: vscode.l10n.t('Which experiment file?') },
    );
    return picked?.u;
  }
  void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: no thoughtscope.yaml in this workspace; the README shows one.'));
  return undefined;
}

/**
 * A one-line error about the file; "file:line:" messages put the cursor on that line, or on the task
 * file's line when the error is in the task file it names ("thoughtscope.yaml:2: task: x.task.yaml:5: …").
 */
async function showFileError(uri: vscode.Uri, message: string): Promise<void> {
  void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', message));
  const inTaskFile = /^[^:]+:\d+: task: ([^:]+\.task\.(?:ya?ml|json)):(\d+):/.exec(message);
  const line = inTaskFile ? [inTaskFile[0], inTaskFile[2]] : /^[^:]+:(\d+):/.exec(message);
  if (!line) return;
  const target = inTaskFile ? vscode.Uri.file(resolve(dirname(uri.fsPath), inTaskFile[1])) : uri;
  const editor = await vscode.window.showTextDocument(target, { preview: false });
  const position = new vscode.Position(Math.max(0, Number(line[1]) - 1), 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}

/**
 * A model name at the file's server, else at thoughtscope.baseUrl. The stored key goes only to
 * thoughtscope.baseUrl; another server gets the key from the environment variable the file names.
 */
function serverModel(exp: Experiment, setup: SettingsModel, name: string): ChatModel {
  const baseUrl = exp.server.baseUrl;
  if (!baseUrl || baseUrl === setup.settings.baseUrl) return setup.make(name);
  const apiKey = exp.server.apiKeyEnv ? process.env[exp.server.apiKeyEnv]?.trim() : undefined;
  return new OpenAIChatModel({ baseUrl, model: name, apiKey, timeoutMs: setup.settings.requestTimeoutMs, stream: setup.settings.stream });
}

/** The file's own profiles, with keys from the environment variables they name only (never secret storage). */
function fileProfiles(exp: Experiment, settings: Settings): RunProfile[] {
  if (exp.profiles.length === 0) return [];
  try {
    return buildRunProfiles(exp.profiles, {
      apiKeyOf: (p) => (p.apiKeyEnv ? process.env[p.apiKeyEnv]?.trim() || undefined : undefined),
      timeoutMs: settings.requestTimeoutMs,
      stream: settings.stream,
      skipUnavailable: true,
    });
  } catch (err) {
    throw new ExperimentError(`${exp.file}: ${(err as Error).message}`);
  }
}
