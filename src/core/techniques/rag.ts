// Retrieval Augmented Generation over the open workspace (Lewis et al., 2020, here with BM25 retrieval):
// the question's best chunks of the workspace's text files are put in the prompt as numbered sources
// and the model answers citing them. A question nothing in the workspace matches is declared
// unanswerable without asking the model; an answer that cites no real source is declared too,
// instead of passing on an invented citation.
//
// Graph: question → index → retrieved chunks (file, lines, BM25 score) → answer, with an edge from
// every cited chunk to the answer.
import { resolve } from 'node:path';
import { DEFAULT_MAX_BYTES } from '../rag/files';
import { openSyncedIndex } from '../rag/openIndex';
import type { IndexRequest } from '../rag/provider';
import type { SearchHit } from '../rag/workspaceIndex';
import type { ParamSpec, ParamValues } from './params';
import type { Technique, TechniqueHost } from './types';

const params: readonly ParamSpec[] = [
  { name: 'root', type: 'string', default: '', maxLength: 1024, description: 'Folder to index; empty is the workspace folder (CLI: the current directory). Relative paths start there.' },
  { name: 'topK', type: 'integer', default: 4, min: 1, max: 20, description: 'Chunks retrieved and put in the prompt as sources.' },
  { name: 'minScore', type: 'number', default: 0, min: 0, max: 1000, description: 'Chunks with a lower BM25 score are not used; when none is left the question is declared unanswerable by the workspace.' },
  { name: 'chunkLines', type: 'integer', default: 40, min: 5, max: 400, description: 'Lines per chunk (consecutive chunks overlap by a fifth).' },
  { name: 'maxFileKb', type: 'integer', default: 256, min: 1, max: 10240, description: 'Files larger than this many KB are not indexed.' },
  { name: 'temperature', type: 'number', default: 0, min: 0, max: 2, description: 'Sampling temperature of the answer.' },
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

export const ragTechnique: Technique = {
  id: 'rag',
  name: 'Retrieval Augmented Generation',
  description: 'Retrieve the best chunks of the workspace\'s text files (BM25), answer from them with citations, or say the workspace does not answer.',
  params,
  async run({ run, input, params: p, host }) {
    const question = run.graph.addNode({ kind: 'question', text: input });
    const request = indexRequest(p, host);
    const indexNode = run.graph.addNode({ kind: 'thought', text: `Indexing ${request.root}…`, status: 'running' }, [{ id: question.id, kind: 'expand' }]);
    const { index, stats } = host.workspaceIndex
      ? await host.workspaceIndex(request)
      : await openSyncedIndex(request.root, host.storageDir, request.chunking, { maxBytes: request.maxBytes });
    run.throwIfCancelled();
    const hits = index.search(input, p.topK as number).filter((h) => h.score >= (p.minScore as number));
    run.graph.update(indexNode.id, {
      status: 'done',
      text: `Index: ${stats.files} files, ${stats.chunks} chunks (${stats.read} read now); ${hits.length} chunk${hits.length === 1 ? '' : 's'} retrieved`,
      meta: { root: index.root, files: stats.files, chunks: stats.chunks, read: stats.read },
    });
    const chunkNodes = hits.map((h, i) =>
      run.graph.addNode(
        { kind: 'chunk', text: `[${i + 1}] ${location(h)}\n${h.text}`, score: Number(h.score.toFixed(3)), meta: { file: h.path, startLine: h.startLine, endLine: h.endLine, rank: i + 1 } },
        [{ id: indexNode.id, kind: 'select', label: `#${i + 1}` }],
      ),
    );
    if (hits.length === 0) {
      const answer = notAnswerable('no indexed text matches it');
      const node = run.graph.addNode({ kind: 'answer', text: answer, meta: { answered: false } }, [{ id: indexNode.id, kind: 'answer' }]);
      return { answer, answerNodeId: node.id, candidates: [answer] };
    }
    const writer = run.graph.addNode({ kind: 'thought', text: `Answering from ${hits.length} sources…`, status: 'pending' }, chunkNodes.map((n) => ({ id: n.id, kind: 'aggregate' as const })));
    const response = await run.call(writer.id, 'answer', { messages: [{ role: 'user', content: ragPrompt(input, hits) }], temperature: p.temperature as number });
    const output = response.choices[0] ?? '';
    run.graph.update(writer.id, { text: output || '(empty)' });
    const parsed = parseCitations(output, hits.length);
    const meta: Record<string, string | number | boolean> = { answered: false };
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
