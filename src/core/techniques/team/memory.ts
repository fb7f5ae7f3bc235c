// An agent's memory stream after Park et al. (2023), "Generative Agents": observations and reflections
// with a model-rated importance (1-10). Retrieval scores each memory by recency (exponential decay
// per time step since it was last retrieved), importance and relevance to the query (the cosine of
// embeddings when the caller has them, else of term counts), each min-max normalised over the stream
// (all equal: 0.5, as the reference code), and sums them with weights.
import { tokenize } from '../../rag/terms';

export interface Memory {
  id: string;
  agent: string;
  kind: 'observation' | 'reflection';
  text: string;
  importance: number;
  createdAt: number;
  lastAccess: number;
  /** Reflections: the memories they were drawn from. */
  evidence: string[];
  /** The graph node that shows it. */
  nodeId?: string;
}

export interface RetrievalWeights {
  recency: number;
  importance: number;
  relevance: number;
}

export interface Retrieved {
  memory: Memory;
  /** Normalised components (0..1) and their weighted sum. */
  recency: number;
  importance: number;
  relevance: number;
  score: number;
}

function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** Cosine similarity of the two texts' term counts (0..1). */
export function lexicalSimilarity(a: string, b: string): number {
  const x = termCounts(a);
  const y = termCounts(b);
  let dot = 0;
  for (const [t, n] of x) dot += n * (y.get(t) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, n) => s + n * n, 0));
  const d = norm(x) * norm(y);
  return d === 0 ? 0 : dot / d;
}

function normalise(values: number[]): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => (max === min ? 0.5 : (v - min) / (max - min)));
}

export class MemoryStream {
  readonly memories: Memory[] = [];
  /** Importance summed over observations added since the last reflection. */
  importanceSinceReflection = 0;
  /** Observations added since the last reflection (what its focal questions are drawn from). */
  observationsSinceReflection = 0;

  constructor(
    readonly agent: string,
    private readonly decay: number,
  ) {}

  add(memory: Omit<Memory, 'agent' | 'lastAccess' | 'evidence'> & { evidence?: string[] }): Memory {
    const full: Memory = { ...memory, agent: this.agent, lastAccess: memory.createdAt, evidence: memory.evidence ?? [] };
    this.memories.push(full);
    if (full.kind === 'observation') {
      this.importanceSinceReflection += full.importance;
      this.observationsSinceReflection++;
    }
    return full;
  }

  /**
   * The best `k` memories for `query` at time `now`, best first; retrieving them refreshes their recency.
   * `similarity` holds each memory's similarity to the query (e.g. of embeddings); default lexical.
   */
  retrieve(query: string, now: number, k: number, weights: RetrievalWeights, similarity?: readonly number[]): Retrieved[] {
    if (this.memories.length === 0) return [];
    const recency = normalise(this.memories.map((m) => this.decay ** Math.max(0, now - m.lastAccess)));
    const importance = normalise(this.memories.map((m) => m.importance));
    const relevance = normalise(similarity ? [...similarity] : this.memories.map((m) => lexicalSimilarity(query, m.text)));
    const scored = this.memories.map((memory, i) => ({
      memory,
      recency: recency[i],
      importance: importance[i],
      relevance: relevance[i],
      score: weights.recency * recency[i] + weights.importance * importance[i] + weights.relevance * relevance[i],
    }));
    // Stable: equal scores keep the older memory first.
    const best = scored.sort((a, b) => b.score - a.score).slice(0, k);
    for (const r of best) r.memory.lastAccess = now;
    return best;
  }
}
