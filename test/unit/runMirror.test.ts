// The host's copy of what the graph views were told (src/view/runMirror.ts): a panel opening mid-run
// gets the run as the others show it; and the graph settings as the panel gets them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import type { GraphEvent } from '../../src/core/graph/types';
import type { HostToWebview, RunInfo } from '../../src/shared/messages';
import { readGraphSettings } from '../../src/view/graphSettings';
import { RunMirror } from '../../src/view/runMirror';

const run = (runId: string): RunInfo => ({ runId, technique: 'tot', techniqueName: 'ToT', model: 'm', input: 'q', params: {}, startedAt: 1 });

test('a panel that opens mid-run is restored to what the others show, then shown the run’s error', () => {
  const graph = new ThoughtGraph();
  const events: GraphEvent[] = [];
  graph.on((e) => events.push(structuredClone(e)));
  const q = graph.addNode({ kind: 'question', text: 'q' });
  const a = graph.addNode({ kind: 'thought', text: 'a', status: 'running' }, [{ id: q.id, kind: 'expand' }]);
  graph.update(a.id, { status: 'done', score: 3 });

  const mirror = new RunMirror();
  assert.deepEqual(mirror.catchUp(), [], 'nothing to show before a run');
  mirror.see({ type: 'runStarted', run: run('r1') });
  mirror.see({ type: 'graphEvents', runId: 'r1', events: events.slice(0, 2) });
  mirror.see({ type: 'graphEvents', runId: 'old', events: events }); // another run's late batch: ignored
  let [restore] = mirror.catchUp() as Array<Extract<HostToWebview, { type: 'restore' }>>;
  assert.equal(restore.run.runId, 'r1');
  assert.deepEqual(restore.graph.nodes.map((n) => [n.id, n.status]), [['n0', 'done'], ['n1', 'running']]);
  mirror.see({ type: 'graphEvents', runId: 'r1', events: events.slice(2) });
  const summary = { outcome: 'failed' as const, message: 'HTTP 401', totals: { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, estimated: false, costUsd: 0, wallMs: 5 } };
  mirror.see({ type: 'graphEvents', runId: 'r1', events: [{ type: 'runFinished', summary }] });
  mirror.see({ type: 'error', message: 'HTTP 401' });
  const [again, error] = mirror.catchUp();
  restore = again as typeof restore;
  assert.deepEqual(restore.graph.nodes.map((n) => [n.id, n.status, n.score]), [['n0', 'done', undefined], ['n1', 'done', 3]]);
  assert.deepEqual(restore.graph.edges.map(({ from, to, kind }) => ({ from, to, kind })), [{ from: 'n0', to: 'n1', kind: 'expand' }]);
  assert.deepEqual(restore.summary, summary);
  assert.deepEqual(error, { type: 'error', message: 'HTTP 401' });

  // A new run (or a saved one shown) replaces it all, error included.
  mirror.see({ type: 'restore', run: run('saved'), graph: { nodes: [], edges: [] } });
  assert.deepEqual(mirror.catchUp(), [{ type: 'restore', run: run('saved'), graph: { nodes: [], edges: [] } }]);
  assert.equal(mirror.runId, 'saved');
});

test('graph settings: the declared values, else the defaults', () => {
  const config = (values: Record<string, unknown>) => ({ get: <T>(key: string) => values[key] as T | undefined });
  assert.deepEqual(readGraphSettings(config({}), 'sidebar'), { orientation: 'auto', focus: 'auto', surface: 'sidebar' });
  assert.deepEqual(readGraphSettings(config({ 'graph.orientation': 'LR', 'graph.focus': 'off' }), 'editor'), { orientation: 'LR', focus: 'off', surface: 'editor' });
  assert.deepEqual(readGraphSettings(config({ 'graph.orientation': 'sideways', 'graph.focus': 42 }), 'sidebar'), { orientation: 'auto', focus: 'auto', surface: 'sidebar' });
});
