// Starts and stops runs for the extension: builds the model, Run and Pricing from settings, shows a
// cancellable progress notification, streams graph events to the Thought Graph view in batches, and
// keeps the last run so the view can be restored and its answer inserted, copied or exported.
// One run at a time: starting another asks first, then stops the running one.
import * as vscode from 'vscode';
import { runTechnique, type RunReport } from '../core/engine';
import type { RunSummary, RunTotals } from '../core/graph/types';
import { OpenAIChatModel } from '../core/model/openaiModel';
import { ModelError } from '../core/model/types';
import { formatUsd, Pricing } from '../core/pricing';
import { cachedNote } from '../core/run/cachedNote';
import { responseCacheFor } from '../cache/responseCache';
import { DEFAULT_RETRY } from '../core/run/retry';
import { Run, type RunProfile } from '../core/run/run';
import type { Task } from '../core/tasks/types';
import { ParamError } from '../core/techniques/params';
import type { Technique } from '../core/techniques/types';
import { offlineModel, reportFromTrace, restoreGraph } from '../core/history/restore';
import { toTrace, type Trace } from '../core/trace';
import { ImageRequests } from '../export/exportFormats';
import { exportRunInteractively } from '../export/exportRun';
import { exportTrace } from '../export/exportTrace';
import { techniqueHost } from '../techniques/iclExamples';
import { openWorkspaceLocation } from './openLocation';
import { ragHost } from '../techniques/ragIndexer';
import { insertAnswer, type InputOrigin } from './insertAnswer';
import { keyHeaders, type ApiKeyStore } from '../models/secrets';
import { readTechniqueParams, settingsTask, SettingsError, type Settings } from '../settings/settings';
import { readWorkspaceSettings } from '../settings/workspaceSettings';
import { SECTION } from '../settings/settingsSchema';
import type { ImageFormat, RunInfo, WebviewToHost } from '../shared/messages';
import { EventBatcher } from '../view/eventBatcher';
import type { ThoughtGraphViewProvider } from '../view/thoughtGraphViewProvider';
import { redactedUrl } from '../core/model/redactUrl';

/** Context key: true while a run is in progress (shows the Cancel button and command). */
const RUNNING_CONTEXT = 'thoughtscope.running';

/** A run that ended with a report, and the server it ran against (for the history; never the key). */
export interface FinishedRun {
  report: RunReport;
  run: Run;
  baseUrl: string;
}

/** A run as it starts, for those who watch its graph from the start (the OpenTelemetry export). */
export interface StartedRun {
  run: Run;
  technique: Technique;
  params: Record<string, unknown>;
  input: string;
  task: string;
  baseUrl: string;
}

/** A rerun's own parameters and model instead of the settings'. */
export interface RunOverrides {
  params?: Record<string, unknown>;
  model?: string;
  /**
   * Presents the answer of a run that ended with one, in place of the usual "answer: … Insert /
   * Copy" notification (so the user gets one notification); resolves to false to show that one after all.
   */
  presentAnswer?: (finished: { report: RunReport; run: Run; totals: string }) => Promise<boolean>;
}

interface RunState {
  info: RunInfo;
  run: Run;
  origin: InputOrigin | undefined;
  summary?: RunSummary;
  report?: RunReport;
  /** Settles when the run has ended and its view updates are sent. */
  finished: Promise<void>;
  /** Stopped to make way for a new run: no outcome message. */
  superseded: boolean;
  presentAnswer?: RunOverrides['presentAnswer'];
}

export class RunController implements vscode.Disposable {
  /** The run in progress. */
  private active: RunState | undefined;
  /** The run the view shows: the active one, or the last one. */
  private last: RunState | undefined;
  private batcher: EventBatcher | undefined;
  private startQueue: Promise<void> = Promise.resolve();
  private runCount = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly finishedRuns = new vscode.EventEmitter<FinishedRun>();
  /** Every run that ended with a report (the run history saves them). */
  readonly onDidFinishRun = this.finishedRuns.event;
  private readonly startedRuns = new vscode.EventEmitter<StartedRun>();
  /** Every run as it starts, before its first event. */
  readonly onDidStartRun = this.startedRuns.event;
  /** SVG/PNG requests to the view, which holds the drawing; posted once it is listening. */
  private readonly images = new ImageRequests(async (message) => {
    await this.view.whenReady();
    this.view.post(message);
  });

  constructor(
    private readonly view: ThoughtGraphViewProvider,
    private readonly keys: ApiKeyStore,
    private readonly log: vscode.LogOutputChannel,
    /** Model profiles of the run (extensionProfiles.ts); the active one, if any, is the run's own model. */
    private readonly profilesFor?: (settings: Settings) => Promise<RunProfile[]>,
  ) {
    this.disposables.push(view.onMessage((message) => void this.onViewMessage(message)));
  }

  get isRunning(): boolean {
    return this.active !== undefined;
  }

  /** Start `technique` on `input`. Resolves once the run has started (or was not started), not when it ends. */
  start(technique: Technique, input: string, origin?: InputOrigin, overrides?: RunOverrides): Promise<void> {
    const next = this.startQueue.then(() => this.startNow(technique, input, origin, overrides));
    this.startQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * Show a finished run from its trace (a saved or compared run, the sample) in the view, as the last
   * run; needs no model. `note`: what the header says the run is (the recorded sample).
   */
  showTrace(trace: Trace, techniqueName = trace.technique, note?: string): string | undefined {
    if (this.active) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: a run is in progress; open the saved run when it has finished.'));
      return undefined;
    }
    const run = new Run({ model: offlineModel(trace.model) });
    restoreGraph(run.graph, trace);
    run.markFinished();
    const report = reportFromTrace(trace);
    const info: RunInfo = { runId: `saved-${Date.now().toString(36)}-${++this.runCount}`, technique: trace.technique, techniqueName, model: trace.model, input: trace.input, params: trace.params, startedAt: Date.now(), ...(note ? { note } : {}) };
    this.batcher?.discard();
    this.last = { info, run, origin: undefined, summary: report.summary, report, finished: Promise.resolve(), superseded: false };
    this.view.post({ type: 'restore', run: info, graph: run.graph.snapshot(), summary: report.summary });
    void this.view.reveal();
    return info.runId;
  }

  /** "Export…" of a saved run (Runs view): an SVG or PNG opens it in the view first, which draws it. */
  async exportSaved(trace: Trace, when: Date, techniqueName = trace.technique): Promise<void> {
    await exportRunInteractively({
      trace,
      when,
      title: vscode.l10n.t('Export Saved Run'),
      image: (format: ImageFormat) => {
        if (this.active) throw new Error('a run is in progress; export the saved run as an image when it has finished');
        const runId = this.showTrace(trace, techniqueName);
        if (!runId) throw new Error('the saved run could not be opened in the Thought Graph view');
        return this.images.request(runId, format);
      },
    });
  }

  /**
   * Shows a run started elsewhere (a request to the proxy) live in the view, unless a run of the
   * controller is in progress; the newest such run takes the view. The returned function takes its
   * report when it ends, so Insert, Copy and Export work on it afterwards.
   */
  showLive(info: RunInfo, run: Run): (report: RunReport) => void {
    if (this.active) {
      this.log.info(`${info.runId} (${info.techniqueName}) is not shown: a run is in progress`);
      return () => undefined;
    }
    const state: RunState = { info, run, origin: undefined, finished: Promise.resolve(), superseded: false };
    this.last = state;
    this.batcher?.dispose();
    const batcher = new EventBatcher((events) => this.view.post({ type: 'graphEvents', runId: info.runId, events }));
    this.batcher = batcher;
    const unsubscribe = run.graph.on((event) => {
      // Another run took the view: stop feeding this one to it.
      if (this.batcher !== batcher) return void unsubscribe();
      batcher.push(event);
      if (event.type === 'runFinished') {
        state.summary = event.summary;
        unsubscribe();
      }
    });
    this.view.post({ type: 'runStarted', run: info });
    return (report) => {
      state.report = report;
      state.summary = report.summary;
    };
  }

  /** "Thoughtscope: Cancel Run". */
  cancel(): void {
    if (!this.active) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: no run is in progress.'));
      return;
    }
    this.log.info(`Cancelling ${this.active.info.runId}`);
    this.active.run.cancel();
  }

  private async startNow(technique: Technique, input: string, origin: InputOrigin | undefined, overrides?: RunOverrides): Promise<void> {
    if (this.active) {
      const stop = vscode.l10n.t('Stop and Start New');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('A {0} run is still in progress.', this.active.info.techniqueName),
        { modal: true, detail: vscode.l10n.t('Stop it and start the new run? The view will show the new run.') },
        stop,
      );
      if (choice !== stop) return;
      const old = this.active;
      if (old) {
        old.superseded = true;
        old.run.cancel();
        await old.finished;
      }
    }

    let settings: Settings;
    let run: Run;
    let params: Record<string, unknown>;
    let task: Task;
    try {
      const config = vscode.workspace.getConfiguration(SECTION);
      settings = readWorkspaceSettings(config);
      params = overrides?.params ?? readTechniqueParams(config, technique, settings.temperature);
      if (overrides?.model) settings = { ...settings, model: overrides.model, activeProfile: undefined };
      const apiKey = await this.keys.get();
      const model = new OpenAIChatModel({
        baseUrl: settings.baseUrl,
        model: settings.model,
        apiKey: apiKey.key,
        timeoutMs: settings.requestTimeoutMs,
        stream: settings.stream,
        headers: keyHeaders(settings.baseUrl, apiKey.key),
      });
      // thoughtscope.task's task file or built-in task, rendering from the workspace's templates.
      task = settingsTask(settings, input, techniqueHost().templates!);
      const profiles = (await this.profilesFor?.(settings)) ?? [];
      const activeModel = settings.activeProfile ? profiles.find((p) => p.name === settings.activeProfile)?.model : undefined;
      if (settings.activeProfile && !activeModel) throw new Error(`The active model profile "${settings.activeProfile}" is not available`);
      run = new Run({
        model: activeModel ?? model,
        profiles,
        pricing: new Pricing(settings.pricing, { source: 'thoughtscope.pricing' }),
        reasoningEffort: settings.reasoningEffort,
        seed: settings.seed,
        concurrency: settings.concurrency,
        budget: settings.budget,
        growth: settings.growth,
        retry: { ...DEFAULT_RETRY, maxRetries: settings.maxRetries },
        logger: this.log,
        diskCache: responseCacheFor(settings),
      });
      this.log.info(
        `Starting ${technique.id} (task ${task.id}) with model ${settings.model} at ${redactedUrl(settings.baseUrl)}; ` +
          `API key: ${apiKey.source}; parameters ${JSON.stringify(params)}; input ${input.length} characters`,
      );
    } catch (err) {
      this.reportError(err);
      return;
    }

    const info: RunInfo = {
      runId: `run-${Date.now().toString(36)}-${++this.runCount}`,
      technique: technique.id,
      techniqueName: technique.name,
      model: settings.activeProfile ?? settings.model,
      input,
      params,
      startedAt: Date.now(),
    };
    const state: RunState = { info, run, origin, finished: Promise.resolve(), superseded: false, presentAnswer: overrides?.presentAnswer };
    this.active = state;
    this.last = state;
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);

    this.batcher?.dispose();
    let onBatch: (() => void) | undefined;
    const batcher = new EventBatcher((events) => {
      this.view.post({ type: 'graphEvents', runId: info.runId, events });
      onBatch?.();
    });
    this.batcher = batcher;
    const unsubscribe = run.graph.on((event) => batcher.push(event));

    this.view.post({ type: 'runStarted', run: info });
    void this.view.reveal();

    state.finished = Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Thoughtscope: ${technique.name}`, cancellable: true },
        async (progress, token) => {
          const onCancel = token.onCancellationRequested(() => run.cancel());
          onBatch = () => progress.report({ message: totalsText(run.totals()) });
          try {
            this.startedRuns.fire({ run, technique, params, input, task: task.id, baseUrl: settings.baseUrl });
            state.report = await runTechnique({ technique, task, input, params, run, host: { ...techniqueHost(), ...ragHost() } });
            state.summary = state.report.summary;
            this.finishedRuns.fire({ report: state.report, run, baseUrl: settings.baseUrl });
          } catch (err) {
            // Only errors before the first call reach here (parameters, empty input); run failures are in the summary.
            run.markFinished();
            state.summary = { outcome: 'failed', message: errorText(err), totals: run.totals() };
            run.graph.emit({ type: 'runFinished', summary: state.summary });
          } finally {
            onCancel.dispose();
            batcher.flush();
            unsubscribe();
            if (this.active === state) {
              this.active = undefined;
              void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
            }
          }
        },
      ),
    ).then(
      () => {
        if (!state.superseded) void this.announce(state);
      },
      (err: unknown) => this.reportError(err),
    );
  }

  /** Tell the user how the run ended. */
  private async announce(state: RunState): Promise<void> {
    const summary = state.summary;
    if (!summary) return;
    const totals = totalsText(summary.totals);
    const name = state.info.techniqueName;
    switch (summary.outcome) {
      case 'done': {
        const answer = summary.answer?.trim() ?? '';
        this.log.info(`${state.info.runId} done (${totals}); answer: ${oneLine(answer, 500)}`);
        if (!answer) {
          void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: {0} finished without an answer ({1}).', name, totals));
          return;
        }
        if (state.presentAnswer && state.report && (await this.presented(state, totals))) return;
        const insert = vscode.l10n.t('Insert into Editor');
        const copy = vscode.l10n.t('Copy');
        const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope {0} answer: {1} — {2}', name, oneLine(answer, 300), totals), insert, copy);
        if (choice === insert) await this.insert(state);
        else if (choice === copy) await this.copy(state);
        return;
      }
      case 'cancelled':
        this.log.info(`${state.info.runId} cancelled (${totals})`);
        void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: {0} run cancelled ({1}). The graph so far stays in the Thoughtscope view.', name, totals));
        return;
      case 'budget':
        this.log.warn(`${state.info.runId} ${summary.message ?? 'stopped by the budget'} (${totals})`);
        void this.showWithSettings(
          'warning',
          vscode.l10n.t('Thoughtscope: {0} ({1}). The graph so far stays in the view.', oneLine(summary.message ?? vscode.l10n.t('Stopped by the budget'), 300), totals),
          `${SECTION}.budget`,
        );
        return;
      case 'failed': {
        const message = oneLine(summary.message ?? vscode.l10n.t('The run failed'), 500);
        this.log.error(`${state.info.runId} failed: ${message}`);
        this.view.post({ type: 'error', message });
        const showLog = vscode.l10n.t('Show Log');
        const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', message), showLog);
        if (choice === showLog) this.log.show(true);
        return;
      }
    }
  }

  private async presented(state: RunState, totals: string): Promise<boolean> {
    try {
      return await state.presentAnswer!({ report: state.report!, run: state.run, totals });
    } catch (err) {
      this.log.error(`${state.info.runId}: could not present the answer: ${errorText(err)}`);
      return false;
    }
  }

  /** A run that could not start: one line to the user, the log and the view; never a stack trace. */
  private reportError(err: unknown): void {
    const message = oneLine(errorText(err), 500);
    if (err instanceof SettingsError || err instanceof ModelError || err instanceof ParamError) this.log.error(message);
    else this.log.error(`${message}${err instanceof Error && err.stack ? `\n${err.stack}` : ''}`);
    this.view.post({ type: 'error', message });
    if (err instanceof SettingsError) void this.showWithSettings('error', vscode.l10n.t('Thoughtscope: {0}', message), err.setting);
    else void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', message));
  }

  private async showWithSettings(level: 'warning' | 'error', message: string, setting: string): Promise<void> {
    const open = vscode.l10n.t('Open Settings');
    const choice = level === 'error' ? await vscode.window.showErrorMessage(message, open) : await vscode.window.showWarningMessage(message, open);
    if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', setting);
  }

  private async onViewMessage(message: WebviewToHost): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          this.batcher?.discard();
          if (this.last) {
            this.view.post({ type: 'restore', run: this.last.info, graph: this.last.run.graph.snapshot(), summary: this.last.summary });
          }
          return;
        case 'cancel':
          if (this.active && this.active.info.runId === message.runId) {
            this.log.info(`Cancelling ${message.runId} from the view`);
            this.active.run.cancel();
          } else if (!this.active && this.last?.info.runId === message.runId && !this.last.summary) {
            // A proxy request's run: its client gets a cancelled error.
            this.log.info(`Cancelling ${message.runId} (a proxy request) from the view`);
            this.last.run.cancel();
          }
          return;
        case 'insertAnswer':
          return await this.insert(this.runWithId(message.runId));
        case 'copyAnswer':
          return await this.copy(this.runWithId(message.runId));
        case 'openFile':
          return await openWorkspaceLocation(message.path, message.startLine, message.endLine, message.root);
        case 'exportImageResult':
          if (!this.images.receive(message)) this.log.warn(`An image from the view came too late or unasked (${message.requestId})`);
          return;
        case 'exportRun': {
          const finished = this.finishedRun(message.runId, vscode.l10n.t('the run'));
          if (!finished) return;
          const { info, report, run } = finished;
          const image = (format: ImageFormat) => this.images.request(info.runId, format);
          await exportRunInteractively({ trace: toTrace(report, run.graph), when: new Date(info.startedAt), title: vscode.l10n.t('Export Run'), image });
          return;
        }
        case 'exportTrace': {
          const finished = this.finishedRun(message.runId, vscode.l10n.t('the trace'));
          if (finished) await exportTrace(finished.report, finished.run.graph);
          return;
        }
      }
    } catch (err) {
      const text = oneLine(errorText(err), 500);
      this.log.error(text);
      void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', text));
    }
  }

  /** The run with this id if it has ended with a report; else says that `what` can be exported once it has. */
  private finishedRun(runId: string, what: string): (RunState & { report: RunReport }) | undefined {
    const state = this.runWithId(runId);
    if (state && !state.report) void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: {0} can be exported once the run has finished.', what));
    return state?.report ? (state as RunState & { report: RunReport }) : undefined;
  }

  private runWithId(runId: string): RunState | undefined {
    if (this.last && this.last.info.runId === runId) return this.last;
    void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: that run is no longer available; only the last run is kept.'));
    return undefined;
  }

  private answerOf(state: RunState | undefined): string | undefined {
    if (!state) return undefined;
    const answer = state.summary?.answer?.trim();
    if (!answer) {
      void vscode.window.showInformationMessage(state.summary ? vscode.l10n.t('Thoughtscope: this run has no answer.') : vscode.l10n.t('Thoughtscope: the run has no answer yet.'));
      return undefined;
    }
    return answer;
  }

  private async insert(state: RunState | undefined): Promise<void> {
    const answer = this.answerOf(state);
    if (answer !== undefined) await insertAnswer(answer, state?.origin);
  }

  private async copy(state: RunState | undefined): Promise<void> {
    const answer = this.answerOf(state);
    if (answer === undefined) return;
    await vscode.env.clipboard.writeText(answer);
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: answer copied.'));
  }

  dispose(): void {
    this.active?.run.cancel();
    this.batcher?.dispose();
    this.finishedRuns.dispose();
    this.startedRuns.dispose();
    this.images.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One line, at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function totalsText(totals: RunTotals): string {
  const tokens = totals.promptTokens + totals.completionTokens;
  const calls = `${totals.calls} call${totals.calls === 1 ? '' : 's'}${cachedNote(totals)}`;
  const tokenText = `${tokens.toLocaleString('en-US')} tokens${totals.estimated ? ' (estimated)' : ''}`;
  return `${calls}, ${tokenText}, ${formatUsd(totals.costUsd)}, ${(totals.wallMs / 1000).toFixed(1)} s`;
}
