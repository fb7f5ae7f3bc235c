// Focus (src/core/render/focus.ts) on the recorded ToT run, finished and midway, and the orientation
// chosen to fit an area (src/core/render/orientation.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { GraphEvent, GraphSnapshot, ThoughtNode } from '../../src/core/graph/types';
import { reportFromTrace, snapshotFromTrace } from '../../src/core/history/restore';
import { collapsePruned } from '../../src/core/render/collapse';
import { focusGraph, focusTarget } from '../../src/core/render/focus';
import { mermaidIds, renderMermaid, unescapeLabel } from '../../src/core/render/mermaid';
import { chooseDirection, estimateDrawing, estimateNodeSize, fitScale, ranks } from '../../src/core/render/orientation';
import type { Trace } from '../../src/core/trace';
import { recordSampleRun } from '../support/sampleRun';

const TRACE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'media', 'sample', 'tot-game24.json'), 'utf8')) as Trace;
const GRAPH = snapshotFromTrace(TRACE);
const ANSWER = reportFromTrace(TRACE).summary.answerNodeId as string;

/** The graph as the panel has it after the first `count` events of a run. */
function replay(events: readonly GraphEvent[], count: number): GraphSnapshot {
  const nodes: ThoughtNode[] = [];
  const edges: GraphSnapshot['edges'] = [];
  for (const event of events.slice(0, count)) {
    if (event.type === 'nodeAdded') {
      nodes.push(event.node);
      edges.push(...event.parents);
    } else if (event.type === 'nodeUpdated') {
      nodes[nodes.findIndex((n) => n.id === event.node.id)] = event.node;
    } else if (event.type === 'edgeAdded') edges.push(event.edge);
  }
  return { nodes, edges };
}

function childrenOf(graph: GraphSnapshot, id: string): string[] {
  return graph.edges.filter((e) => e.from === id).map((e) => e.to);
}

describe('focusGraph', () => {
  test('a finished run: the path from the question to the answer, one "+N more" per path node, every node accounted for once', () => {
    const view = focusGraph(GRAPH, { target: ANSWER });
    assert.deepEqual(view.focus.path, ['n0', 'n1', 'n9', 'n49', 'n64', ANSWER]);
    assert.equal(view.focus.target, ANSWER);
    const drawn = view.nodes.filter((n) => !view.pruned?.some((g) => g.id === n.id)).map((n) => n.id);
    assert.deepEqual(drawn, view.focus.path, 'only the path is drawn (a finished run has no frontier)');
    // Each path node with other children has one summary standing for them and all below them.
    for (const id of view.focus.path) {
      const others = childrenOf(GRAPH, id).filter((c) => !view.focus.path.includes(c));
      const group = view.pruned?.find((g) => g.parentId === id);
      if (others.length === 0) assert.equal(group, undefined, `${id} has no summary`);
      else {
        assert.equal(group?.pruned, others.length, `+${others.length} more under ${id}`);
        assert.equal(group?.reason, 'focus');
      }
    }
    const hidden = (view.pruned ?? []).flatMap((g) => g.nodeIds);
    assert.equal(new Set(hidden).size, hidden.length, 'no node in two summaries');
    assert.deepEqual([...drawn, ...hidden].sort(), GRAPH.nodes.map((n) => n.id).sort(), 'drawn or hidden, every node once');
    assert.equal(view.focus.hidden, GRAPH.nodes.length - drawn.length);
    // Summed tokens and cost of the hidden nodes, so nothing is lost from the drawing's totals.
    const tokens = (ids: string[]) => ids.reduce((sum, id) => sum + (GRAPH.nodes.find((n) => n.id === id)?.usage.promptTokens ?? 0), 0);
    for (const g of view.pruned ?? []) assert.equal(g.usage.promptTokens, tokens(g.nodeIds));
    // Edges join drawn nodes, summaries hang off their parents.
    const ids = new Set(view.nodes.map((n) => n.id));
    for (const e of view.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to} joins drawn nodes`);
    for (const g of view.pruned ?? []) assert.ok(view.edges.some((e) => e.from === g.parentId && e.to === g.id));
  });

  test('renderMermaid writes the summaries as "+N more" with their own style, top-down or left-to-right', () => {
    const view = focusGraph(GRAPH, { target: ANSWER });
    const source = renderMermaid(view, { direction: 'LR' });
    assert.equal(source.split('\n')[0], 'flowchart LR');
    assert.equal(renderMermaid(view).split('\n')[0], 'flowchart TD');
    const ids = mermaidIds(view);
    for (const g of view.pruned ?? []) {
      const id = ids.get(g.id) as string;
      const line = source.split('\n').find((l) => l.startsWith(`  ${id}(`)) as string;
      assert.equal(unescapeLabel(/\("(.*)"\)/.exec(line)?.[1] ?? ''), `+${g.pruned} more`);
    }
    const moreClass = source.split('\n').find((l) => l.startsWith('  class ') && l.endsWith(' more')) ?? '';
    assert.deepEqual(moreClass.slice(8, -5).split(',').sort(), (view.pruned ?? []).map((g) => ids.get(g.id)).sort());
  });

  test('clicking "+N more" (expanded) draws that node’s children; theirs are summarized in turn', () => {
    const view = focusGraph(GRAPH, { target: ANSWER, expanded: new Set(['n1']) });
    const drawn = new Set(view.nodes.map((n) => n.id));
    for (const c of childrenOf(GRAPH, 'n1')) assert.ok(drawn.has(c), `${c} drawn`);
    assert.equal(view.pruned?.find((g) => g.parentId === 'n1'), undefined);
    const withChildren = childrenOf(GRAPH, 'n1').filter((c) => c !== 'n9' && childrenOf(GRAPH, c).length > 0);
    assert.ok(withChildren.length > 0);
    for (const c of withChildren) assert.ok(view.pruned?.some((g) => g.parentId === c), `${c}'s children are behind a summary`);
  });

  test('a live run: the path leads to the best state so far, and the unfinished children of the path are drawn', async () => {
    const events: GraphEvent[] = [];
    await recordSampleRun({ events });
    let checked = 0;
    for (let count = 20; count < events.length; count += 37) {
      const graph = replay(events, count);
      const target = focusTarget(graph);
      const node = graph.nodes.find((n) => n.id === target) as ThoughtNode;
      assert.ok(!['pruned', 'failed', 'running', 'pending'].includes(node.status), `${target} (${node.status}) is a finished state`);
      // The deepest finished state, the best scored among the deepest.
      const depth = ranks(graph);
      const finished = graph.nodes.filter((n) => n.kind !== 'answer' && !['pruned', 'failed', 'cancelled', 'running', 'pending'].includes(n.status));
      const deepest = Math.max(...finished.map((n) => depth.get(n.id) ?? 0));
      assert.equal(depth.get(target as string), deepest);
      const best = Math.max(...finished.filter((n) => depth.get(n.id) === deepest).map((n) => n.score ?? -Infinity));
      assert.equal(node.score ?? -Infinity, best);
      const view = focusGraph(graph);
      const drawn = new Set(view.nodes.map((n) => n.id));
      for (const id of view.focus.path) {
        for (const c of childrenOf(graph, id)) {
          const status = graph.nodes.find((n) => n.id === c)?.status;
          if (status === 'running' || status === 'pending') assert.ok(drawn.has(c), `${c} (${status}) under ${id} is drawn: it is the frontier`);
        }
      }
      checked++;
    }
    assert.ok(checked >= 5);
    assert.equal(focusTarget(GRAPH), ANSWER, 'once there is an answer, it is the target');
    assert.equal(focusTarget({ nodes: [], edges: [] }), undefined);
  });
});

describe('chooseDirection', () => {
  const side = { width: 400, height: 520 };
  const wide = { width: 1580, height: 400 };

  test('a search tree in a narrow, tall panel runs left to right; a focused path runs down; the setting decides when set', () => {
    const whole = collapsePruned(GRAPH, { mode: 'always' });
    const size = estimateDrawing(whole);
    assert.ok(size.TD.width > size.TD.height, 'top-down, the tree is wide and shallow');
    assert.equal(chooseDirection(whole, side), 'LR');
    assert.ok(fitScale(size.LR, side) > fitScale(size.TD, side));
    const path = focusGraph(GRAPH, { target: ANSWER });
    assert.equal(chooseDirection(path, side), 'TD');
    assert.equal(chooseDirection(path, side, 'LR'), 'LR');
    assert.equal(chooseDirection(whole, side, 'TD'), 'TD');
    assert.equal(chooseDirection({ nodes: [], edges: [] }, side), 'TD');
  });

  test('a short chain in a wide, short area runs across; top-down is kept unless the other way is clearly larger', () => {
    const chain = focusGraph(GRAPH, { target: ANSWER });
    assert.equal(chooseDirection(chain, wide), 'LR');
    const single = { nodes: [GRAPH.nodes[0]], edges: [] };
    assert.equal(chooseDirection(single, wide), 'TD', 'a tie stays top-down');
  });

  test('node sizes grow with their labels, up to the wrapping width', () => {
    const short = estimateNodeSize('4 9 10 13');
    const long = estimateNodeSize('x'.repeat(40));
    const wrapped = estimateNodeSize('x'.repeat(400));
    assert.ok(long.width > short.width);
    assert.equal(wrapped.width, estimateNodeSize('x'.repeat(200)).width, 'wrapped at the same width');
    assert.ok(wrapped.height > long.height);
  });
});
