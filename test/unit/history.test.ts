// Saved runs: a real run saved to a directory comes back (listing, trace, graph, report) without a
// model; no API key is written; Mermaid and Markdown exports of the saved run.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { RunStore } from '../../src/core/history/runStore';
import { fence, runMarkdown } from '../../src/core/history/markdownReport';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import { offlineModel, reportFromTrace, restoreGraph, snapshotFromTrace } from '../../src/core/history/restore';
import { renderMermaid } from '../../src/core/render/mermaid';
import { genericTask } from '../../src/core/tasks/generic';
import { cotTechnique } from '../../src/core/techniques/cot';
import { toTrace } from '../../src/core/trace';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const SECRET = 'sk-test-secret-key-123';
let server: FakeServer;
before(async () => {
  server = await startFakeServer(() => ({ choices: ['Two and two.\nAnswer: 4 ```'] }));
});
after(() => server.close());

describe('RunStore', () => {
  it('round-trips a run: list, trace, graph and report come back without a model', async () => {
    const run = runAt(server.baseUrl, {}, { apiKey: SECRET });
    const report = await runTechnique({ technique: cotTechnique, task: genericTask, input: 'What is 2+2?\nShow work.', params: { samples: 2, temperature: 0.3 }, run });
    const trace = toTrace(report, run.graph);
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-history-'));
    const store = new RunStore(dir);
    const first = store.save(trace, { baseUrl: server.baseUrl, apiKey: SECRET } as never, 1_000);
    const second = store.save({ ...trace, technique: 'io' }, {}, 2_000);

    const again = new RunStore(dir);
    assert.deepEqual(again.list().map((m) => m.id), [second.id, first.id], 'newest first');
    const meta = again.list()[1];
    assert.deepEqual(meta, { id: first.id, savedAt: 1_000, technique: 'cot', task: 'generic', model: 'gpt-4o-mini', outcome: 'done', answer: '4 ```', costUsd: trace.totals.costUsd, inputExcerpt: 'What is 2+2? Show work.' });

    const loaded = again.load(first.id);
    assert.deepEqual(loaded.trace, JSON.parse(JSON.stringify(trace)));
    assert.deepEqual(loaded.settings, { baseUrl: server.baseUrl });
    assert.equal(loaded.trace.params.temperature, 0.3);
    assert.match(loaded.trace.nodes.find((n) => n.calls.length > 0)!.calls[0].prompt, /What is 2\+2\?/);
    for (const file of readdirSync(dir)) assert.doesNotMatch(readFileSync(join(dir, file), 'utf8'), /sk-test-secret/);

    // The restored graph draws exactly as the live one did, and the report matches the run's.
    const snapshot = snapshotFromTrace(loaded.trace);
    assert.equal(renderMermaid(snapshot), renderMermaid(run.graph.snapshot()));
    const graph = new ThoughtGraph();
    restoreGraph(graph, loaded.trace);
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
    assert.deepEqual(plain(graph.snapshot()), plain(snapshot));
    assert.deepEqual(plain(graph.snapshot().edges), plain(run.graph.snapshot().edges));
    assert.equal(renderMermaid(graph.snapshot()), renderMermaid(run.graph.snapshot()));
    await assert.rejects(offlineModel('gpt-4o-mini').complete({ messages: [] }), /saved run has no model/);
    const restored = reportFromTrace(loaded.trace);
    assert.deepEqual(restored.summary.totals, report.summary.totals);
    assert.equal(restored.summary.answer, report.summary.answer);
    assert.equal(restored.summary.answerNodeId, report.summary.answerNodeId);

    again.delete(first.id);
    assert.deepEqual(again.list().map((m) => m.id), [second.id]);
  });

  it('skips unreadable files and refuses ids that are not run ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-history-'));
    writeFileSync(join(dir, 'run-x.json'), '{ torn');
    const bad: string[] = [];
    assert.deepEqual(new RunStore(dir).list((file) => bad.push(file)), []);
    assert.deepEqual(bad, ['run-x.json']);
    assert.throws(() => new RunStore(dir).load('../../etc/passwd'), /not a saved run id/);
    assert.deepEqual(new RunStore(join(dir, 'missing')).list(), []);
  });
});

describe('Markdown report', () => {
  it('fences model text so it cannot break out, and includes the graph and costs', async () => {
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: cotTechnique, task: genericTask, input: 'Q', run });
    const trace = toTrace(report, run.graph);
    const md = runMarkdown(trace);
    assert.match(md, /^# Thoughtscope run: cot$/m);
    assert.match(md, /## Answer\n\n````\n4 ```\n````/);
    assert.ok(md.includes(fence(renderMermaid(run.graph.snapshot()).trimEnd(), 'mermaid')));
    assert.match(md, new RegExp(`\\| reason \\| 1 \\| ${trace.totals.promptTokens} \\| ${trace.totals.completionTokens} \\|`));
  });
});
