// Graph events reach the view in batches: at most one per interval, the run's end at once.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { GraphEvent } from '../../src/core/graph/types';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import { compact, EventBatcher } from '../../src/view/eventBatcher';

const totals = { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, estimated: false, costUsd: 0, wallMs: 0 };

function recordingGraph() {
  const graph = new ThoughtGraph();
  const batches: GraphEvent[][] = [];
  const batcher = new EventBatcher((events) => batches.push(events), 30);
  graph.on((e) => batcher.push(e));
  return { graph, batches, batcher };
}

test('events are sent together after the interval, not one by one', async () => {
  const { graph, batches } = recordingGraph();
  const q = graph.addNode({ kind: 'question', text: 'q' });
  graph.addNode({ kind: 'thought', text: 't' }, [{ id: q.id, kind: 'expand' }]);
  assert.equal(batches.length, 0);
  await sleep(60);
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0].map((e) => e.type), ['nodeAdded', 'nodeAdded']);
});

test('the end of a run is flushed at once', () => {
  const { graph, batches } = recordingGraph();
  graph.addNode({ kind: 'question', text: 'q' });
  graph.emit({ type: 'runFinished', summary: { outcome: 'done', answer: 'a', totals } });
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0].map((e) => e.type), ['nodeAdded', 'runFinished']);
});

test('discard drops pending events (a snapshot replaces them)', async () => {
  const { graph, batches, batcher } = recordingGraph();
  graph.addNode({ kind: 'question', text: 'q' });
  batcher.discard();
  await sleep(60);
  assert.equal(batches.length, 0);
});

test('compact keeps one copy of each node per batch; nodes are live so the copy is current', () => {
  const graph = new ThoughtGraph();
  const events: GraphEvent[] = [];
  graph.on((e) => events.push(e));
  const q = graph.addNode({ kind: 'question', text: 'q' });
  const t = graph.addNode({ kind: 'thought', text: '…', status: 'pending' }, [{ id: q.id, kind: 'expand' }]);
  graph.update(t.id, { status: 'running' });
  graph.update(t.id, { text: 'step', status: 'done' });
  graph.update(q.id, { score: 1 });
  const out = compact(events);
  assert.deepEqual(out.map((e) => e.type), ['nodeAdded', 'nodeAdded']);
  const added = out[1] as Extract<GraphEvent, { type: 'nodeAdded' }>;
  assert.equal(added.node.text, 'step');
  assert.equal(added.node.status, 'done');

  const later: GraphEvent[] = [];
  graph.on((e) => later.push(e));
  graph.update(t.id, { score: 2 });
  graph.update(q.id, { score: 3 });
  graph.update(t.id, { score: 4 });
  assert.deepEqual(compact(later).map((e) => (e.type === 'nodeUpdated' ? e.node.id : e.type)), [t.id, q.id]);
});
