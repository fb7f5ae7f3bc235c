// VS Code side of the rag index: one index per workspace folder (and chunking), built on first use
// from the folder's text files minus files.exclude, stored in the extension's workspace storage,
// and kept current by a file watcher (changes are applied as they come, saved a few seconds later).
import * as vscode from 'vscode';
import { isExcluded, relativeTo } from '../core/rag/files';
import { openSyncedIndex } from '../core/rag/openIndex';
import type { IndexRequest } from '../core/rag/provider';
import type { SyncStats, WorkspaceIndex } from '../core/rag/workspaceIndex';
import type { TechniqueHost } from '../core/techniques/types';

const SAVE_DELAY_MS = 5000;

interface Entry {
  ready: Promise<WorkspaceIndex>;
  watcher: vscode.FileSystemWatcher;
  /** Files changed by the watcher since the last run read the index. */
  changed: number;
}

/** files.exclude patterns that are switched on (plain `true`; `when` conditions are not evaluated). */
function filesExclude(root: string): string[] {
  const config = vscode.workspace.getConfiguration('files', vscode.Uri.file(root)).get<Record<string, unknown>>('exclude') ?? {};
  return Object.entries(config).filter(([, on]) => on === true).map(([glob]) => glob);
}

export class RagIndexer implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly storageDir: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The TechniqueHost fields rag uses. */
  host(): Pick<TechniqueHost, 'storageDir' | 'workspaceIndex'> {
    return { storageDir: this.storageDir, workspaceIndex: (request) => this.get(request) };
  }

  async get(request: IndexRequest): Promise<{ index: WorkspaceIndex; stats: SyncStats }> {
    const key = JSON.stringify([request.root, request.chunking, request.maxBytes]);
    const existing = this.entries.get(key);
    if (existing) {
      const index = await existing.ready;
      const read = existing.changed;
      existing.changed = 0;
      return { index, stats: { files: index.fileCount, chunks: index.chunkCount, read, removed: 0 } };
    }
    const excludes = filesExclude(request.root);
    let stats: SyncStats = { files: 0, chunks: 0, read: 0, removed: 0 };
    const ready = openSyncedIndex(request.root, this.storageDir, request.chunking, { excludes, maxBytes: request.maxBytes }).then((r) => {
      stats = r.stats;
      this.log.info(`rag: indexed ${request.root}: ${r.stats.files} files, ${r.stats.chunks} chunks (${r.stats.read} read, ${r.stats.removed} removed)`);
      return r.index;
    });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(request.root), '**/*'));
    const entry: Entry = { ready, watcher, changed: 0 };
    const onChange = (uri: vscode.Uri, deleted: boolean) => void this.apply(entry, request, excludes, uri, deleted);
    watcher.onDidChange((uri) => onChange(uri, false));
    watcher.onDidCreate((uri) => onChange(uri, false));
    watcher.onDidDelete((uri) => onChange(uri, true));
    this.entries.set(key, entry);
    try {
      return { index: await ready, stats };
    } catch (err) {
      watcher.dispose();
      this.entries.delete(key);
      throw err;
    }
  }

  private async apply(entry: Entry, request: IndexRequest, excludes: string[], uri: vscode.Uri, deleted: boolean): Promise<void> {
    try {
      const index = await entry.ready;
      const path = relativeTo(request.root, uri.fsPath);
      if (!path) return;
      if (deleted) index.removeFile(path);
      else if (await isExcluded(request.root, path, { excludes })) return;
      else await index.updateFile(path, request.maxBytes);
      entry.changed++;
      this.scheduleSave(index);
    } catch (err) {
      this.log.warn(`rag: could not update the index for ${uri.fsPath}: ${(err as Error).message}`);
    }
  }

  private scheduleSave(index: WorkspaceIndex): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void index.save().catch((err: Error) => this.log.warn(`rag: could not save the index: ${err.message}`)), SAVE_DELAY_MS);
  }

  dispose(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    for (const entry of this.entries.values()) {
      entry.watcher.dispose();
      void entry.ready.then((index) => index.save()).catch(() => undefined);
    }
    this.entries.clear();
  }
}

let current: RagIndexer | undefined;

/** Started on activation; the run controller asks `ragHost()` for the fields to pass to techniques. */
export function registerRagIndexer(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  current = new RagIndexer((context.storageUri ?? context.globalStorageUri).fsPath, log);
  context.subscriptions.push(current);
}

export function ragHost(): Pick<TechniqueHost, 'storageDir' | 'workspaceIndex'> {
  return current?.host() ?? {};
}
