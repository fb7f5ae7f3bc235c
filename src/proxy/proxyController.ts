// "Thoughtscope: Start Proxy": the same OpenAI-compatible server as `thoughtscope serve`
// (core/serve), inside the extension, on 127.0.0.1:<thoughtscope.proxy.port>. Its upstream is the
// user's model setup (settings, stored key, profiles), its technique parameters the settings'. Each
// request's graph is shown live in the Thought Graph view, saved to the Runs view and exported when
// OpenTelemetry export is on. The token (thoughtscope.proxy.tokenRequired) lives in SecretStorage.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RunReport } from '../core/engine';
import type { ChatModel } from '../core/model/types';
import type { RunProfile } from '../core/run/run';
import { startServer, type RunningServer, type ServedRun } from '../core/serve/server';
import { TECHNIQUES } from '../core/techniques/registry';
import { toTrace } from '../core/trace';
import type { OtelExport } from '../otel/otelExport';
import type { RunController } from '../run/runController';
import type { ApiKeyStore } from '../models/secrets';
import { readProxySettings, readTechniqueParams, settingsTask, SettingsError, type Settings } from '../settings/settings';
import { SECTION } from '../settings/settingsSchema';
import { techniqueHost } from '../techniques/iclExamples';
import { ragHost } from '../techniques/ragIndexer';
import { modelFromSettings } from '../workbench/modelFromSettings';
import type { RunHistory } from '../workbench/runsView';

const TOKEN_SECRET = 'thoughtscope.proxyToken';

export interface ProxyDeps {
  controller: RunController;
  keys: ApiKeyStore;
  log: vscode.LogOutputChannel;
  history: RunHistory;
  otel: OtelExport;
  profilesFor?: (settings: Settings) => Promise<RunProfile[]>;
  secrets: vscode.SecretStorage;
}

export class ProxyController implements vscode.Disposable {
  private server: RunningServer | undefined;
  private starting: Promise<void> | undefined;
  private readonly status = vscode.window.createStatusBarItem('thoughtscope.proxy', vscode.StatusBarAlignment.Right, 99);

  constructor(private readonly deps: ProxyDeps) {
    this.status.name = vscode.l10n.t('Thoughtscope Proxy');
    this.status.command = 'thoughtscope.proxyMenu';
  }

  get baseUrl(): string | undefined {
    return this.server ? `${this.server.url}/v1` : undefined;
  }

  async start(): Promise<void> {
    if (this.server) return void this.announce();
    this.starting ??= this.startNow().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startNow(): Promise<void> {
    const { log } = this.deps;
    let server: RunningServer;
    try {
      const setup = await modelFromSettings(this.deps.keys, log);
      const { settings, config } = setup;
      const proxy = readProxySettings(config);
      const profiles = (await this.deps.profilesFor?.(settings)) ?? [];
      const active = settings.activeProfile ? profiles.find((p) => p.name === settings.activeProfile)?.model : undefined;
      const defaultModel = active ?? setup.make();
      const defaultName = settings.activeProfile ?? settings.model;
      const others = new Map<string, ChatModel>();
      const resolve = (target: string): ChatModel | undefined => {
        if (target === '' || target === defaultName) return defaultModel;
        const profile = profiles.find((p) => p.name === target);
        if (profile) return profile.model;
        if (!others.has(target)) others.set(target, setup.make(target));
        return others.get(target);
      };
      // The settings' parameters of every technique, as `--param` gives them to `thoughtscope serve`.
      const params = Object.fromEntries(TECHNIQUES.map((t) => [t.id, readTechniqueParams(config, t, settings.temperature)]));
      const live = new Map<string, (report: RunReport) => void>();
      const ownTask = settings.taskFile ? settingsTask(settings, '', techniqueHost().templates!) : undefined;
      server = await startServer({
        host: '127.0.0.1',
        port: proxy.port,
        token: proxy.tokenRequired ? await this.token() : undefined,
        // A task file in thoughtscope.task is the default task of requests that name none.
        defaults: ownTask ? { task: ownTask.id, tasks: new Map([[ownTask.id, ownTask]]), params, budget: settings.budget } : { task: settings.task, params, budget: settings.budget },
        targets: () => [defaultName, ...profiles.filter((p) => p.model && p.name !== defaultName).map((p) => p.name)],
        resolve,
        profiles,
        concurrency: settings.concurrency,
        runOptions: { pricing: setup.runOptions.pricing, retry: setup.runOptions.retry, growth: setup.runOptions.growth, logger: log },
        techniqueHost: { ...techniqueHost(), ...ragHost() },
        onRunStart: (served) => {
          this.deps.otel.watch(served.run, { technique: served.technique, params: served.params, input: served.input, task: served.task, baseUrl: settings.baseUrl, attributes: { 'thoughtscope.request_id': served.requestId, 'thoughtscope.served_model': served.modelName } });
          live.set(served.requestId, this.deps.controller.showLive(runInfo(served), served.run));
        },
        save: (report, run) => this.deps.history.saveOne(toTrace(report, run.graph), { baseUrl: settings.baseUrl }),
        onRunEnd: (served, report) => {
          live.get(served.requestId)?.(report);
          live.delete(served.requestId);
        },
        log,
      });
    } catch (err) {
      return this.failed(err);
    }
    this.server = server;
    log.info(`Proxy listening at ${server.url}/v1`);
    this.status.text = `$(broadcast) ${vscode.l10n.t('Proxy :{0}', server.port)}`;
    this.status.tooltip = vscode.l10n.t('Thoughtscope proxy at {0}/v1 — click for its base URL, token, or to stop it', server.url);
    this.status.show();
    void vscode.commands.executeCommand('setContext', 'thoughtscope.proxyRunning', true);
    // Not awaited: the message's promise settles only when the user answers or dismisses it.
    void this.announce();
  }

  private async announce(): Promise<void> {
    const url = this.baseUrl;
    if (!url) return;
    const copyUrl = vscode.l10n.t('Copy Base URL');
    const copyToken = vscode.l10n.t('Copy Token');
    const needsToken = readProxySettings(vscode.workspace.getConfiguration(SECTION)).tokenRequired;
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Thoughtscope proxy listening at {0}: models are <technique>:<model>, e.g. tot:{1}.', url, this.exampleModel()),
      ...(needsToken ? [copyUrl, copyToken] : [copyUrl]),
    );
    if (choice === copyUrl) await vscode.env.clipboard.writeText(url);
    else if (choice === copyToken) await this.copyToken();
  }

  private exampleModel(): string {
    const settings = vscode.workspace.getConfiguration(SECTION);
    return settings.get<string>('activeProfile') || settings.get<string>('model') || 'llama3.2';
  }

  private failed(err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code;
    const port = vscode.workspace.getConfiguration(SECTION).get<number>('proxy.port');
    const message = code === 'EADDRINUSE' ? vscode.l10n.t('port {0} is in use; choose another in thoughtscope.proxy.port (0: any free port)', String(port)) : (err as Error).message.split('\n')[0];
    this.deps.log.error(`Could not start the proxy: ${message}`);
    const setting = err instanceof SettingsError ? err.setting : code === 'EADDRINUSE' ? `${SECTION}.proxy.port` : undefined;
    const open = vscode.l10n.t('Open Settings');
    void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: cannot start the proxy: {0}', message), ...(setting ? [open] : [])).then((choice) => {
      if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
  }

  /** The token clients send as their API key: made once, kept in SecretStorage. */
  private async token(): Promise<string> {
    const stored = await this.deps.secrets.get(TOKEN_SECRET);
    if (stored) return stored;
    const made = randomBytes(24).toString('base64url');
    await this.deps.secrets.store(TOKEN_SECRET, made);
    return made;
  }

  async copyToken(): Promise<void> {
    await vscode.env.clipboard.writeText(await this.token());
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: proxy token copied; clients send it as their API key.'));
  }

  async stop(): Promise<void> {
    await this.starting;
    const server = this.server;
    if (!server) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: the proxy is not running.'));
      return;
    }
    this.server = undefined;
    this.status.hide();
    void vscode.commands.executeCommand('setContext', 'thoughtscope.proxyRunning', false);
    await server.close();
    this.deps.log.info('Proxy stopped');
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: proxy stopped.'));
  }

  /** The status bar item's menu. */
  async menu(): Promise<void> {
    const url = this.baseUrl;
    if (!url) return this.start();
    const items = [
      { label: vscode.l10n.t('Copy Base URL'), detail: url, run: () => vscode.env.clipboard.writeText(url) },
      { label: vscode.l10n.t('Copy Token'), run: () => this.copyToken() },
      { label: vscode.l10n.t('Stop Proxy'), run: () => this.stop() },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Thoughtscope proxy at {0}', url) });
    await picked?.run();
  }

  dispose(): void {
    this.status.dispose();
    void this.server?.close();
    this.server = undefined;
  }
}

function runInfo(served: ServedRun) {
  return {
    runId: `proxy-${served.requestId}`,
    technique: served.technique.id,
    techniqueName: `${served.technique.name} (proxy)`,
    model: served.modelName,
    input: served.input,
    params: served.params,
    startedAt: Date.now(),
  };
}

export function registerProxy(context: vscode.ExtensionContext, deps: Omit<ProxyDeps, 'secrets'>): ProxyController {
  const proxy = new ProxyController({ ...deps, secrets: context.secrets });
  context.subscriptions.push(
    proxy,
    vscode.commands.registerCommand('thoughtscope.startProxy', () => proxy.start()),
    vscode.commands.registerCommand('thoughtscope.stopProxy', () => proxy.stop()),
    vscode.commands.registerCommand('thoughtscope.copyProxyToken', () => proxy.copyToken()),
    vscode.commands.registerCommand('thoughtscope.proxyMenu', () => proxy.menu()),
  );
  return proxy;
}
