// A BM25 index (minisearch) over the chunks of a workspace's text files. It takes a file list from
// the host, re-reads only files whose size or modification time changed, and persists its chunks to
// a storage folder so the next session starts without reading the workspace again (the BM25 tables
// are rebuilt in memory from the stored chunks, which is quick).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { chunkLines, type ChunkOptions, type ChunkText } from './chunker';
import { readTextFile, type FileInfo } from './files';
import { searchTerms, tokenize } from './terms';

export interface Chunk extends ChunkText {
  /** `path:startLine`, unique in the index. */
  id: string;
  path: string;
}

export interface SearchHit extends Chunk {
  score: number;
}

interface FileEntry {
  size: number;
  mtimeMs: number;
  chunks: ChunkText[];
}

interface Stored {
  version: number;
  root: string;
  chunking: ChunkOptions;
  files: Record<string, FileEntry>;
}

export interface SyncStats {
  files: number;
  chunks: number;
  /** Files read this time (new or changed); the rest came from the stored index. */
  read: number;
  removed: number;
}

const STORE_VERSION = 1;
export const DEFAULT_CHUNKING: ChunkOptions = { lines: 40, overlap: 8 };

export class WorkspaceIndex {
  private readonly files = new Map<string, FileEntry>();
  private search_: MiniSearch<Chunk> = WorkspaceIndex.emptySearch();
  private dirty = false;

  private constructor(
    readonly root: string,
    private readonly storageFile: string | undefined,
    readonly chunking: ChunkOptions,
  ) {}

  /** The index of `root`, loaded from `storageDir` when a compatible one was saved there. */
  static async open(root: string, storageDir: string | undefined, chunking: ChunkOptions = DEFAULT_CHUNKING): Promise<WorkspaceIndex> {
    const file = storageDir ? join(storageDir, `rag-index-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`) : undefined;
    const index = new WorkspaceIndex(root, file, chunking);
    if (file) await index.load(file);
    return index;
  }

  private static emptySearch(): MiniSearch<Chunk> {
    return new MiniSearch<Chunk>({
      fields: ['text', 'path'],
      storeFields: ['path', 'startLine', 'endLine', 'text'],
      tokenize,
      processTerm: (term) => term,
      searchOptions: { boost: { path: 0.5 }, prefix: (term) => term.length > 4, combineWith: 'OR' },
    });
  }

  private async load(file: string): Promise<void> {
    let stored: Stored;
    try {
      stored = JSON.parse(await readFile(file, 'utf8')) as Stored;
    } catch {
      return; // nothing stored yet, or unreadable: start empty
    }
    const same = stored.version === STORE_VERSION && stored.root === this.root && stored.chunking?.lines === this.chunking.lines && stored.chunking?.overlap === this.chunking.overlap;
    if (!same || typeof stored.files !== 'object' || stored.files === null) return;
    for (const [path, entry] of Object.entries(stored.files)) this.put(path, entry);
  }

  get fileCount(): number {
    return this.files.size;
  }

  get chunkCount(): number {
    return this.search_.documentCount;
  }

  /** Bring the index in line with `list`: read new and changed files, drop files no longer listed. */
  async sync(list: readonly FileInfo[]): Promise<SyncStats> {
    const listed = new Set(list.map((f) => f.path));
    let removed = 0;
    for (const path of [...this.files.keys()]) {
      if (!listed.has(path)) {
        this.drop(path);
        removed++;
      }
    }
    let read = 0;
    for (const info of list) {
      const known = this.files.get(info.path);
      if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) continue;
      await this.readInto(info);
      read++;
    }
    return { files: this.files.size, chunks: this.chunkCount, read, removed };
  }

  /** A file was created or changed (file watcher): read it again. */
  async updateFile(path: string, maxBytes: number): Promise<void> {
    const info = await stat(join(this.root, path)).catch(() => undefined);
    if (!info || !info.isFile() || info.size > maxBytes) {
      this.removeFile(path);
      return;
    }
    await this.readInto({ path, size: info.size, mtimeMs: info.mtimeMs });
  }

  /** A file or folder was deleted (file watcher): drop it and everything under it. */
  removeFile(path: string): void {
    for (const known of [...this.files.keys()]) if (known === path || known.startsWith(`${path}/`)) this.drop(known);
  }

  private async readInto(info: FileInfo): Promise<void> {
    const text = await readTextFile(this.root, info.path).catch(() => undefined);
    if (this.files.has(info.path)) this.drop(info.path);
    // Binary and unreadable files are remembered with no chunks so they are not read again until they change.
    this.put(info.path, { size: info.size, mtimeMs: info.mtimeMs, chunks: text === undefined ? [] : chunkLines(text, this.chunking) });
  }

  private put(path: string, entry: FileEntry): void {
    this.files.set(path, entry);
    this.search_.addAll(entry.chunks.map((c) => ({ ...c, id: `${path}:${c.startLine}`, path })));
    this.dirty = true;
  }

  private drop(path: string): void {
    const entry = this.files.get(path);
    if (!entry) return;
    for (const c of entry.chunks) this.search_.discard(`${path}:${c.startLine}`);
    this.files.delete(path);
    this.dirty = true;
  }

  /** The best `k` chunks for `query` by BM25 score, best first; chunks sharing no term are never returned. */
  search(query: string, k: number): SearchHit[] {
    const terms = searchTerms(query);
    if (terms.length === 0) return [];
    const results = this.search_.search(terms.join(' '));
    return results.slice(0, k).map((r) => ({
      id: String(r.id),
      path: r.path as string,
      startLine: r.startLine as number,
      endLine: r.endLine as number,
      text: r.text as string,
      score: r.score,
    }));
  }

  /** Write the chunks to the storage folder (atomically: a half-written index is never loaded). */
  async save(): Promise<void> {
    if (!this.storageFile || !this.dirty) return;
    const stored: Stored = { version: STORE_VERSION, root: this.root, chunking: this.chunking, files: Object.fromEntries(this.files) };
    await mkdir(join(this.storageFile, '..'), { recursive: true });
    const temp = `${this.storageFile}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(stored));
    await rename(temp, this.storageFile);
    this.dirty = false;
  }
}
