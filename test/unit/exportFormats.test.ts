// Export of a run (panel "Export…" and the Runs view): the five formats, the file names, the checks on
// what the webview sends back, and the request/reply matching with the webview.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runMarkdown } from '../../src/core/history/markdownReport';
import type { Trace } from '../../src/core/trace';
import { EXPORT_FORMATS, ImageRequests, exportBytes, exportFileName, imageBytes } from '../../src/export/exportFormats';
import { isWebviewToHost, type HostToWebview, type ImageExportResult, type ImageFormat } from '../../src/shared/messages';

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 4, 0, 0, 0, 2, 8, 6, 0, 0, 0, 0x1f, 0x2e, 0x41, 0x0b, 0xd0]);

function trace(): Trace {
  const node = (id: string, parents: string[], kind: string, text: string, status: string) => ({
    id,
    parents,
    kind,
    text,
    score: null,
    status,
    usage: { promptTokens: 10, completionTokens: 5, estimated: false },
    costUsd: 0.001,
    latencyMs: 20,
    calls: [{ role: 'propose', model: 'm', prompt: `prompt of ${id}`, responses: [text], cached: false, usageSource: 'reported' }],
  });
  return {
    technique: 'tot',
    task: 'generic',
    params: { breadth: 2 },
    model: 'm',
    input: 'Which road?',
    outcome: 'done',
    answer: 'The left road',
    nodes: [node('n0', [], 'question', 'Which road?', 'done'), node('n1', ['n0'], 'thought', 'Try the left road', 'selected'), node('n2', ['n1'], 'answer', 'The left road', 'selected')],
    edges: [
      { from: 'n0', to: 'n1', kind: 'expand' },
      { from: 'n1', to: 'n2', kind: 'answer' },
    ],
    totals: { calls: 3, cachedCalls: 0, promptTokens: 30, completionTokens: 15, estimated: false, costUsd: 0.003, wallMs: 60 },
  };
}

const ok = (format: ImageFormat, data: string): ImageExportResult => ({ type: 'exportImageResult', requestId: 'r', format, ok: true, data, width: 10, height: 20 });

describe('export formats', () => {
  it('offers JSON trace, Mermaid, Markdown report, SVG and PNG', () => {
    assert.deepEqual(EXPORT_FORMATS.map((f) => [f.id, f.ext]), [['json', 'json'], ['mermaid', 'mmd'], ['markdown', 'md'], ['svg', 'svg'], ['png', 'png']]);
  });

  it('makes the text formats from the trace, without asking the webview', async () => {
    const t = trace();
    const asked: ImageFormat[] = [];
    const image = async (format: ImageFormat) => {
      asked.push(format);
      return ok(format, '<svg xmlns="http://www.w3.org/2000/svg"/>');
    };
    const text = async (id: 'json' | 'mermaid' | 'markdown') => new TextDecoder().decode(await exportBytes(id, t, image));
    assert.deepEqual(JSON.parse(await text('json')), t);
    const mermaid = await text('mermaid');
    assert.match(mermaid, /^flowchart TD\n/);
    for (const label of ['Which road?', 'Try the left road', 'The left road']) assert.ok(mermaid.includes(label.replace(/\?/g, '#63;')) || mermaid.includes(label), label);
    assert.equal(await text('markdown'), runMarkdown(t));
    assert.deepEqual(asked, []);
  });

  it('asks the webview for SVG and PNG and writes what it sends', async () => {
    const svg = '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"></svg>\n';
    const asked: ImageFormat[] = [];
    const image = async (format: ImageFormat) => {
      asked.push(format);
      return format === 'svg' ? ok('svg', svg) : ok('png', PNG_HEAD.toString('base64'));
    };
    assert.equal(new TextDecoder().decode(await exportBytes('svg', trace(), image)), svg);
    assert.deepEqual(Buffer.from(await exportBytes('png', trace(), image)), PNG_HEAD);
    assert.deepEqual(asked, ['svg', 'png']);
  });

  it('refuses a failed or malformed image with the reason', () => {
    assert.throws(
      () => imageBytes({ type: 'exportImageResult', requestId: 'r', format: 'png', ok: false, error: 'export SVG instead' }),
      /could not be exported as PNG: export SVG instead/,
    );
    assert.throws(() => imageBytes(ok('svg', '<html><body>hi</body></html>')), /not an SVG document/);
    assert.throws(() => imageBytes(ok('png', Buffer.from('GIF89a not a png at all, just text here').toString('base64'))), /not a PNG image/);
    assert.throws(() => imageBytes(ok('png', PNG_HEAD.subarray(0, 8).toString('base64'))), /not a PNG image/, 'a signature alone is no image');
    assert.equal(new TextDecoder().decode(imageBytes(ok('svg', '<svg viewBox="0 0 1 1">é</svg>'))), '<svg viewBox="0 0 1 1">é</svg>');
  });

  it('names files after the technique and time, safely', () => {
    const when = new Date(Date.UTC(2026, 10, 29, 10, 5, 7, 123));
    assert.equal(exportFileName('tot', when, 'png'), 'thoughtscope-tot-2026-11-29T10-05-07.png');
    assert.equal(exportFileName('../a b:c', when, 'svg'), 'thoughtscope-_a_b_c-2026-11-29T10-05-07.svg');
  });
});

describe('image requests to the webview', () => {
  it('posts one exportImage per request and settles each with the answer carrying its id', async () => {
    const sent: HostToWebview[] = [];
    const requests = new ImageRequests((m) => void sent.push(m), 5_000);
    const first = requests.request('run-1', 'svg');
    const second = requests.request('run-1', 'png');
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 2);
    const [a, b] = sent as Array<Extract<HostToWebview, { type: 'exportImage' }>>;
    assert.deepEqual([a.type, a.runId, a.format, b.format], ['exportImage', 'run-1', 'svg', 'png']);
    assert.notEqual(a.requestId, b.requestId);
    assert.equal(requests.receive({ ...ok('png', 'x'), requestId: b.requestId }), true);
    assert.equal(requests.receive({ ...ok('svg', '<svg/>'), requestId: a.requestId }), true);
    assert.equal((await first).format, 'svg');
    assert.equal((await second).format, 'png');
    assert.equal(requests.receive({ ...ok('svg', '<svg/>'), requestId: a.requestId }), false, 'a second answer is not ours');
    assert.equal(requests.receive({ ...ok('svg', '<svg/>'), requestId: 'someone-else' }), false);
  });

  it('waits for the webview to listen before posting', async () => {
    const sent: HostToWebview[] = [];
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const requests = new ImageRequests(async (m) => {
      await listening;
      sent.push(m);
    }, 5_000);
    const answer = requests.request('run-2', 'svg');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(sent.length, 0);
    ready();
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 1);
    requests.receive({ ...ok('svg', '<svg/>'), requestId: (sent[0] as { requestId: string }).requestId });
    assert.equal((await answer).ok, true);
  });

  it('fails on silence, on a send error and on dispose, and forgets those requests', async () => {
    const sent: Array<{ requestId: string }> = [];
    const quiet = new ImageRequests((m) => void sent.push(m as { requestId: string }), 30);
    await assert.rejects(quiet.request('run-3', 'png'), /did not send the PNG within/);
    assert.equal(quiet.receive({ ...ok('png', 'x'), requestId: sent[0].requestId }), false, 'too late');

    const broken = new ImageRequests(() => Promise.reject(new Error('view disposed')), 5_000);
    await assert.rejects(broken.request('run-3', 'svg'), /view disposed/);

    const closing = new ImageRequests(() => undefined, 5_000);
    const pending = closing.request('run-3', 'svg');
    closing.dispose();
    await assert.rejects(pending, /closed before the image arrived/);
  });

  it('accepts only well-formed answers from the webview', () => {
    assert.equal(isWebviewToHost(ok('svg', '<svg/>')), true);
    assert.equal(isWebviewToHost({ type: 'exportImageResult', requestId: 'r', format: 'png', ok: false, error: 'tainted' }), true);
    assert.equal(isWebviewToHost({ type: 'exportRun', runId: 'run-1' }), true);
    assert.equal(isWebviewToHost({ type: 'exportImageResult', requestId: 'r', format: 'gif', ok: true, data: 'x', width: 1, height: 1 }), false);
    assert.equal(isWebviewToHost({ type: 'exportImageResult', requestId: 'r', format: 'svg', ok: true, data: 7, width: 1, height: 1 }), false);
    assert.equal(isWebviewToHost({ type: 'exportImageResult', requestId: 'r', format: 'svg', ok: false }), false);
    assert.equal(isWebviewToHost({ type: 'exportImageResult', format: 'svg', ok: true, data: '', width: 1, height: 1 }), false);
  });
});
