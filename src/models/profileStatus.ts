// The status bar item showing the active model profile, and its picker. Clicking the item opens the
// picker; choosing sets `thoughtscope.activeProfile` (user settings).
import * as vscode from 'vscode';
import { describeProfile, validateProfiles, type ModelProfile } from '../core/profiles';
import { SECTION } from '../settings/settingsSchema';

export function configuredProfiles(): ModelProfile[] {
  try {
    return validateProfiles(vscode.workspace.getConfiguration(SECTION).get('profiles'), 'thoughtscope.profiles');
  } catch {
    // A broken setting is reported when a run starts (with Open Settings); the picker shows none.
    return [];
  }
}

export async function addProfile(profile: ModelProfile, makeActive: boolean): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const others = configuredProfiles().filter((p) => p.name !== profile.name);
  await config.update('profiles', [...others, profile], vscode.ConfigurationTarget.Global);
  if (makeActive) await config.update('activeProfile', profile.name, vscode.ConfigurationTarget.Global);
}

export class ProfileStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('thoughtscope.profile', vscode.StatusBarAlignment.Right, 100);
  private readonly listener: vscode.Disposable;

  constructor() {
    this.item.name = vscode.l10n.t('Thoughtscope model profile');
    this.item.command = 'thoughtscope.pickProfile';
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.refresh();
    });
    this.refresh();
    this.item.show();
  }

  refresh(): void {
    const config = vscode.workspace.getConfiguration(SECTION);
    const active = config.get<string>('activeProfile') ?? '';
    const profile = configuredProfiles().find((p) => p.name === active);
    const label = profile ? profile.name : config.get<string>('model') ?? '';
    this.item.text = `$(hubot) ${label}`;
    this.item.tooltip = profile
      ? vscode.l10n.t('Thoughtscope model profile "{0}": {1}. Click to change.', profile.name, describeProfile(profile))
      : vscode.l10n.t('Thoughtscope model: {0} at {1} (no profile). Click to pick a profile or set one up.', label, config.get<string>('baseUrl') ?? '');
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}

type PickItem = vscode.QuickPickItem & { action: 'profile' | 'none' | 'setup' | 'edit'; name?: string };

/** "Thoughtscope: Choose Model Profile". */
export async function pickProfile(): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const active = config.get<string>('activeProfile') ?? '';
  const items: PickItem[] = [
    ...configuredProfiles()
      .filter((p) => p.provider !== 'cascade')
      .map((p): PickItem => ({ label: `${p.name === active ? '$(check) ' : ''}${p.name}`, description: describeProfile(p), action: 'profile', name: p.name })),
    { label: `${active ? '' : '$(check) '}${vscode.l10n.t('No profile')}`, description: vscode.l10n.t('{0} at {1} (thoughtscope.baseUrl / model)', config.get<string>('model') ?? '', config.get<string>('baseUrl') ?? ''), action: 'none' },
    { label: vscode.l10n.t('$(add) Set Up a Model…'), description: vscode.l10n.t('Copilot, Ollama, or an API key'), action: 'setup' },
    { label: vscode.l10n.t('$(settings-gear) Edit Profiles in Settings'), action: 'edit' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Thoughtscope: Model Profile'), placeHolder: vscode.l10n.t('The model every run uses as its own (eot, frugal and team name others)') });
  if (!picked) return;
  if (picked.action === 'setup') return void (await vscode.commands.executeCommand('thoughtscope.setUpModel'));
  if (picked.action === 'edit') return void (await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.profiles`));
  await config.update('activeProfile', picked.action === 'profile' ? picked.name : '', vscode.ConfigurationTarget.Global);
}
