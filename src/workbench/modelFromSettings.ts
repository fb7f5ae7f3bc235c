// The model, pricing and run options from the user's settings and stored key, for the workbench
// commands (compare, evaluate), which run outside the run controller.
import * as vscode from 'vscode';
import { OpenAIChatModel } from '../core/model/openaiModel';
import { Pricing } from '../core/pricing';
import { DEFAULT_RETRY } from '../core/run/retry';
import type { RunOptions } from '../core/run/run';
import { keyHeaders, type ApiKeyStore } from '../models/secrets';
import { responseCacheFor } from '../cache/responseCache';
import type { Settings } from '../settings/settings';
import { readWorkspaceSettings } from '../settings/workspaceSettings';
import { SECTION } from '../settings/settingsSchema';

export interface SettingsModel {
  settings: Settings;
  config: vscode.WorkspaceConfiguration;
  /** A model by name at the configured server (the configured model when no name is given). */
  make(name?: string): OpenAIChatModel;
  runOptions: Omit<RunOptions, 'model' | 'signal' | 'concurrency'>;
}

export async function modelFromSettings(keys: ApiKeyStore, log: vscode.LogOutputChannel): Promise<SettingsModel> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const settings = readWorkspaceSettings(config);
  const apiKey = await keys.get();
  return {
    settings,
    config,
    make: (name) =>
      new OpenAIChatModel({
        baseUrl: settings.baseUrl,
        model: name ?? settings.model,
        apiKey: apiKey.key,
        timeoutMs: settings.requestTimeoutMs,
        stream: settings.stream,
        headers: keyHeaders(settings.baseUrl, apiKey.key),
      }),
    runOptions: { pricing: new Pricing(settings.pricing, { source: 'thoughtscope.pricing' }), reasoningEffort: settings.reasoningEffort, seed: settings.seed, budget: settings.budget, growth: settings.growth, retry: { ...DEFAULT_RETRY, maxRetries: settings.maxRetries }, logger: log, diskCache: responseCacheFor(settings) },
  };
}
