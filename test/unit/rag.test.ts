// RAG over a fixture workspace: what is indexed (ignore rules, size cap, binaries), ranking, re-indexing
// after edits and from the stored index, citations, and questions the workspace cannot answer.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { chunkLines } from '../../src/core/rag/chunker';
import { isExcluded, listTextFiles } from '../../src/core/rag/files';
import { openSyncedIndex } from '../../src/core/rag/openIndex';
import { WorkspaceIndex } from '../../src/core/rag/workspaceIndex';
import { genericTask } from '../../src/core/tasks/generic';
import { parseCitations, ragTechnique } from '../../src/core/techniques/rag';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

function filler(topic: string, lines: number): string {
  return Array.from({ length: lines }, (_, i) => `// ${topic} note ${i}: general remarks about ${topic} handling.`).join('\n');
}

function makeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'thoughtscope-rag-'));
  const write = (path: string, text: string | Buffer) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('.gitignore', 'secret/\n*.log\n');
  write('README.md', '# Photo app\n\nUpload photos and share albums with friends.\n');
  write('src/upload.ts', `${filler('network', 50)}\n// The uploader gives up after this many attempts.\nexport const MAX_UPLOAD_RETRIES = 7;\n${filler('network', 50)}\n`);
  write('src/albums.ts', `${filler('album', 30)}\nexport function shareAlbum(id: string) { return id; }\n`);
  write('docs/deploy.md', '# Deploying\n\nRun the deploy script; uploads go to the photo bucket.\n');
  write('secret/keys.txt', 'uploader retries attempts MAX_UPLOAD_RETRIES = 99\n');
  write('debug.log', 'uploader retries attempts 1234\n');
  write('build/out.js', 'uploader retries attempts 555\n');
  write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x75, 0x70, 0x6c, 0x6f, 0x61, 0x64]));
  // Over the default 256 KB cap, so never indexed although it matches the questions well.
  write('big.txt', `uploader retries attempts\n${'x '.repeat(150_000)}\n`);
  return root;
}

describe('rag: files and chunks', () => {
  it('lists text files under the ignore rules, the host excludes and the size cap', async () => {
    const root = makeWorkspace();
    const files = (await listTextFiles(root, { excludes: ['**/build'], maxBytes: 16_384 })).map((f) => f.path);
    assert.deepEqual(files, ['.gitignore', 'README.md', 'docs/deploy.md', 'logo.png', 'src/albums.ts', 'src/upload.ts']);
    assert.equal(await isExcluded(root, 'secret/keys.txt'), true);
    assert.equal(await isExcluded(root, 'build/out.js', { excludes: ['**/build'] }), true);
    assert.equal(await isExcluded(root, 'src/upload.ts'), false);
  });

  it('chunks lines into overlapping windows with 1-based inclusive line ranges', () => {
    const text = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join('\n');
    const chunks = chunkLines(text, { lines: 10, overlap: 2 });
    assert.deepEqual(chunks.map((c) => [c.startLine, c.endLine]), [[1, 10], [9, 18], [17, 25]]);
    assert.equal(chunks[1].text.split('\n')[0], 'line 9');
  });

  it('reads citations, drops invented source numbers and recognises NOT FOUND', () => {
    assert.deepEqual(parseCitations('It is 7 [1], see also [2, 9].', 2), { text: 'It is 7 [1], see also [2].', cited: [1, 2], invented: [9], notFound: false });
    assert.equal(parseCitations('NOT FOUND', 3).notFound, true);
    assert.deepEqual(parseCitations('Maybe 3 [5].', 2).cited, []);
  });
});

describe('rag technique', () => {
  let server: FakeServer;
  const storage = mkdtempSync(join(tmpdir(), 'thoughtscope-rag-store-'));
  // The scripted model answers from source [1] only when [1] really holds the constant.
  before(async () => {
    server = await startFakeServer((req) => {
      const first = /\[1\][^\n]*\n"""\n([\s\S]*?)\n"""/.exec(req.prompt)?.[1] ?? '';
      const value = /MAX_UPLOAD_RETRIES = (\d+)/.exec(first)?.[1];
      if (/how many times|retries/i.test(req.prompt) && value) return { choices: [`The uploader tries ${value} times [1]; the value is in the network code [7].`] };
      return { choices: ['NOT FOUND'] };
    });
  });
  after(() => server.close());

  async function ask(root: string, question: string, params: Record<string, unknown> = {}) {
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: ragTechnique, task: genericTask, input: question, params, run, host: { baseDir: root, storageDir: storage } });
    return { run, report };
  }

  it('ranks the chunk with the answer first, cites it with its file and lines, and links it to the answer', async () => {
    const root = makeWorkspace();
    const { run, report } = await ask(root, 'How many times does the uploader retry before it gives up?');
    assert.equal(report.summary.outcome, 'done');
    const chunks = run.graph.nodes().filter((n) => n.kind === 'chunk');
    assert.ok(chunks.length >= 1);
    assert.equal(chunks[0].meta?.file, 'src/upload.ts');
    assert.ok((chunks[0].meta?.startLine as number) <= 52 && (chunks[0].meta?.endLine as number) >= 52, 'the first chunk holds line 52');
    assert.ok(chunks.every((c) => !String(c.meta?.file).startsWith('secret/') && c.meta?.file !== 'debug.log'), 'ignored files are never retrieved');
    const scores = chunks.map((c) => c.score as number);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    assert.match(report.summary.answer ?? '', /tries 7 times \[1\]/);
    assert.match(report.summary.answer ?? '', new RegExp(`Sources:\\n\\[1\\] src/upload\\.ts:${chunks[0].meta?.startLine}-${chunks[0].meta?.endLine}`));
    assert.doesNotMatch(report.summary.answer ?? '', /\[7\]/, 'a citation of a source that was not retrieved is removed');
    const answer = run.graph.get(report.summary.answerNodeId!);
    assert.equal(answer.meta?.inventedCitations, '7');
    assert.ok(run.graph.edges().some((e) => e.from === chunks[0].id && e.to === answer.id && e.label === '[1]'));
    assert.ok(run.graph.get(run.graph.parentsOf(answer.id)[0]).costUsd! > 0, 'the answering call has a cost');
  });

  it('re-indexes an edited file and keeps unchanged files from the stored index', async () => {
    const root = makeWorkspace();
    const first = await openSyncedIndex(root, storage, { lines: 40, overlap: 8 });
    assert.equal(first.stats.read, first.stats.files);
    writeFileSync(join(root, 'src/upload.ts'), `${filler('network', 10)}\n// The uploader retries this many times.\nexport const MAX_UPLOAD_RETRIES = 12;\n`);
    utimesSync(join(root, 'src/upload.ts'), new Date(), new Date(Date.now() + 5000));
    const second = await openSyncedIndex(root, storage, { lines: 40, overlap: 8 });
    assert.equal(second.stats.read, 1, 'only the edited file is read again');
    const hit = second.index.search('MAX_UPLOAD_RETRIES', 5);
    assert.match(hit[0].text, /= 12;/);
    assert.ok(hit.every((h) => !/= 7;/.test(h.text)), 'the old text is gone from the index');
    const { report } = await ask(root, 'How many times does the uploader retry?');
    assert.match(report.summary.answer ?? '', /tries 12 times/);
  });

  it('follows watcher updates: a changed file is searched anew, a deleted one disappears', async () => {
    const root = makeWorkspace();
    const { index } = await openSyncedIndex(root, undefined, { lines: 40, overlap: 8 });
    writeFileSync(join(root, 'docs/deploy.md'), '# Deploying\n\nThe zeppelin hangar opens at dawn.\n');
    await index.updateFile('docs/deploy.md', 1 << 20);
    assert.equal(index.search('zeppelin hangar', 3)[0]?.path, 'docs/deploy.md');
    index.removeFile('docs');
    assert.deepEqual(index.search('zeppelin hangar', 3), [], 'deleting a folder drops the files under it');
    assert.equal(index.search('MAX_UPLOAD_RETRIES', 1)[0]?.path, 'src/upload.ts', 'other files stay');
    const reopened = await WorkspaceIndex.open(root, undefined);
    assert.equal(reopened.fileCount, 0, 'without a storage folder nothing persists');
  });

  it('declares a question nothing in the workspace matches, without asking the model', async () => {
    const root = makeWorkspace();
    const before = server.requests.length;
    const { run, report } = await ask(root, 'Quantum chromodynamics gluon confinement?');
    assert.equal(server.requests.length, before, 'no model call');
    assert.match(report.summary.answer ?? '', /^The workspace does not answer this question/);
    assert.equal(run.graph.nodes().filter((n) => n.kind === 'chunk').length, 0);
  });

  it('declares it when the model finds no answer in the retrieved sources, with no citation', async () => {
    const root = makeWorkspace();
    const { run, report } = await ask(root, 'Which bucket do album photos go to when sharing?');
    assert.ok(run.graph.nodes().some((n) => n.kind === 'chunk'), 'something was retrieved');
    assert.match(report.summary.answer ?? '', /^The workspace does not answer this question \(the retrieved sources do not contain the answer\)/);
    assert.doesNotMatch(report.summary.answer ?? '', /\[\d+\]|Sources:/);
  });
});
