// The extension's response cache across runs (core/run/diskCache.ts): one folder in the extension's
// global storage, shared by every workspace, sized and aged by the thoughtscope.cache.* settings.
// Runs, comparisons, evaluations and experiments take it from `responseCacheFor(settings)`;
// "Thoughtscope: Clear Response Cache" shows what it holds and empties it.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { formatUsd } from '../core/pricing';
import { DiskCache } from '../core/run/diskCache';
import type { Settings } from '../settings/settings';

let storageDir: string | undefined;
let log: vscode.LogOutputChannel | undefined;
let current: { limits: string; cache: DiskCache } | undefined;

/** The cache runs use under these settings; undefined when it is off (or before activation). */
export function responseCacheFor(settings: Pick<Settings, 'cache'>): DiskCache | undefined {
  if (!storageDir || !settings.cache.enabled) return undefined;
  const { maxBytes, maxAgeMs } = settings.cache;
  const limits = `${maxBytes}/${maxAgeMs}`;
  if (current?.limits !== limits) {
    current = { limits, cache: new DiskCache({ dir: join(storageDir, 'responses'), maxBytes, maxAgeMs, warn: (m) => log?.warn(m) }) };
  }
  return current.cache;
}

export function registerResponseCache(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): void {
  storageDir = context.globalStorageUri.fsPath;
  log = channel;
  context.subscriptions.push(vscode.commands.registerCommand('thoughtscope.clearResponseCache', () => clearCommand()));
}

async function clearCommand(): Promise<void> {
  if (!storageDir) return;
  const cache = current?.cache ?? new DiskCache({ dir: join(storageDir, 'responses') });
  const stats = await cache.stats();
  if (stats.entries === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: the response cache is empty.'));
    return;
  }
  const clear = vscode.l10n.t('Clear');
  const size = `${(stats.bytes / 1024 / 1024).toFixed(1)} MB`;
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Delete {0} cached answers ({1}; they cost {2} when sent)?', stats.entries, size, formatUsd(stats.storedUsd)),
    { modal: true, detail: vscode.l10n.t('Requests they answered will be sent again.') },
    clear,
  );
  if (choice !== clear) return;
  const removed = await cache.clear();
  log?.info(`Response cache: removed ${removed} answers from ${cache.dir}`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Thoughtscope: removed {0} cached answers.', removed));
}
