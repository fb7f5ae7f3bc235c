// Wires model profiles into the extension: the status bar item, the picker, model setup, per-profile
// keys, FrugalGPT calibration, and the RunProfiles each run gets (see extensionProfiles.ts).
import * as vscode from 'vscode';
import type { RunProfile } from '../core/run/run';
import { calibrateCascadeCommand } from './calibrateCascadeCommand';
import { extensionRunProfiles, ProfileKeyStore } from './extensionProfiles';
import { LmModelCache, vscodeLmApi } from './lmApiModel';
import { offerSetupOnce, setUpModel } from './modelSetup';
import { configuredProfiles, pickProfile, ProfileStatus } from './profileStatus';
import type { Settings } from '../settings/settings';
import { readWorkspaceSettings } from '../settings/workspaceSettings';

export function registerProfiles(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): (settings: Settings) => Promise<RunProfile[]> {
  const keys = new ProfileKeyStore(context.secrets);
  const api = vscodeLmApi(vscode);
  const cache = new LmModelCache(api);
  const profilesFor = (settings: Settings) =>
    extensionRunProfiles(settings.profiles, keys, { api, cache }, { timeoutMs: settings.requestTimeoutMs, stream: settings.stream, required: settings.activeProfile, log });

  context.subscriptions.push(
    cache,
    new ProfileStatus(),
    vscode.commands.registerCommand('thoughtscope.pickProfile', () => pickProfile()),
    vscode.commands.registerCommand('thoughtscope.setUpModel', () => setUpModel(keys)),
    vscode.commands.registerCommand('thoughtscope.setProfileKey', async () => {
      const names = configuredProfiles().filter((p) => p.provider === 'openai-compatible').map((p) => p.name);
      if (names.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: no OpenAI-compatible profiles yet; "Thoughtscope: Set Up a Model" creates one.'));
        return;
      }
      const name = await vscode.window.showQuickPick(names, { title: vscode.l10n.t('Thoughtscope: API key of which profile?') });
      if (name) await keys.promptAndStore(name);
    }),
    vscode.commands.registerCommand('thoughtscope.calibrateCascade', () =>
      calibrateCascadeCommand(async () => {
        try {
          return await profilesFor(readWorkspaceSettings());
        } catch (err) {
          void vscode.window.showErrorMessage(vscode.l10n.t('Thoughtscope: {0}', (err as Error).message.split('\n')[0]));
          return undefined;
        }
      }, log),
    ),
  );
  offerSetupOnce(context);
  return profilesFor;
}
