// OpenTelemetry export in VS Code: with `thoughtscope.otel.endpoint` set, every run (the run
// controller's and the proxy's) is exported as a trace (core/otel). Headers such as a collector's
// key are secrets: "Thoughtscope: Set OpenTelemetry Headers" keeps them in SecretStorage (the
// extension host's OTEL_EXPORTER_OTLP_HEADERS is read too). The SDK is a bundle of its own
// (dist/otel.js, see scripts/build.mjs), required on the first exported run, never at activation.
import * as vscode from 'vscode';
import { parseHeaders } from '../core/otel/config';
import type { RunMeta } from '../core/otel/runSpans';
import type { Tracing } from '../core/otel/tracing';
import type { Run } from '../core/run/run';
import type { RunController } from '../run/runController';
import { readOtelSettings } from '../settings/settings';
import { SECTION } from '../settings/settingsSchema';

const HEADERS_SECRET = 'thoughtscope.otelHeaders';

/** Exports a run (when the settings ask for it); call it before the run starts. Compare and Evaluate take one. */
export type RunWatcher = (run: Run, meta: RunMeta) => void;

type TracingModule = typeof import('../core/otel/tracing');

export class OtelExport implements vscode.Disposable {
  private tracing: Tracing | undefined;
  private configured = '';
  private warnedSetting = '';

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    private readonly version: string,
  ) {}

  /** Exports `run` when the settings ask for it; call it before the run starts. */
  watch(run: Run, meta: RunMeta): void {
    const tracing = this.current();
    tracing?.watch(run, meta);
  }

  private current(): Tracing | undefined {
    let settings;
    try {
      settings = readOtelSettings(vscode.workspace.getConfiguration(SECTION));
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.warnedSetting) this.log.warn(`OpenTelemetry export is off: ${message}`);
      this.warnedSetting = message;
      return undefined;
    }
    const key = JSON.stringify(settings);
    if (key === this.configured) return this.tracing;
    void this.tracing?.shutdown();
    this.tracing = undefined;
    this.configured = key;
    if (!settings.url) return undefined;
    // The SDK's bundle, read on the first exported run.
    const { startTracing } = require('../core/otel/tracing') as TracingModule;
    this.tracing = startTracing(
      {
        url: settings.url,
        protocol: settings.protocol,
        captureContent: settings.captureContent,
        serviceName: 'thoughtscope',
        serviceVersion: this.version,
        headers: () => this.headers(),
      },
      (message) => this.log.warn(`${message} (${settings.url})`),
    );
    this.log.info(`Exporting runs as OpenTelemetry traces to ${settings.url} (${settings.protocol}${settings.captureContent ? ', with prompts and responses' : ''})`);
    return this.tracing;
  }

  private async headers(): Promise<Record<string, string>> {
    const stored = await this.secrets.get(HEADERS_SECRET);
    if (!stored) return {};
    try {
      return parseHeaders(stored);
    } catch (err) {
      this.log.warn(`The stored OpenTelemetry headers are not used: ${(err as Error).message}`);
      return {};
    }
  }

  /** "Thoughtscope: Set OpenTelemetry Headers": a password box; empty clears them. */
  async promptAndStore(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Thoughtscope: Set OpenTelemetry Headers'),
      prompt: vscode.l10n.t('Headers sent with every export, as name=value pairs separated by commas (e.g. Authorization=Basic …). Stored in VS Code’s secret storage. Leave empty to clear them.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => {
        try {
          parseHeaders(text);
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      },
    });
    if (value === undefined) return;
    if (value.trim() === '') {
      await this.secrets.delete(HEADERS_SECRET);
      void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: OpenTelemetry headers cleared.'));
      return;
    }
    await this.secrets.store(HEADERS_SECRET, value.trim());
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: OpenTelemetry headers saved in secret storage.'));
  }

  dispose(): void {
    void this.tracing?.shutdown();
    this.tracing = undefined;
  }
}

/** Exports the run controller's runs; the proxy passes its runs to `watch` itself. */
export function registerOtelExport(context: vscode.ExtensionContext, controller: RunController, log: vscode.LogOutputChannel): OtelExport {
  const otel = new OtelExport(context.secrets, log, String(context.extension.packageJSON.version ?? ''));
  context.subscriptions.push(
    otel,
    controller.onDidStartRun(({ run, technique, params, input, task, baseUrl }) => otel.watch(run, { technique, params, input, task, baseUrl })),
    vscode.commands.registerCommand('thoughtscope.setOtelHeaders', () => otel.promptAndStore()),
  );
  return otel;
}
