// Lanes in the Mermaid source: one escaped subgraph per lane (EoT participants), nothing for graphs without lanes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import { renderMermaid, unescapeLabel } from '../../src/core/render/mermaid';

test('nodes with a lane are grouped per lane; hostile lane names stay label text', () => {
  const g = new ThoughtGraph();
  const q = g.addNode({ kind: 'question', text: 'q' });
  const a1 = g.addNode({ kind: 'thought', text: 'a1', meta: { lane: 'A mini', round: 1 } }, [{ id: q.id, kind: 'expand' }]);
  const b1 = g.addNode({ kind: 'thought', text: 'b1', meta: { lane: 'B "]end;click x', round: 1 } }, [{ id: q.id, kind: 'expand' }]);
  g.addNode({ kind: 'thought', text: 'a2', meta: { lane: 'A mini', round: 2 } }, [{ id: a1.id, kind: 'refine' }, { id: b1.id, kind: 'aggregate', label: 'B to A' }]);
  const src = renderMermaid(g.snapshot());
  const blocks = [...src.matchAll(/subgraph (ts_lane\d+)\["([^"]*)"\]\n    direction TB\n((?:    n\d+\n)+)  end/g)];
  assert.equal(blocks.length, 2);
  assert.equal(unescapeLabel(blocks[0][2]), 'A mini');
  assert.deepEqual(blocks[0][3].trim().split(/\s+/), ['n1', 'n3']);
  assert.equal(unescapeLabel(blocks[1][2]), 'B "]end;click x');
  assert.ok(!/^\s*click\b/m.test(src) && src.includes('#34;#93;end#59;'), 'the quote and bracket are escaped, so no line breaks out');
  const plain = new ThoughtGraph();
  plain.addNode({ kind: 'question', text: 'q' });
  assert.ok(!renderMermaid(plain.snapshot()).includes('subgraph'));
});
