// The panel's pure helpers for finding and moving: nodeFilter (the find bar) and graphKeys (arrow keys
// along the drawn edges).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ThoughtNode } from '../../src/core/graph/types';
import { moveFor, neighbour, type DrawnGraph } from '../../webview/graphKeys';
import { isActive, matches, NO_FILTER, parseMinScore } from '../../webview/nodeFilter';

function node(id: string, text: string, status: ThoughtNode['status'], score?: number): ThoughtNode {
  return { id, kind: 'thought', text, status, score, calls: [], usage: { promptTokens: 0, completionTokens: 0, estimated: false }, costUsd: 0, latencyMs: 0 };
}

describe('find', () => {
  const a = node('n1', '13 - 9 = 4 (left: 4 6)', 'selected', 22);
  const b = node('n2', '6 *  4 = 24 (left: 24)', 'pruned', 1.002);
  const c = node('n3', 'Answer pending', 'running');

  test('text as typed (any case, spaces collapsed) in the text, id or kind; status; minimum score', () => {
    assert.equal(isActive(NO_FILTER), false);
    assert.ok([a, b, c].every((n) => matches(n, NO_FILTER)));
    const text = (t: string) => ({ ...NO_FILTER, text: t });
    assert.deepEqual([a, b, c].filter((n) => matches(n, text('6 * 4'))).map((n) => n.id), ['n2']);
    assert.deepEqual([a, b, c].filter((n) => matches(n, text('LEFT: 4'))).map((n) => n.id), ['n1']);
    assert.deepEqual([a, b, c].filter((n) => matches(n, text('n3'))).map((n) => n.id), ['n3']);
    assert.deepEqual([a, b, c].filter((n) => matches(n, text('thought'))).length, 3);
    assert.deepEqual([a, b, c].filter((n) => matches(n, { ...NO_FILTER, status: 'pruned' })).map((n) => n.id), ['n2']);
    assert.deepEqual([a, b, c].filter((n) => matches(n, { ...NO_FILTER, minScore: 2 })).map((n) => n.id), ['n1'], 'unscored nodes do not pass a minimum');
    assert.deepEqual([a, b, c].filter((n) => matches(n, { text: 'left', status: 'selected', minScore: 30 })), []);
    assert.equal(parseMinScore(''), undefined);
    assert.equal(parseMinScore(' 2.5 '), 2.5);
    assert.equal(parseMinScore('abc'), undefined);
  });
});

describe('arrow keys', () => {
  // q -> a, b, c; a -> a1, a2; drawn top-down with a, b, c left to right.
  const graph: DrawnGraph = {
    nodes: ['q', 'a', 'b', 'c', 'a1', 'a2'],
    edges: [
      { from: 'q', to: 'a' },
      { from: 'q', to: 'c' },
      { from: 'q', to: 'b' },
      { from: 'a', to: 'a1' },
      { from: 'a', to: 'a2' },
    ],
  };
  const at: Record<string, { x: number; y: number }> = { q: { x: 200, y: 0 }, a: { x: 100, y: 100 }, b: { x: 200, y: 100 }, c: { x: 300, y: 100 }, a1: { x: 60, y: 200 }, a2: { x: 140, y: 200 } };
  const go = (from: string, key: string, direction: 'TD' | 'LR' = 'TD') => {
    const move = moveFor(key, direction);
    return move && neighbour(graph, from, move, direction, (id) => at[id]);
  };

  test('top-down: up to the parent, down to the nearest child, left and right along the siblings as drawn', () => {
    assert.equal(go('q', 'ArrowDown'), 'b', 'the child below');
    assert.equal(go('b', 'ArrowLeft'), 'a');
    assert.equal(go('a', 'ArrowRight'), 'b');
    assert.equal(go('b', 'ArrowRight'), 'c', 'siblings in screen order, not edge order');
    assert.equal(go('c', 'ArrowRight'), undefined);
    assert.equal(go('a', 'ArrowDown'), 'a1');
    assert.equal(go('a2', 'ArrowUp'), 'a');
    assert.equal(go('q', 'ArrowUp'), undefined);
    assert.equal(go('a1', 'Home'), 'q');
    assert.equal(moveFor('x', 'TD'), undefined);
  });

  test('left-to-right turns the keys a quarter', () => {
    assert.equal(moveFor('ArrowRight', 'LR'), 'child');
    assert.equal(moveFor('ArrowLeft', 'LR'), 'parent');
    assert.equal(moveFor('ArrowDown', 'LR'), 'next');
    assert.equal(moveFor('ArrowUp', 'LR'), 'previous');
    assert.equal(go('a', 'ArrowLeft', 'LR'), 'q');
  });
});
