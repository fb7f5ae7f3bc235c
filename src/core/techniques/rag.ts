// Retrieval Augmented Generation over the open workspace (Lewis et al., 2020, here with BM25 retrieval):
// the question's best chunks of the workspace's text files are put in the prompt as numbered sources
// and the model answers citing them. A question nothing in the workspace matches is declared
// unanswerable without asking the model; an answer that cites no real source is declared too,
// instead of passing on an invented citation.
//
// With an embeddings model (a profile's `embeddingModel`, or `embeddingModel` on the run's own
// server) the BM25 candidates are re-ranked by a blend of cosine similarity and BM25 score, and the
// embedding call is counted and priced on a re-rank node.
//
// Graph: question → index → [re-rank] → retrieved chunks (file, lines, score) → answer, with an edge
// from every cited chunk to the answer. Chunks and the answer carry the index root in `meta.root`,
// since their paths are relative to it.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EmbeddingModel } from '../model/types';
import type { Run } from '../run/run';
import { EmbeddingCache, embeddingText, rerank, textHash, type RerankedHit } from '../rag/embeddings';
import { DEFAULT_MAX_BYTES, specialFileSystemOf } from '../rag/files';
import { openSyncedIndex } from '../rag/openIndex';
import type { IndexRequest } from '../rag/provider';
import type { SearchHit } from '../rag/workspaceIndex';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import type { Technique, TechniqueHost } from './types';

const params: readonly ParamSpec[] = [
  {
    name: 'root',
    type: 'string',
    default: '',
    maxLength: 1024,
    restricted: true,
    description: 'Folder to index; empty is the workspace folder (CLI: the current directory). Relative paths start there. Ignored when set by an untrusted workspace: it decides which files are sent to the model.',
  },
  { name: 'topK', type: 'integer', default: 4, min: 1, max: 20, description: 'Chunks retrieved and put in the prompt as sources.' },
  { name: 'minScore', type: 'number', default: 0, min: 0, max: 1000, description: 'Chunks with a lower BM25 score are not used; when none is left the question is declared unanswerable by the workspace.' },
  { name: 'chunkLines', type: 'integer', default: 40, min: 5, max: 400, description: 'Lines per chunk (consecutive chunks overlap by a fifth).' },
  { name: 'maxFileKb', type: 'integer', default: 256, min: 1, max: 10240, description: 'Files larger than this many KB are not indexed.' },
  { name: 'temperature', type: 'number', default: 0, min: 0, max: 2, description: 'Sampling temperature of the answer.' },
  {
    name: 'embeddingProfile',
    type: 'string',
    default: '',
    maxLength: 64,
    description: 'Re-rank with the embeddings model of this model profile (its `embeddingModel`). Empty: the active profile\'s, when it has one.',
  },
  {
    name: 'embeddingModel',
    type: 'string',
    default: '',
    maxLength: 200,
    description: 'Re-rank with this embeddings model of the run\'s own OpenAI-compatible server (e.g. `text-embedding-3-small`, `nomic-embed-text`), instead of a profile\'s.',
  },
  { name: 'embeddingWeight', type: 'number', default: 0.5, min: 0, max: 1, description: 'Re-ranked score = weight × cosine similarity + (1 − weight) × BM25 score / best BM25 score. 1 orders by similarity alone; 0 turns re-ranking off (no embeddings requests).' },
  { name: 'rerankCandidates', type: 'integer', default: 20, min: 1, max: 100, description: 'BM25 candidates re-ranked with embeddings; the best `topK` of them become the sources.' },
];

export const NOT_FOUND_MARK = 'NOT FOUND';

export function notAnswerable(reason: string): string {
  return `The workspace does not answer this question (${reason}).`;
}

function indexRequest(p: ParamValues, host: TechniqueHost): IndexRequest {
  const base = host.baseDir ?? process.cwd();
  const root = (p.root as string).trim() ? resolve(base, (p.root as string).trim()) : base;
  const lines = p.chunkLines as number;
  return { root, chunking: { lines, overlap: Math.floor(lines / 5) }, maxBytes: (p.maxFileKb as number) * 1024 || DEFAULT_MAX_BYTES };
}

export function location(hit: Pick<SearchHit, 'path' | 'startLine' | 'endLine'>): string {
  return `${hit.path}:${hit.startLine}-${hit.endLine}`;
}

export function ragPrompt(question: string, hits: readonly SearchHit[]): string {
  const sources = hits.map((h, i) => `[${i + 1}] ${h.path} lines ${h.startLine}-${h.endLine}\n"""\n${h.text}\n"""`).join('\n\n');
  return (
    'Answer the question using only the numbered sources below, which come from the user\'s workspace. ' +
    'Cite the sources every statement rests on by number in square brackets, e.g. [2]. ' +
    `If the sources do not contain the answer, reply with exactly: ${NOT_FOUND_MARK}\n\n` +
    `Sources:\n${sources}\n\nQuestion: ${question.trim()}\nAnswer:`
  );
}

export interface ParsedAnswer {
  text: string;
  /** Cited source numbers that exist (1-based), in order of first citation. */
  cited: number[];
  /** Cited numbers that name no source. */
  invented: number[];
  notFound: boolean;
}

/** Reads citations like [1], [2, 3] or [1][3]; numbers naming no source are removed from the text. */
export function parseCitations(output: string, sourceCount: number): ParsedAnswer {
  const trimmed = output.trim();
  if (trimmed === '' || trimmed.toUpperCase().startsWith(NOT_FOUND_MARK)) return { text: trimmed, cited: [], invented: [], notFound: true };
  const cited: number[] = [];
  const invented: number[] = [];
  const text = trimmed.replace(/\[(\d+(?:\s*,\s*\d+)*)\]/g, (_all, list: string) => {
    const kept = list.split(',').map((n) => Number(n.trim())).filter((n) => {
      const ok = n >= 1 && n <= sourceCount;
      (ok ? cited : invented).push(n);
      return ok;
    });
    return kept.length ? `[${kept.join(', ')}]` : '';
  });
  return { text: text.replace(/[ \t]+([.,;:])/g, '$1').trim(), cited: [...new Set(cited)], invented: [...new Set(invented)], notFound: false };
}

/** The embeddings model to re-rank with, or undefined for BM25 alone. */
function embedderFor(run: Run, p: ParamValues): EmbeddingModel | undefined {
  if ((p.embeddingWeight as number) === 0) return undefined;
  const onServer = (p.embeddingModel as string).trim();
  if (!onServer) return run.embedderNamed((p.embeddingProfile as string).trim());
  if (!run.model.embeddingModel) {
    throw new ParamError(`rag parameter "embeddingModel": the run's model (${run.model.provider}) has no embeddings endpoint; use "embeddingProfile" with an OpenAI-compatible profile that has "embeddingModel"`);
  }
  return run.model.embeddingModel(onServer);
}

/**
 * Re-rank `pool` on node `nodeId`: one embeddings request for the question and the chunks whose
 * vectors are not cached yet; cached vectors come from the index storage.
 */
async function rerankPool(run: Run, nodeId: string, question: string, pool: readonly SearchHit[], embedder: EmbeddingModel, cache: EmbeddingCache, weight: number) {
  const hashes = pool.map((h) => textHash(embeddingText(h)));
  const missing = [...new Set(hashes.filter((h) => !cache.get(h)))];
  const texts = missing.map((h) => embeddingText(pool[hashes.indexOf(h)]));
  const response = await run.embed(nodeId, 'embed', [question, ...texts], embedder);
  missing.forEach((h, i) => cache.set(h, response.vectors[i + 1]));
  await cache.save();
  const vectors = hashes.map((h) => cache.get(h) ?? []);
  return { hits: rerank(pool, response.vectors[0], vectors, weight), requested: missing.length, cached: hashes.filter((h) => !missing.includes(h)).length };
}

export const ragTechnique: Technique = {
  id: 'rag',
  name: 'Retrieval Augmented Generation',
  description: 'Retrieve the best chunks of the workspace\'s text files (BM25, optionally re-ranked with embeddings), answer from them with citations, or say the workspace does not answer.',
  params,
  async validate(p, host) {
    if ((p.embeddingModel as string).trim() && (p.embeddingProfile as string).trim()) {
      throw new ParamError('rag: set "embeddingProfile" or "embeddingModel", not both');
    }
    const { root } = indexRequest(p, host);
    const special = specialFileSystemOf(await realpath(root).catch(() => root));
    if (special) throw new ParamError(`technique "rag" parameter "root": ${root} is on the special file system ${special}, which holds no text files to index; choose a folder of your files`);
  },
  async run({ run, input, params: p, host }) {
    const embedder = embedderFor(run, p);
    const question = run.graph.addNode({ kind: 'question', text: input });
    const request = indexRequest(p, host);
    const indexNode = run.graph.addNode({ kind: 'thought', text: `Indexing ${request.root}…`, status: 'running' }, [{ id: question.id, kind: 'expand' }]);
    const { index, stats } = host.workspaceIndex
      ? await host.workspaceIndex(request)
      : await openSyncedIndex(request.root, host.storageDir, request.chunking, { maxBytes: request.maxBytes });
    run.throwIfCancelled();
    const topK = p.topK as number;
    const pool = index.search(input, embedder ? Math.max(topK, p.rerankCandidates as number) : topK).filter((h) => h.score >= (p.minScore as number));
    run.graph.update(indexNode.id, {
      status: 'done',
      text: `Index: ${stats.files} files, ${stats.chunks} chunks (${stats.read} read now); ${pool.length} chunk${pool.length === 1 ? '' : 's'} retrieved`,
      meta: { root: index.root, files: stats.files, chunks: stats.chunks, read: stats.read },
    });
    let hits: Array<SearchHit | RerankedHit> = pool;
    let chunkParent = indexNode.id;
    if (embedder && pool.length > 0) {
      const weight = p.embeddingWeight as number;
      const node = run.graph.addNode({ kind: 'thought', text: `Re-ranking ${pool.length} BM25 candidates with ${embedder.model}…`, status: 'pending' }, [{ id: indexNode.id, kind: 'refine' }]);
      const cache = await EmbeddingCache.open(host.storageDir, index.root, embedder.cacheKey);
      const reranked = await rerankPool(run, node.id, input, pool, embedder, cache, weight);
      hits = reranked.hits.slice(0, topK);
      chunkParent = node.id;
      run.graph.update(node.id, {
        text: `Re-ranked ${pool.length} BM25 candidates by ${weight} × cosine similarity + ${Number((1 - weight).toFixed(3))} × BM25 (${embedder.model}); ${reranked.cached} chunk embeddings cached, ${reranked.requested} requested; kept the best ${hits.length}`,
        meta: { embeddingModel: embedder.model, candidates: pool.length, cachedEmbeddings: reranked.cached, requestedEmbeddings: reranked.requested, weight },
      });
    }
    const chunkNodes = hits.map((h, i) =>
      run.graph.addNode(
        {
          kind: 'chunk',
          text: `[${i + 1}] ${location(h)}\n${h.text}`,
          score: Number(h.score.toFixed(3)),
          meta: { file: h.path, root: index.root, startLine: h.startLine, endLine: h.endLine, rank: i + 1, ...('similarity' in h ? { bm25: Number(h.bm25.toFixed(3)), similarity: Number(h.similarity.toFixed(4)) } : {}) },
        },
        [{ id: chunkParent, kind: 'select', label: `#${i + 1}` }],
      ),
    );
    if (hits.length === 0) {
      const answer = notAnswerable('no indexed text matches it');
      const node = run.graph.addNode({ kind: 'answer', text: answer, meta: { answered: false } }, [{ id: chunkParent, kind: 'answer' }]);
      return { answer, answerNodeId: node.id, candidates: [answer] };
    }
    const writer = run.graph.addNode({ kind: 'thought', text: `Answering from ${hits.length} sources…`, status: 'pending' }, chunkNodes.map((n) => ({ id: n.id, kind: 'aggregate' as const })));
    const response = await run.call(writer.id, 'answer', { messages: [{ role: 'user', content: ragPrompt(input, hits) }], temperature: p.temperature as number });
    const output = response.choices[0] ?? '';
    run.graph.update(writer.id, { text: output || '(empty)' });
    const parsed = parseCitations(output, hits.length);
    const meta: Record<string, string | number | boolean> = { answered: false, root: index.root };
    if (parsed.invented.length) meta.inventedCitations = parsed.invented.join(', ');
    let answer: string;
    if (parsed.notFound) answer = notAnswerable('the retrieved sources do not contain the answer');
    else if (parsed.cited.length === 0) answer = notAnswerable(parsed.invented.length ? 'the model cited sources that were not retrieved' : 'the model\'s reply cites no source');
    else {
      meta.answered = true;
      parsed.cited.forEach((n) => (meta[`source ${n}`] = location(hits[n - 1])));
      answer = `${parsed.text}\n\nSources:\n${parsed.cited.map((n) => `[${n}] ${location(hits[n - 1])}`).join('\n')}`;
    }
    const node = run.graph.addNode({ kind: 'answer', text: answer, meta }, [
      { id: writer.id, kind: 'answer' },
      ...parsed.cited.map((n) => ({ id: chunkNodes[n - 1].id, kind: 'select' as const, label: `[${n}]` })),
    ]);
    return { answer, answerNodeId: node.id, candidates: [answer] };
  },
};
