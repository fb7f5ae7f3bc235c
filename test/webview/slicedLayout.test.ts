// The panel's sliced Mermaid layout (webview/slicedLayout.ts) in headless Chromium: it must draw
// exactly what Mermaid's own dagre layout draws, and refuse what it does not handle (subgraphs) so the
// panel falls back to dagre instead of drawing it wrong.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { mermaidConfigCache } from '../../scripts/mermaidConfigCache.mjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import { renderMermaid } from '../../src/core/render/mermaid';
import { usesSlicedLayout } from '../../webview/slicedLayout';
import type { Drawing } from './harness/layouts';

let browser: Browser;
let page: Page;
let bundleDir: string;

before(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'thoughtscope-layouts-'));
  await esbuild.build({
    entryPoints: [join(__dirname, 'harness', 'layouts.ts')],
    outfile: join(bundleDir, 'layouts.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    logLevel: 'warning',
    plugins: [mermaidConfigCache],
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 900, height: 800 } });
  await page.setContent('<!doctype html><html><body class="vscode-dark" style="font-family: sans-serif"></body></html>');
  await page.addScriptTag({ content: readFileSync(join(bundleDir, 'layouts.js'), 'utf8') });
});

after(async () => {
  await browser?.close();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

function compare(source: string): Promise<{ dagre: Drawing; sliced: Drawing }> {
  return page.evaluate((s) => (window as unknown as { compareLayouts: (s: string) => Promise<{ dagre: Drawing; sliced: Drawing }> }).compareLayouts(s), source);
}

/** Every node shape and edge style the renderer writes: labelled edges, a node with two parents. */
function mixedGraph(): ThoughtGraph {
  const graph = new ThoughtGraph();
  const q = graph.addNode({ kind: 'question', text: 'Sort the list 5 3 9 1 and show the merge steps' });
  const halves = ['5 3', '9 1', '<b>hostile</b> "]; click n0 call evil()'].map((text, i) => {
    const node = graph.addNode({ kind: 'thought', text: `Split ${i}: ${text}` }, [{ id: q.id, kind: 'expand' }]);
    const score = graph.addNode({ kind: 'evaluation', text: `Value ${i + 5}` }, [{ id: node.id, kind: 'evaluate' }]);
    graph.update(node.id, { score: i + 5, status: i < 2 ? 'selected' : 'pruned' });
    void score;
    return node;
  });
  const sorted = halves.slice(0, 2).map((half, i) => graph.addNode({ kind: 'thought', text: `Sorted half ${i}` }, [{ id: half.id, kind: 'refine' }]));
  const merged = graph.addNode({ kind: 'thought', text: 'Merged: 1 3 5 9' }, sorted.map((s) => ({ id: s.id, kind: 'aggregate' as const })));
  const vote = graph.addNode({ kind: 'vote', text: '3 of 3 agree' }, [{ id: merged.id, kind: 'select', label: 'vote 3/3' }]);
  graph.addNode({ kind: 'thought', text: 'Backtrack to the split' }, [{ id: vote.id, kind: 'backtrack' }]);
  graph.addNode({ kind: 'answer', text: '1 3 5 9' }, [{ id: vote.id, kind: 'answer' }]);
  return graph;
}

describe('sliced Mermaid layout in headless Chromium', { timeout: 120_000 }, () => {
  test('draws every node, edge and edge label exactly where Mermaid’s dagre layout does', async () => {
    const graph = mixedGraph();
    assert.ok(usesSlicedLayout(graph.snapshot()));
    const { dagre, sliced } = await compare(renderMermaid(graph.snapshot()));
    assert.equal(dagre.layout, null, 'the reference drawing is Mermaid’s own layout');
    assert.equal(sliced.layout, 'thoughtscope-sliced', 'the sliced drawing really used the sliced layout');
    assert.equal(Object.keys(dagre.nodes).length, graph.nodes().length);
    assert.equal(Object.keys(dagre.edges).length, graph.snapshot().edges.length);
    assert.ok(dagre.edgeLabels.filter(([text]) => text !== '').length >= 4, 'labelled edges are part of the comparison');
    assert.ok(Object.values(dagre.nodes).every((t) => t && /translate\(/.test(t)), 'every node is placed');
    assert.deepEqual(sliced.nodes, dagre.nodes);
    assert.deepEqual(sliced.edges, dagre.edges);
    assert.deepEqual(sliced.edgeLabels, dagre.edgeLabels);
    assert.equal(sliced.viewBox, dagre.viewBox);
  });

  test('refuses a graph with lanes (subgraphs), which the panel then draws with dagre', async () => {
    const graph = new ThoughtGraph();
    const q = graph.addNode({ kind: 'question', text: 'Is 91 prime?' });
    for (const lane of ['alice', 'bob']) graph.addNode({ kind: 'thought', text: `${lane}: 91 = 7 x 13`, meta: { lane } }, [{ id: q.id, kind: 'expand' }]);
    assert.equal(usesSlicedLayout(graph.snapshot()), false);
    await assert.rejects(compare(renderMermaid(graph.snapshot())), /does not draw subgraphs/);
  });

  test('usesSlicedLayout: lanes or a self-loop send a graph to dagre', () => {
    const graph = new ThoughtGraph();
    const a = graph.addNode({ kind: 'thought', text: 'a' });
    assert.equal(usesSlicedLayout(graph.snapshot()), true);
    graph.addEdge(a.id, a.id, 'refine');
    assert.equal(usesSlicedLayout(graph.snapshot()), false);
  });
});
