// "Thoughtscope: Set Up a Model": finds what this machine can use — Copilot's models through the VS Code
// Language Model API, a running Ollama (at OLLAMA_HOST, else localhost:11434) and its models — and offers
// them beside entering an API key.
// The choice becomes a profile and the active one. Every path ends in a message: never a silent failure.
// Only run from a user action (a command, a walkthrough button, the first-run prompt's button).
import * as vscode from 'vscode';
import { listOllamaModels, ollamaOpenAIUrl, ollamaUrl } from '../core/model/ollama';
import { profileNameFrom, serverProfileName, type ModelProfile } from '../core/profiles';
import type { ProfileKeyStore } from './extensionProfiles';
import { lmError, vscodeLmApi, type LmChat } from './lmApiModel';
import { addProfile } from './profileStatus';
import { SECTION } from '../settings/settingsSchema';

type SetupItem = vscode.QuickPickItem & { make?: () => Promise<ModelProfile | undefined> };

async function copilotModels(): Promise<{ models: readonly LmChat[]; problem?: string }> {
  try {
    const models = await vscode.lm.selectChatModels({ vendor: 'copilot' });
    return models.length ? { models } : { models, problem: vscode.l10n.t('no Copilot models: install GitHub Copilot and sign in') };
  } catch (err) {
    return { models: [], problem: lmError(vscodeLmApi(vscode), err, 'Copilot').message };
  }
}

export async function setUpModel(keys: ProfileKeyStore): Promise<void> {
  const ollamaBase = ollamaUrl();
  const [copilot, ollama] = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Thoughtscope: looking for Copilot and Ollama…') },
    () => Promise.all([copilotModels(), listOllamaModels(ollamaBase)]),
  );
  const items: SetupItem[] = [];
  items.push({ label: 'GitHub Copilot', kind: vscode.QuickPickItemKind.Separator });
  if (copilot.models.length === 0) items.push({ label: vscode.l10n.t('$(info) Copilot is not available'), detail: copilot.problem });
  for (const m of copilot.models) {
    items.push({
      label: `$(copilot) ${m.name}`,
      description: vscode.l10n.t('{0} / {1} — no API key', m.vendor, m.family),
      make: async () => ({ name: profileNameFrom(`copilot-${m.family}`), provider: 'vscode-lm', vendor: m.vendor, model: m.family }),
    });
  }
  items.push({ label: 'Ollama', kind: vscode.QuickPickItemKind.Separator });
  if (!ollama) items.push({ label: vscode.l10n.t('$(info) Ollama is not running'), detail: vscode.l10n.t('Nothing answered at {0}: install Ollama, start it, and run "ollama pull llama3.2"', ollamaBase) });
  else if (ollama.length === 0) items.push({ label: vscode.l10n.t('$(info) Ollama has no models'), detail: vscode.l10n.t('Run "ollama pull llama3.2" in a terminal, then try again') });
  for (const name of ollama ?? []) {
    items.push({
      label: `$(server) ${name}`,
      description: vscode.l10n.t('Ollama at {0} — local, free', ollamaBase),
      make: async () => ({ name: profileNameFrom(`ollama-${name}`), provider: 'openai-compatible', baseUrl: ollamaOpenAIUrl(ollamaBase), model: name, price: { input: 0, output: 0 } }),
    });
  }
  items.push({ label: vscode.l10n.t('API key'), kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: vscode.l10n.t('$(key) OpenAI with an API key'), description: vscode.l10n.t('gpt-4o-mini at api.openai.com'), make: () => keyedProfile(keys, 'https://api.openai.com/v1', 'gpt-4o-mini') });
  items.push({ label: vscode.l10n.t('$(globe) Another OpenAI-compatible server…'), description: vscode.l10n.t('Azure OpenAI, vLLM, LM Studio, …'), make: () => keyedProfile(keys) });

  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Thoughtscope: Set Up a Model'), placeHolder: vscode.l10n.t('Choose the model runs will use'), ignoreFocusOut: true });
  if (!picked) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: no model set up. Run "Thoughtscope: Set Up a Model" when you are ready.'));
    return;
  }
  if (!picked.make) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Thoughtscope: {0}. {1}', picked.label.replace(/^\$\([^)]+\)\s*/, ''), picked.detail ?? ''));
    return;
  }
  const profile = await picked.make();
  if (!profile) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: setup cancelled; nothing was changed.'));
    return;
  }
  await addProfile(profile, true);
  void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: runs now use profile "{0}". Select some text and run "Thoughtscope: Reason with…".', profile.name));
}

async function keyedProfile(keys: ProfileKeyStore, baseUrl?: string, model?: string): Promise<ModelProfile | undefined> {
  const url = baseUrl ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Thoughtscope: server URL'), prompt: vscode.l10n.t('The OpenAI-compatible base URL'), value: 'https://api.openai.com/v1', ignoreFocusOut: true }));
  if (!url) return undefined;
  const name = model ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Thoughtscope: model'), prompt: vscode.l10n.t('The model (Azure: deployment) name'), ignoreFocusOut: true }));
  if (!name) return undefined;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: "{0}" is not an http(s) URL; expected something like https://api.openai.com/v1', url));
    return undefined;
  }
  const profile: ModelProfile = { name: serverProfileName(parsed, name), provider: 'openai-compatible', baseUrl: url, model: name };
  if (!(await keys.promptAndStore(profile.name))) return undefined;
  return profile;
}

/** First run with nothing configured: offer the setup once, from a button (a user action). */
export function offerSetupOnce(context: vscode.ExtensionContext): void {
  const config = vscode.workspace.getConfiguration(SECTION);
  const untouched = (key: string) => {
    const i = config.inspect(key);
    return i?.globalValue === undefined && i?.workspaceValue === undefined;
  };
  const nothingConfigured = ['profiles', 'activeProfile', 'baseUrl', 'model'].every(untouched);
  if (!nothingConfigured || context.globalState.get('thoughtscope.setupOffered')) return;
  void context.globalState.update('thoughtscope.setupOffered', true);
  const setUp = vscode.l10n.t('Set Up a Model');
  const walkthrough = vscode.l10n.t('Open Walkthrough');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Thoughtscope: choose the model to reason with — Copilot, Ollama, or an API key.'), setUp, walkthrough)
    .then((choice) => {
      if (choice === setUp) void vscode.commands.executeCommand('thoughtscope.setUpModel');
      if (choice === walkthrough) void vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#thoughtscope.gettingStarted`, false);
    });
}
