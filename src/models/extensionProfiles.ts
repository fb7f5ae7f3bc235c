// Model profiles inside VS Code: each profile's key in SecretStorage under its name (environment
// variable `apiKeyEnv` as the fallback), VS Code language models for vscode-lm profiles, and the
// RunProfiles a run gets. Selecting language models happens here, so only when a run starts (a user action).
import * as vscode from 'vscode';
import { buildRunProfiles } from '../core/model/profileModels';
import type { ChatModel } from '../core/model/types';
import type { ModelProfile } from '../core/profiles';
import type { RunProfile } from '../core/run/run';
import { LmApiChatModel, type LmModelCache } from './lmApiModel';
import { keyHeaders } from './secrets';
import { redactedUrl } from '../core/model/redactUrl';

const PREFIX = 'thoughtscope.apiKey.profile.';

export class ProfileKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The key and where it came from (safe to log: never the key itself). */
  async get(profile: ModelProfile): Promise<{ key: string | undefined; source: string }> {
    const stored = await this.secrets.get(PREFIX + profile.name);
    if (stored) return { key: stored, source: 'secret storage' };
    const env = profile.apiKeyEnv ? process.env[profile.apiKeyEnv]?.trim() : undefined;
    if (env) return { key: env, source: profile.apiKeyEnv! };
    return { key: undefined, source: 'none' };
  }

  async promptAndStore(name: string): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Thoughtscope: API key of profile "{0}"', name),
      prompt: vscode.l10n.t('Stored in VS Code’s secret storage under the profile’s name. Leave empty to clear it.'),
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return false;
    if (value.trim() === '') await this.secrets.delete(PREFIX + name);
    else await this.secrets.store(PREFIX + name, value.trim());
    void vscode.window.showInformationMessage(value.trim() ? vscode.l10n.t('Thoughtscope: key of profile "{0}" saved in secret storage.', name) : vscode.l10n.t('Thoughtscope: key of profile "{0}" cleared.', name));
    return true;
  }
}

/**
 * RunProfiles for every configured profile. A vscode-lm profile whose model cannot be selected is
 * left out with a warning, unless it is the one the run needs (`required`), which fails with the reason.
 */
export async function extensionRunProfiles(
  profiles: readonly ModelProfile[],
  keys: ProfileKeyStore,
  lm: { api: ConstructorParameters<typeof LmApiChatModel>[0]; cache: LmModelCache },
  options: { timeoutMs: number; stream: boolean; required?: string; log: vscode.LogOutputChannel },
): Promise<RunProfile[]> {
  const keyOf = new Map<string, string | undefined>();
  const lmModels = new Map<string, ChatModel>();
  for (const p of profiles) {
    if (p.provider === 'openai-compatible') {
      const { key, source } = await keys.get(p);
      keyOf.set(p.name, key);
      options.log.info(`Profile ${p.name}: ${p.model} at ${redactedUrl(p.baseUrl ?? '')}; API key: ${source}`);
    } else if (p.provider === 'vscode-lm') {
      try {
        const chat = await lm.cache.get({ vendor: p.vendor, family: p.model });
        lmModels.set(p.name, new LmApiChatModel(lm.api, chat));
      } catch (err) {
        if (p.name === options.required) throw err;
        options.log.warn(`Profile ${p.name} is unavailable: ${(err as Error).message}`);
      }
    }
  }
  return buildRunProfiles(
    profiles.filter((p) => p.provider !== 'vscode-lm' || lmModels.has(p.name)),
    {
      apiKeyOf: (p) => keyOf.get(p.name),
      headersOf: (p, key) => keyHeaders(p.baseUrl ?? '', key),
      timeoutMs: options.timeoutMs,
      stream: options.stream,
      external: (p) => lmModels.get(p.name),
    },
  );
}
