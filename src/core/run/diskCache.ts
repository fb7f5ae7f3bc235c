// The response cache across runs: an identical request to the same model (server and model name,
// every request field — messages, temperature, n, stop, max tokens, tools, seed, and the cacheSalt
// that numbers deliberate repeats) is answered from disk instead of being sent again.
//
// One JSON file per answer, named by the SHA-256 of the key, in 256 sub-folders. A file's mtime is
// its last use: a hit touches it, and when the folder grows past its size cap the least recently used
// answers go first. An answer older than the expiry (counted from when it was first stored) is a miss
// and is deleted. Nothing here can fail a run: a disk error is logged once and the request is sent.
//
// Keys are never stored: requests carry none (the model's key lives in its client's headers), and the
// model identity is its server URL without user info, and the model name.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenUsage } from '../graph/types';
import type { ChatRequest, ChatResponse } from '../model/types';

export const DEFAULT_CACHE_MAX_MB = 512;
export const DEFAULT_CACHE_MAX_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/** After eviction the folder is at most this share of its cap, so one write does not evict every time. */
const EVICT_TO = 0.9;
const FORMAT = 1;

export interface DiskCacheOptions {
  /** The folder of answers (created when the first answer is stored). */
  dir: string;
  /** Size cap in bytes (default 512 MB). */
  maxBytes?: number;
  /** Answers older than this many ms are not used (default 30 days). */
  maxAgeMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
  /** Where a disk problem is told, once per cache. */
  warn?: (message: string) => void;
}

/** What is stored per answer. */
export interface StoredAnswer {
  format: number;
  key: string;
  /** ms since the epoch, when the request was sent. */
  storedAt: number;
  /** USD the request cost when it was sent (null: price unknown then). */
  costUsd: number | null;
  response: ChatResponse;
}

export interface CacheStats {
  dir: string;
  entries: number;
  bytes: number;
  /** Entries past the expiry (deleted by the next lookup of each, by `prune`, or by `clear`). */
  expired: number;
  /** ms since the epoch of the oldest and newest answers, when there are any. */
  oldest?: number;
  newest?: number;
  maxBytes: number;
  maxAgeMs: number;
  /** What the stored answers cost when they were sent (null when some price was unknown). */
  storedUsd: number | null;
}

/** The cache's name for a request to a model: a hex SHA-256 of the model identity and the whole request. */
export function diskCacheKey(modelIdentity: string, request: ChatRequest): string {
  return createHash('sha256').update(canonicalJson([FORMAT, modelIdentity, request])).digest('hex');
}

/** JSON with object keys sorted, so equal requests give equal text whatever order their fields were set in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

interface IndexEntry {
  path: string;
  bytes: number;
  usedAt: number;
}

export class DiskCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly warnOnce: (message: string) => void;
  /** This process's view of the folder, read on the first store; eviction re-reads it. */
  private index: Map<string, IndexEntry> | undefined;
  private indexing: Promise<void> | undefined;
  private bytes = 0;
  /** Size upkeep after stores, one after another. */
  private maintaining: Promise<void> = Promise.resolve();

  constructor(options: DiskCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_MB * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_CACHE_MAX_DAYS * DAY_MS;
    this.now = options.now ?? Date.now;
    let warned = false;
    this.warnOnce = (message) => {
      if (warned) return;
      warned = true;
      options.warn?.(`response cache: ${message}; requests are sent as usual`);
    };
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The stored answer for `key`, or undefined (none, expired, unreadable). A hit counts as a use. */
  async get(key: string): Promise<StoredAnswer | undefined> {
    const path = this.pathOf(key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warnOnce(`cannot read ${path}: ${(err as Error).message}`);
      return undefined;
    }
    const stored = parseStored(text, key);
    if (!stored || this.now() - stored.storedAt > this.maxAgeMs) {
      await this.remove(key, path);
      return undefined;
    }
    const now = new Date(this.now());
    await utimes(path, now, now).catch(() => undefined);
    const known = this.index?.get(key);
    if (known) known.usedAt = now.getTime();
    return stored;
  }

  /**
   * Store the answer to `key`. Keeping the folder under its cap happens after, in the background (the
   * first time, this process reads the folder's sizes); `maintained()` waits for it.
   */
  async put(key: string, response: ChatResponse, costUsd: number | null): Promise<void> {
    const stored: StoredAnswer = { format: FORMAT, key, storedAt: this.now(), costUsd, response: storableResponse(response) };
    const text = JSON.stringify(stored);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxBytes) return;
    const path = this.pathOf(key);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(temp, text);
      const now = new Date(stored.storedAt);
      await utimes(temp, now, now);
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      this.warnOnce(`cannot write ${path}: ${(err as Error).message}`);
      return;
    }
    this.maintaining = this.maintaining.then(() => this.keepUnderCap(key, { path, bytes, usedAt: stored.storedAt }));
  }

  /** Resolves when the size upkeep of every answer stored so far is done. */
  maintained(): Promise<void> {
    return this.maintaining;
  }

  private async keepUnderCap(key: string, entry: IndexEntry): Promise<void> {
    try {
      await this.loadIndex();
      this.track(key, entry);
      if (this.bytes > this.maxBytes) await this.evict();
    } catch (err) {
      this.warnOnce(`cannot read ${this.dir}: ${(err as Error).message}`);
    }
  }

  /** Counts, size and age of what is stored now (read from the folder). */
  async stats(): Promise<CacheStats> {
    const entries = await this.scan();
    const now = this.now();
    let expired = 0;
    let bytes = 0;
    let oldest: number | undefined;
    let newest: number | undefined;
    let storedUsd: number | null = 0;
    for (const [key, entry] of entries) {
      bytes += entry.bytes;
      const stored = parseStored(await readFile(entry.path, 'utf8').catch(() => ''), key);
      if (!stored) continue;
      if (now - stored.storedAt > this.maxAgeMs) expired++;
      oldest = oldest === undefined ? stored.storedAt : Math.min(oldest, stored.storedAt);
      newest = newest === undefined ? stored.storedAt : Math.max(newest, stored.storedAt);
      storedUsd = storedUsd === null || stored.costUsd === null ? null : storedUsd + stored.costUsd;
    }
    return { dir: this.dir, entries: entries.size, bytes, expired, oldest, newest, maxBytes: this.maxBytes, maxAgeMs: this.maxAgeMs, storedUsd };
  }

  /** Delete every stored answer (or, with `expiredOnly`, those past the expiry); returns how many. */
  async clear(expiredOnly = false): Promise<number> {
    const entries = await this.scan();
    let removed = 0;
    for (const [key, entry] of entries) {
      if (expiredOnly) {
        const stored = parseStored(await readFile(entry.path, 'utf8').catch(() => ''), key);
        if (stored && this.now() - stored.storedAt <= this.maxAgeMs) continue;
      }
      await rm(entry.path, { force: true });
      removed++;
    }
    this.index = undefined;
    this.bytes = 0;
    return removed;
  }

  private async remove(key: string, path: string): Promise<void> {
    await rm(path, { force: true }).catch(() => undefined);
    this.untrack(key);
  }

  private track(key: string, entry: IndexEntry): void {
    if (!this.index) return;
    this.untrack(key);
    this.index.set(key, entry);
    this.bytes += entry.bytes;
  }

  private untrack(key: string): void {
    const old = this.index?.get(key);
    if (!old) return;
    this.bytes -= old.bytes;
    this.index!.delete(key);
  }

  /** One scan at a time: the concurrent stores of an evaluation wait for the same one. */
  private loadIndex(): Promise<void> {
    if (this.index) return Promise.resolve();
    this.indexing ??= this.scan().then(
      (entries) => {
        this.index = entries;
        this.bytes = [...entries.values()].reduce((s, e) => s + e.bytes, 0);
        this.indexing = undefined;
      },
      (err: unknown) => {
        this.indexing = undefined;
        throw err;
      },
    );
    return this.indexing;
  }

  /** Least recently used first, down to 90% of the cap; other processes' answers count too (the folder is read again). */
  private async evict(): Promise<void> {
    await this.loadFresh();
    const target = this.maxBytes * EVICT_TO;
    const byUse = [...this.index!.entries()].sort(([, a], [, b]) => a.usedAt - b.usedAt);
    for (const [key, entry] of byUse) {
      if (this.bytes <= target) break;
      await this.remove(key, entry.path);
    }
  }

  private async loadFresh(): Promise<void> {
    this.index = undefined;
    await this.loadIndex();
  }

  /** Every answer file in the folder with its size and last use; missing folders are empty. */
  private async scan(): Promise<Map<string, IndexEntry>> {
    const found = new Map<string, IndexEntry>();
    const shards = await readdir(this.dir).catch(() => [] as string[]);
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      const names = await readdir(join(this.dir, shard)).catch(() => [] as string[]);
      for (const name of names) {
        const match = /^([0-9a-f]{64})\.json$/.exec(name);
        if (!match) continue;
        const path = join(this.dir, shard, name);
        const info = await stat(path).catch(() => undefined);
        if (info) found.set(match[1], { path, bytes: info.size, usedAt: info.mtimeMs });
      }
    }
    return found;
  }
}

/** What of a response is kept: the answer itself, never anything a later stage added. */
function storableResponse(response: ChatResponse): ChatResponse {
  const { replayed: _replayed, ...kept } = response;
  return kept;
}

function parseStored(text: string, key: string): StoredAnswer | undefined {
  try {
    const stored = JSON.parse(text) as StoredAnswer;
    const r = stored?.response;
    if (stored.format !== FORMAT || stored.key !== key || typeof stored.storedAt !== 'number') return undefined;
    if (!r || !Array.isArray(r.choices) || !r.choices.every((c) => typeof c === 'string') || !isUsage(r.usage)) return undefined;
    return stored;
  } catch {
    return undefined;
  }
}

function isUsage(u: TokenUsage | undefined): boolean {
  return !!u && typeof u.promptTokens === 'number' && typeof u.completionTokens === 'number';
}
