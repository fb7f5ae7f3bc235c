// rag's embedding re-ranking against the loopback server's /v1/embeddings through the openai SDK:
// scripted vectors decide the order, chunk vectors are cached in the index storage (not requested
// again), embedding tokens are counted and priced; a server without embeddings fails in one line.
// Also: where "Open" resolves chunk paths when rag's root is a subfolder.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { buildRunProfiles } from '../../src/core/model/profileModels';
import { Pricing } from '../../src/core/pricing';
import { validateProfiles } from '../../src/core/profiles';
import { cosine, EmbeddingCache, rerank } from '../../src/core/rag/embeddings';
import { locationCandidates } from '../../src/core/rag/files';
import { Run } from '../../src/core/run/run';
import { genericTask } from '../../src/core/tasks/generic';
import { ragTechnique } from '../../src/core/techniques/rag';
import { restrictedConfigurations } from '../../src/settings/settingsSchema';
import { startFakeServer, type FakeEmbeddingRequest, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const QUESTION = 'How many upload retries are allowed?';
const EMBED_TOKENS_PER_INPUT = 10;

/** Three files BM25 ranks heavy.md > zebra.md > light.md for the question; only zebra.md holds the answer. */
function makeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'thoughtscope-rag-emb-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('docs/heavy.md', 'upload retries upload retries upload retries: the word upload and the word retries, repeated.\n');
  write('docs/zebra.md', 'Upload policy (zebra): at most 5 retries.\n');
  write('docs/light.md', 'Every upload is logged.\n');
  return root;
}

/** The question and zebra.md point one way, everything else another. */
function scriptedVector(text: string): number[] {
  if (text === QUESTION || /zebra/.test(text)) return [1, 0, 0];
  if (/heavy/.test(text)) return [0, 1, 0];
  return [0.2, 0, 1];
}

describe('rag re-ranking with embeddings', () => {
  let server: FakeServer;
  let bare: FakeServer;
  const storage = mkdtempSync(join(tmpdir(), 'thoughtscope-rag-emb-store-'));
  before(async () => {
    server = await startFakeServer(
      (req) => ({ choices: [/\[1\] docs\/zebra\.md/.test(req.prompt) ? 'At most 5 retries [1].' : 'NOT FOUND'], usage: { prompt_tokens: 100, completion_tokens: 10 } }),
      { embeddings: (req: FakeEmbeddingRequest) => ({ vectors: req.body.input.map(scriptedVector), usage: { prompt_tokens: EMBED_TOKENS_PER_INPUT * req.body.input.length } }) },
    );
    bare = await startFakeServer(() => ({ choices: ['NOT FOUND'] }));
  });
  after(() => Promise.all([server.close(), bare.close()]));

  /** A run whose own model is a profile with an embeddings model, as with an active profile. */
  function profileRun(baseUrl: string, extra: Record<string, unknown> = {}) {
    const profiles = buildRunProfiles(
      validateProfiles([{ name: 'emb', baseUrl, model: 'gpt-4o-mini', embeddingModel: 'text-embedding-3-small', ...extra }], 'test profiles'),
      { apiKeyOf: () => 'k' },
    );
    return new Run({ model: profiles[0].model!, profiles, pricing: new Pricing(), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
  }

  async function ask(run: Run, root: string, params: Record<string, unknown> = {}) {
    const report = await runTechnique({ technique: ragTechnique, task: genericTask, input: QUESTION, params, run, host: { baseDir: root, storageDir: storage } });
    const chunks = run.graph.nodes().filter((n) => n.kind === 'chunk');
    return { report, chunks, files: chunks.map((c) => c.meta?.file) };
  }

  it('BM25 alone ranks the keyword-heavy file first; re-ranking puts the scripted nearest chunk first', async () => {
    const root = makeWorkspace();
    const plain = await ask(profileRun(server.baseUrl), root, { embeddingWeight: 0 });
    assert.deepEqual(plain.files, ['docs/heavy.md', 'docs/zebra.md', 'docs/light.md']);
    assert.equal(server.embeddingRequests.length, 0, 'weight 0 sends no embeddings request');

    const run = profileRun(server.baseUrl);
    const { report, chunks, files } = await ask(run, root, { topK: 2 });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.deepEqual(files, ['docs/zebra.md', 'docs/heavy.md'], 'zebra (cosine 1) first, heavy (cosine 0, best BM25) second, light cut by topK');
    assert.equal(chunks[0].meta?.similarity, 1);
    assert.ok((chunks[0].meta?.bm25 as number) < (chunks[1].meta?.bm25 as number), 'the winner had the lower BM25 score');
    assert.match(report.summary.answer ?? '', /At most 5 retries \[1\][\s\S]*\[1\] docs\/zebra\.md:1-1/);
    const sent = server.embeddingRequests.at(-1)!;
    assert.equal(sent.body.model, 'text-embedding-3-small');
    assert.equal(sent.body.input[0], QUESTION);
    assert.equal(sent.body.input.length, 4, 'the question and the three candidates in one request');
  });

  it('counts and prices the embedding tokens on the re-rank node and in the run totals', async () => {
    const root = makeWorkspace();
    const run = profileRun(server.baseUrl);
    const { report } = await ask(run, root);
    const rerankNode = run.graph.nodes().find((n) => n.calls.some((c) => c.role === 'embed'))!;
    assert.ok(rerankNode, 'a node carries the embeddings call');
    const call = rerankNode.calls[0];
    assert.equal(call.usageSource, 'reported');
    assert.equal(call.usage.promptTokens, EMBED_TOKENS_PER_INPUT * server.embeddingRequests.at(-1)!.body.input.length);
    assert.equal(call.usage.completionTokens, 0);
    assert.ok(Math.abs((call.costUsd ?? 0) - (call.usage.promptTokens * 0.02) / 1e6) < 1e-12, 'priced as text-embedding-3-small');
    assert.equal(rerankNode.usage.promptTokens, call.usage.promptTokens);
    assert.equal(report.summary.totals.promptTokens, 100 + call.usage.promptTokens, 'answer call plus embeddings');
    assert.equal(report.summary.totals.calls, 2);
    assert.ok(Math.abs((report.summary.totals.costUsd ?? 0) - (100 * 0.15 + 10 * 0.6 + call.usage.promptTokens * 0.02) / 1e6) < 1e-12);
  });

  it('takes chunk embeddings from the index storage on the next run: only the question is embedded again', async () => {
    const root = makeWorkspace();
    await ask(profileRun(server.baseUrl), root);
    const before = server.embeddingRequests.length;
    const run = profileRun(server.baseUrl);
    const { files } = await ask(run, root);
    assert.equal(server.embeddingRequests.length, before + 1);
    assert.deepEqual(server.embeddingRequests.at(-1)!.body.input, [QUESTION], 'no chunk is embedded twice');
    assert.deepEqual(files.slice(0, 2), ['docs/zebra.md', 'docs/heavy.md'], 'cached vectors rank the same');
    const rerankNode = run.graph.nodes().find((n) => n.meta?.cachedEmbeddings !== undefined)!;
    assert.equal(rerankNode.meta?.cachedEmbeddings, 3);
    assert.equal(rerankNode.meta?.requestedEmbeddings, 0);
    // A changed chunk has a new hash: only it is requested.
    writeFileSync(join(root, 'docs/light.md'), 'Every upload is logged twice.\n');
    await ask(profileRun(server.baseUrl), root);
    assert.deepEqual(server.embeddingRequests.at(-1)!.body.input, [QUESTION, 'docs/light.md\nEvery upload is logged twice.']);
  });

  it('a model of the run\'s own server can be named with embeddingModel', async () => {
    const root = makeWorkspace();
    const run = runAt(server.baseUrl);
    const { files } = await ask(run, root, { embeddingModel: 'my-embedder', embeddingWeight: 1 });
    assert.equal(files[0], 'docs/zebra.md');
    assert.equal(server.embeddingRequests.at(-1)!.body.model, 'my-embedder');
    assert.equal(server.embeddingRequests.at(-1)!.headers.authorization, 'Bearer test-key', 'the run\'s key goes with it');
  });

  it('fails with one clear line when the server has no embeddings endpoint', async () => {
    const root = makeWorkspace();
    const { report } = await ask(profileRun(bare.baseUrl), root);
    assert.equal(report.summary.outcome, 'failed');
    assert.equal(
      report.summary.message,
      `the server at ${bare.baseUrl} has no embeddings endpoint or no embeddings model "text-embedding-3-small" (HTTP 404) — no route POST /v1/embeddings`,
    );
    assert.equal(bare.requests.length, 0, 'no chat call after the failed re-rank');
  });

  it('rejects embedding settings that cannot work, before any request', async () => {
    assert.throws(() => validateProfiles([{ name: 'c', provider: 'vscode-lm', embeddingModel: 'x' }], 'p'), /"embeddingModel" needs an openai-compatible profile/);
    assert.throws(() => validateProfiles([{ name: 'c', baseUrl: 'http://x/v1', model: 'm', embeddingModel: ' ' }], 'p'), /"embeddingModel" must be non-empty text/);
    const root = makeWorkspace();
    await assert.rejects(ask(runAt(server.baseUrl), root, { embeddingModel: 'a', embeddingProfile: 'b' }), /set "embeddingProfile" or "embeddingModel", not both/);
    const noEmbedder = profileRun(server.baseUrl, { embeddingModel: undefined });
    const { report } = await ask(noEmbedder, root, { embeddingProfile: 'emb' });
    assert.match(report.summary.message ?? '', /model profile "emb" has no "embeddingModel"/);
  });
});

describe('rag embedding helpers', () => {
  it('blends cosine with normalised BM25 and keeps the BM25 order on ties', () => {
    const hit = (path: string, score: number) => ({ id: path, path, startLine: 1, endLine: 1, text: path, score });
    const hits = [hit('a', 10), hit('b', 5), hit('c', 5)];
    const vectors = [[0, 1], [1, 0], [1, 0]];
    assert.deepEqual(rerank(hits, [1, 0], vectors, 0.5).map((h) => [h.path, h.score]), [['b', 0.75], ['c', 0.75], ['a', 0.5]]);
    assert.deepEqual(rerank(hits, [1, 0], vectors, 0.2).map((h) => h.path), ['a', 'b', 'c'], 'a low weight keeps BM25 in charge');
    assert.equal(cosine([1, 2], [2, 4]), 1);
    assert.equal(cosine([0, 0], [1, 0]), 0);
  });

  it('persists vectors per root and model, and drops them for another model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-emb-cache-'));
    const cache = await EmbeddingCache.open(dir, '/w', 'http://s/v1 m1');
    cache.set('h1', [0.5, -0.25, 1]);
    await cache.save();
    assert.deepEqual((await EmbeddingCache.open(dir, '/w', 'http://s/v1 m1')).get('h1'), [0.5, -0.25, 1]);
    assert.equal((await EmbeddingCache.open(dir, '/w', 'http://s/v1 m2')).get('h1'), undefined);
  });
});

describe('opening a chunk location', () => {
  const ws = mkdtempSync(join(tmpdir(), 'thoughtscope-open-'));
  it('resolves a path against the rag root when it is a subfolder of the workspace', () => {
    assert.deepEqual(locationCandidates([ws], 'docs/a.md', join(ws, 'packages/app')), [join(ws, 'packages/app/docs/a.md')]);
    assert.deepEqual(locationCandidates([ws], 'src/a.ts'), [join(ws, 'src/a.ts')], 'without a root: the workspace folder');
  });

  it('refuses anything outside the workspace folders', () => {
    assert.deepEqual(locationCandidates([ws], '../../etc/passwd', join(ws, 'sub')), []);
    assert.deepEqual(locationCandidates([ws], 'passwd', '/etc'), [], 'a root outside the workspace');
    assert.deepEqual(locationCandidates([ws], '/etc/passwd'), []);
    assert.deepEqual(locationCandidates([ws], 'a.md', 'relative/root'), [], 'a root must be absolute');
  });

  it('refuses a symbolic link in the workspace that leads out of it, and follows one that stays inside', () => {
    const outside = mkdtempSync(join(tmpdir(), 'thoughtscope-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'not a workspace file');
    writeFileSync(join(ws, 'real.md'), '# inside');
    symlinkSync(join(outside, 'secret.txt'), join(ws, 'leak.txt'));
    symlinkSync(outside, join(ws, 'leakdir'));
    symlinkSync(join(ws, 'real.md'), join(ws, 'alias.md'));
    assert.deepEqual(locationCandidates([ws], 'leak.txt'), []);
    assert.deepEqual(locationCandidates([ws], 'leakdir/secret.txt'), []);
    assert.deepEqual(locationCandidates([ws], 'secret.txt', join(ws, 'leakdir')), []);
    assert.deepEqual(locationCandidates([ws], 'alias.md'), [join(ws, 'alias.md')]);
  });

  it('rag records its root on chunks and the answer, so Open can find them', async () => {
    // The index node's root is what chunks carry; checked with the BM25-only path (no server needed for no hits).
    const root = makeWorkspace();
    const server = await startFakeServer(() => ({ choices: ['The answer [1].'] }));
    try {
      const run = runAt(server.baseUrl);
      const report = await runTechnique({ technique: ragTechnique, task: genericTask, input: QUESTION, params: { root: 'docs' }, run, host: { baseDir: root } });
      const chunk = run.graph.nodes().find((n) => n.kind === 'chunk')!;
      assert.equal(chunk.meta?.root, join(root, 'docs'));
      assert.equal(String(chunk.meta?.file).startsWith('docs/'), false, 'paths are relative to the rag root');
      assert.deepEqual(locationCandidates([root], String(chunk.meta?.file), String(chunk.meta?.root)), [join(root, 'docs', String(chunk.meta?.file))]);
      assert.equal(run.graph.get(report.summary.answerNodeId!).meta?.root, join(root, 'docs'));
    } finally {
      await server.close();
    }
  });

  it('the rag root setting is restricted in untrusted workspaces', () => {
    assert.ok(restrictedConfigurations().includes('thoughtscope.techniques.rag.root'));
    assert.ok(!restrictedConfigurations().includes('thoughtscope.techniques.rag.topK'));
  });
});
