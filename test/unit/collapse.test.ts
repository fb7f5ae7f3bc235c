// collapsePruned: pruned siblings folded into one summary node per parent, with honest sums, and what
// renderMermaid writes for those summaries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import type { CallRecord, GraphSnapshot, ThoughtNode } from '../../src/core/graph/types';
import { COLLAPSE_ABOVE_NODES, collapsePruned, type DisplayGraph } from '../../src/core/render/collapse';
import { mermaidIds, prunedLabel, renderMermaid, unescapeLabel } from '../../src/core/render/mermaid';

function call(promptTokens: number, completionTokens: number, costUsd: number | null, estimated = false): CallRecord {
  return {
    role: 'propose',
    model: 'gpt-4.1-mini',
    prompt: 'p',
    responses: ['r'],
    usage: { promptTokens, completionTokens, estimated },
    usageSource: estimated ? 'estimated' : 'reported',
    costUsd,
    latencyMs: 10,
    cached: false,
  };
}

const HOSTILE = '"]; click n0 call evil() %% <img src=x onerror=alert(1)> $$x$$';

/**
 * A tree search: each of `levels` levels gives every beam node `children` children, of which the first
 * two are selected and the rest pruned. Pruned node of level 1 under the question gets a child of its
 * own (a pruned subtree), and one pruned node has hostile text.
 */
function tree(levels: number, children: number): ThoughtGraph {
  const g = new ThoughtGraph();
  const q = g.addNode({ kind: 'question', text: 'Q' });
  let beam = [q.id];
  let k = 0;
  for (let level = 1; level <= levels; level++) {
    const next: string[] = [];
    for (const parent of beam) {
      for (let c = 0; c < children; c++) {
        k++;
        const text = k === 5 ? HOSTILE : `level ${level} child ${c} of ${parent}`;
        const n = g.addNode({ kind: 'thought', text }, [{ id: parent, kind: 'expand' }]);
        g.recordCall(n.id, call(100 + k, 10 + k, k % 9 === 0 ? null : 0.0001 * k, k % 4 === 0));
        g.update(n.id, { status: c < 2 ? 'selected' : 'pruned', score: c });
        if (c < 2) next.push(n.id);
      }
    }
    beam = next.slice(0, 2);
  }
  return g;
}

function totals(nodes: readonly ThoughtNode[]) {
  let costUsd: number | null = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  for (const n of nodes) {
    promptTokens += n.usage.promptTokens;
    completionTokens += n.usage.completionTokens;
    costUsd = costUsd === null || n.costUsd === null ? null : costUsd + n.costUsd;
  }
  return { promptTokens, completionTokens, costUsd: costUsd === null ? null : Math.round(costUsd * 1e9) };
}

function checkEdges(view: DisplayGraph): void {
  const ids = new Set(view.nodes.map((n) => n.id));
  for (const e of view.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `edge ${e.from} -> ${e.to} joins drawn nodes`);
}

describe('collapsePruned', () => {
  test('small graphs are drawn as they are; above the threshold pruned siblings collapse', () => {
    const small = tree(2, 4).snapshot();
    assert.ok(small.nodes.length <= COLLAPSE_ABOVE_NODES);
    assert.equal(collapsePruned(small), small, 'auto below the threshold: the snapshot itself');
    assert.equal(renderMermaid(collapsePruned(small)), renderMermaid(small));

    const big = tree(40, 4).snapshot(); // 1 + 4 + 39 * 8 = 317 nodes
    assert.ok(big.nodes.length > COLLAPSE_ABOVE_NODES, `${big.nodes.length} nodes`);
    const view = collapsePruned(big);
    assert.ok(view.pruned && view.pruned.length > 0);
    const hidden = (view.pruned ?? []).reduce((sum, group) => sum + group.nodeIds.length, 0);
    assert.equal(hidden, big.nodes.filter((n) => n.status === 'pruned').length, 'every pruned node is folded');
    assert.equal(view.nodes.length, big.nodes.length - hidden + (view.pruned ?? []).length);
    assert.equal(collapsePruned(big, { mode: 'never' }), big);
    checkEdges(view);
  });

  test('one summary per parent: counts, summed tokens and cost, totals unchanged', () => {
    const g = tree(3, 5);
    const snapshot = g.snapshot();
    const view = collapsePruned(snapshot, { mode: 'always' });
    const groups = view.pruned ?? [];
    // Level 1: the question has 5 children, 3 pruned. Levels 2 and 3: 2 parents each with 3 pruned.
    assert.equal(groups.length, 5);
    for (const group of groups) {
      assert.equal(group.pruned, 3);
      assert.equal(group.nodeIds.length, 3);
      const members = group.nodeIds.map((id) => g.get(id));
      for (const m of members) {
        assert.equal(m.status, 'pruned');
        assert.ok(snapshot.edges.some((e) => e.from === group.parentId && e.to === m.id), 'a child of the parent');
      }
      const sums = totals(members);
      assert.equal(group.usage.promptTokens, sums.promptTokens);
      assert.equal(group.usage.completionTokens, sums.completionTokens);
      assert.equal(group.costUsd === null ? null : Math.round(group.costUsd * 1e9), sums.costUsd);
      assert.equal(group.usage.estimated, members.some((m) => m.usage.estimated));
      assert.equal(group.calls, members.length);
      const summary = view.nodes.find((n) => n.id === group.id) as ThoughtNode;
      assert.equal(summary.status, 'pruned');
      assert.ok(view.edges.some((e) => e.from === group.parentId && e.to === group.id && e.kind === 'expand'));
    }
    // Selected nodes stay; no pruned node is drawn on its own.
    const drawn = new Set(view.nodes.map((n) => n.id));
    for (const node of snapshot.nodes) assert.equal(drawn.has(node.id), node.status !== 'pruned', node.id);
    assert.equal(view.nodes.length, snapshot.nodes.length - 15 + 5);
    assert.deepEqual(totals(view.nodes), totals(snapshot.nodes), 'what is drawn adds up to the run');
    checkEdges(view);
    assert.deepEqual(collapsePruned(snapshot, { mode: 'always' }), view, 'deterministic');
  });

  test('labels: "+N pruned · tokens · cost", ~ when estimated, price unknown when any cost is', () => {
    const g = tree(3, 5);
    const view = collapsePruned(g.snapshot(), { mode: 'always' });
    const source = renderMermaid(view);
    const ids = mermaidIds(view);
    for (const group of view.pruned ?? []) {
      const label = prunedLabel(group);
      const mark = group.usage.estimated ? '~' : '';
      const cost = group.costUsd === null ? 'price unknown' : `$${group.costUsd.toFixed(Math.min(8, 1 - Math.floor(Math.log10(group.costUsd))))}`;
      assert.equal(label, `+3 pruned · ${mark}${group.usage.promptTokens} in / ${mark}${group.usage.completionTokens} out · ${cost}`);
      const line = source.split('\n').find((l) => l.startsWith(`  ${ids.get(group.id)}(`)) as string;
      assert.ok(line, `a node line for ${group.id}`);
      const quoted = /^ {2}[A-Za-z0-9_]+\("(.*)"\)$/.exec(line)?.[1] as string;
      assert.match(quoted, /^(?:[A-Za-z0-9 .,()/+=-]|#\d+;)*$/, 'escaped like every label');
      assert.equal(unescapeLabel(quoted), label);
      assert.match(source, new RegExp(`class [^\\n]*\\b${ids.get(group.id)}\\b[^\\n]* pruned\\n`));
    }
    assert.ok((view.pruned ?? []).some((group) => group.usage.estimated), 'the fixture has an estimated group');
    assert.ok((view.pruned ?? []).some((group) => group.costUsd === null), 'the fixture has an unpriced group');
    // The hostile text was in a pruned node: it is not drawn at all, and nothing of it leaks.
    assert.ok(!source.includes('click n0'));
    assert.ok(!/[<>"]/.test(source.replace(/<br\/>|<span><\/span>/g, '').replace(/-->|==>|-\.->/g, '').replace(/\("[^\n]*"\)|\(\["[^\n]*"\]\)/g, '')));
  });

  test('expanding a parent draws its pruned children; the others stay collapsed', () => {
    const g = tree(3, 5);
    const all = collapsePruned(g.snapshot(), { mode: 'always' });
    const first = (all.pruned ?? [])[0];
    const view = collapsePruned(g.snapshot(), { mode: 'always', expanded: new Set([first.parentId]) });
    assert.equal(view.pruned?.length, (all.pruned ?? []).length - 1);
    const drawn = new Set(view.nodes.map((n) => n.id));
    for (const id of first.nodeIds) assert.ok(drawn.has(id), `${id} drawn after expanding`);
    assert.ok(!drawn.has(first.id));
    checkEdges(view);
  });

  test('a pruned subtree folds with its root; edges out of it start at the summary; groups of one stay', () => {
    const g = new ThoughtGraph();
    const q = g.addNode({ kind: 'question', text: 'Q' });
    const keep = g.addNode({ kind: 'thought', text: 'kept', status: 'selected' }, [{ id: q.id, kind: 'expand' }]);
    const p1 = g.addNode({ kind: 'thought', text: 'p1', status: 'pruned' }, [{ id: q.id, kind: 'expand' }]);
    const p2 = g.addNode({ kind: 'thought', text: 'p2', status: 'pruned' }, [{ id: q.id, kind: 'expand' }]);
    const deep = g.addNode({ kind: 'evaluation', text: 'value of p1' }, [{ id: p1.id, kind: 'evaluate' }]);
    g.recordCall(deep.id, call(7, 3, 0.5));
    const merged = g.addNode({ kind: 'thought', text: 'aggregate', status: 'selected' }, [{ id: p2.id, kind: 'aggregate' }, { id: keep.id, kind: 'aggregate' }]);
    const lone = g.addNode({ kind: 'thought', text: 'the only pruned child', status: 'pruned' }, [{ id: keep.id, kind: 'expand' }]);
    const answer = g.addNode({ kind: 'answer', text: 'A', status: 'pruned' }, [{ id: merged.id, kind: 'answer' }]);
    const other = g.addNode({ kind: 'thought', text: 'also pruned', status: 'pruned' }, [{ id: merged.id, kind: 'expand' }]);
    const view = collapsePruned(g.snapshot(), { mode: 'always' });
    assert.equal(view.pruned?.length, 1);
    const [group] = view.pruned ?? [];
    assert.equal(group.parentId, q.id);
    assert.deepEqual(group.nodeIds, [p1.id, p2.id, deep.id]);
    assert.equal(group.pruned, 2, 'counts the pruned children, not their descendants');
    assert.equal(group.usage.promptTokens, 7);
    assert.equal(group.costUsd, 0.5);
    const drawn = view.nodes.map((n) => n.id);
    assert.ok(drawn.includes(lone.id), 'a single pruned child is drawn as itself');
    assert.ok(drawn.includes(answer.id), 'answers are never folded');
    assert.ok(drawn.includes(other.id), 'a single pruned child is drawn as itself');
    assert.ok(view.edges.some((e) => e.from === group.id && e.to === merged.id && e.kind === 'aggregate'), 'edge out of the group starts at the summary');
    assert.equal(view.edges.filter((e) => e.to === group.id).length, 1, 'one edge into the summary');
    assert.equal(drawn.indexOf(group.id), 2, 'the summary sits where its first node was');
    checkEdges(view);
  });

  test('a summary id never collides with a node id', () => {
    const g = new ThoughtGraph();
    const q = g.addNode({ kind: 'question', text: 'Q' });
    g.addNode({ kind: 'thought', text: 'a', status: 'pruned' }, [{ id: q.id, kind: 'expand' }]);
    g.addNode({ kind: 'thought', text: 'b', status: 'pruned' }, [{ id: q.id, kind: 'expand' }]);
    const snapshot: GraphSnapshot = g.snapshot();
    const clash = { ...snapshot.nodes[1], id: `${q.id}_pruned`, status: 'selected' as const };
    const withClash: GraphSnapshot = { nodes: [...snapshot.nodes, clash], edges: [...snapshot.edges, { from: q.id, to: clash.id, kind: 'expand' }] };
    const view = collapsePruned(withClash, { mode: 'always' });
    const ids = view.nodes.map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(view.pruned?.[0].id, `${q.id}_pruned_`);
  });
});
