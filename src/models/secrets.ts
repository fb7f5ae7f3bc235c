// The API key lives in VS Code's SecretStorage only (never in settings, never in the log).
// OPENAI_API_KEY from the environment is the fallback when no key is stored.
import * as vscode from 'vscode';
import { azureKeyHeaders } from '../core/model/azure';

const SECRET_KEY = 'thoughtscope.apiKey';

export type ApiKeySource = 'secret storage' | 'OPENAI_API_KEY' | 'none';

export interface ApiKey {
  key: string | undefined;
  /** Where it came from, safe to log. */
  source: ApiKeySource;
}

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(): Promise<ApiKey> {
    const stored = await this.secrets.get(SECRET_KEY);
    if (stored) return { key: stored, source: 'secret storage' };
    const env = process.env.OPENAI_API_KEY?.trim();
    if (env) return { key: env, source: 'OPENAI_API_KEY' };
    return { key: undefined, source: 'none' };
  }

  /** "Thoughtscope: Set API Key": a password box; Escape changes nothing, an empty value clears the key. */
  async promptAndStore(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Thoughtscope: Set API Key'),
      prompt: vscode.l10n.t('API key for the server in thoughtscope.baseUrl. Stored in VS Code’s secret storage. Leave empty to clear the stored key.'),
      placeHolder: 'sk-…',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    const key = value.trim();
    if (key === '') {
      await this.clear();
      return;
    }
    await this.secrets.store(SECRET_KEY, key);
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: API key saved in secret storage.'));
  }

  async clear(): Promise<void> {
    const had = (await this.secrets.get(SECRET_KEY)) !== undefined;
    await this.secrets.delete(SECRET_KEY);
    const fallback = process.env.OPENAI_API_KEY?.trim() ? ` ${vscode.l10n.t('OPENAI_API_KEY from the environment will be used.')}` : '';
    void vscode.window.showInformationMessage(`${had ? vscode.l10n.t('Thoughtscope: API key cleared.') : vscode.l10n.t('Thoughtscope: no API key was stored.')}${fallback}`);
  }
}

/** Extra headers for the key: Azure OpenAI also accepts it as `api-key`. */
export function keyHeaders(baseUrl: string, key: string | undefined): Record<string, string> | undefined {
  return azureKeyHeaders(baseUrl, key);
}
