// Embedding re-ranking for rag: the BM25 candidates are re-scored by the cosine similarity of their
// embedding to the question's, blended with their BM25 score. Chunk embeddings are cached in the
// index storage folder, one file per root and embeddings model (server + model name), keyed by the
// hash of the embedded text, so an unchanged chunk is never embedded twice.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchHit } from './workspaceIndex';

const STORE_VERSION = 1;
/** Beyond this many vectors the least recently used are dropped when saving. */
export const MAX_CACHED_VECTORS = 50_000;

interface StoredVectors {
  version: number;
  cacheKey: string;
  /** Text hash → little-endian float32 vector in base64. */
  vectors: Record<string, string>;
}

/** What is embedded for a chunk: its path gives the text a context the chunk alone may lack. */
export function embeddingText(hit: Pick<SearchHit, 'path' | 'text'>): string {
  return `${hit.path}\n${hit.text}`;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, number[]>();
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly cacheKey: string,
  ) {}

  /** The cache of `root`'s chunks for one embeddings model; in memory only without a storage folder. */
  static async open(storageDir: string | undefined, root: string, cacheKey: string): Promise<EmbeddingCache> {
    const file = storageDir ? join(storageDir, `rag-embeddings-${textHash(`${root}\n${cacheKey}`).slice(0, 16)}.json`) : undefined;
    const cache = new EmbeddingCache(file, cacheKey);
    if (file) await cache.load(file);
    return cache;
  }

  private async load(file: string): Promise<void> {
    let stored: StoredVectors;
    try {
      stored = JSON.parse(await readFile(file, 'utf8')) as StoredVectors;
    } catch {
      return;
    }
    if (stored.version !== STORE_VERSION || stored.cacheKey !== this.cacheKey || typeof stored.vectors !== 'object' || stored.vectors === null) return;
    for (const [hash, encoded] of Object.entries(stored.vectors)) {
      if (typeof encoded === 'string') this.vectors.set(hash, decodeVector(encoded));
    }
  }

  get size(): number {
    return this.vectors.size;
  }

  get(hash: string): number[] | undefined {
    const vector = this.vectors.get(hash);
    if (vector) {
      // Map order is the eviction order: a vector used now moves to the end.
      this.vectors.delete(hash);
      this.vectors.set(hash, vector);
    }
    return vector;
  }

  set(hash: string, vector: number[]): void {
    this.vectors.delete(hash);
    this.vectors.set(hash, vector);
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    const keep = [...this.vectors.entries()].slice(-MAX_CACHED_VECTORS);
    const stored: StoredVectors = { version: STORE_VERSION, cacheKey: this.cacheKey, vectors: Object.fromEntries(keep.map(([h, v]) => [h, encodeVector(v)])) };
    await mkdir(join(this.file, '..'), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(stored));
    await rename(temp, this.file);
    this.dirty = false;
  }
}

function encodeVector(vector: number[]): string {
  return Buffer.from(Float32Array.from(vector).buffer).toString('base64');
}

function decodeVector(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  return Array.from(floats);
}

/** Cosine similarity; 0 when either vector is all zeros or their lengths differ. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface RerankedHit extends SearchHit {
  /** The BM25 score the chunk was retrieved with. */
  bm25: number;
  /** Cosine similarity of the chunk's embedding to the question's. */
  similarity: number;
}

/**
 * Re-order BM25 candidates: score = weight × cosine + (1 − weight) × BM25 / best BM25 among the
 * candidates. Weight 1 orders by similarity alone; ties keep the BM25 order.
 */
export function rerank(hits: readonly SearchHit[], query: readonly number[], vectors: readonly (readonly number[])[], weight: number): RerankedHit[] {
  const best = Math.max(...hits.map((h) => h.score), Number.MIN_VALUE);
  return hits
    .map((h, i) => {
      const similarity = cosine(query, vectors[i]);
      return { hit: { ...h, bm25: h.score, similarity, score: weight * similarity + (1 - weight) * (h.score / best) }, i };
    })
    .sort((a, b) => b.hit.score - a.hit.score || a.i - b.i)
    .map((x) => x.hit);
}
