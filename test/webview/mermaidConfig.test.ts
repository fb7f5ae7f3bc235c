// The panel's bundle has Mermaid's getConfig return one shared copy of the configuration instead of a
// fresh copy per call (scripts/mermaidConfigCache.mjs). That is sound only while drawing never changes
// the copy it gets. Here every write to the shared copy is recorded (the plugin's audit hook, set by
// this test only) while the panel draws the kinds of graphs it draws: Focus and the whole graph, top-down
// and left-to-right, lanes (Mermaid's own dagre layout), edge labels, summaries, hostile text, both
// themes. The one write Mermaid makes (flowchart.arrowMarkerAbsolute, the value setConfig then sets
// anyway) is the only one allowed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import type { GraphSnapshot, RunSummary } from '../../src/core/graph/types';
import { reportFromTrace, snapshotFromTrace } from '../../src/core/history/restore';
import type { Trace } from '../../src/core/trace';
import type { FocusSetting } from '../../src/shared/messages';
import { openPanel } from './harness/panelPage';

const SAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'media', 'sample', 'tot-game24.json'), 'utf8')) as Trace;

/** Records every change made through the shared configuration, with the function that made it. */
const AUDIT = `
  window.__configWrites = [];
  window.__thoughtscopeConfigAudit = (root) => {
    const proxies = new WeakMap();
    const wrap = (target, path) => {
      if (proxies.has(target)) return proxies.get(target);
      const record = (what) => window.__configWrites.push(what + '  ' + ((new Error().stack || '').split('\\n')[3] || '').trim());
      const proxy = new Proxy(target, {
        get(t, key) {
          const value = t[key];
          return value && typeof value === 'object' && typeof key === 'string' ? wrap(value, path + '.' + key) : value;
        },
        set(t, key, value) { record(path + '.' + String(key) + ' = ' + JSON.stringify(value) + ' (was ' + JSON.stringify(t[key]) + ')'); t[key] = value; return true; },
        deleteProperty(t, key) { record('delete ' + path + '.' + String(key)); delete t[key]; return true; },
        defineProperty(t, key, descriptor) { record('define ' + path + '.' + String(key)); return Reflect.defineProperty(t, key, descriptor); },
      });
      proxies.set(target, proxy);
      return proxy;
    };
    return wrap(root, 'config');
  };`;

const ALLOWED = /^config\.flowchart\.arrowMarkerAbsolute = (false|true|undefined) \(was undefined\)/;

function debate(): GraphSnapshot {
  const g = new ThoughtGraph();
  const q = g.addNode({ kind: 'question', text: 'Is 91 prime? <b>"quoted"</b> %%{init}%%' });
  const said = ['alice', 'bob', 'carol'].map((lane) => g.addNode({ kind: 'thought', text: `${lane}: 91 = 7 x 13`, meta: { lane } }, [{ id: q.id, kind: 'expand' }]));
  g.addNode({ kind: 'answer', text: 'No: 91 = 7 x 13', status: 'selected' }, said.map((s) => ({ id: s.id, kind: 'aggregate' as const, label: 'agrees' })));
  return g.snapshot();
}

describe('Mermaid configuration shared between calls (scripts/mermaidConfigCache.mjs)', { timeout: 180_000 }, () => {
  test('drawing the panel’s graphs changes nothing in the shared configuration', async () => {
    const sample = snapshotFromTrace(SAMPLE);
    const summary: RunSummary = reportFromTrace(SAMPLE).summary;
    const cases: Array<{ name: string; size: { width: number; height: number }; theme: 'vscode-dark' | 'vscode-light'; focus: FocusSetting; graph: GraphSnapshot; orientation?: 'TD' | 'LR' }> = [
      { name: 'Focus, narrow', size: { width: 420, height: 800 }, theme: 'vscode-dark', focus: 'on', graph: sample },
      { name: 'whole graph, left to right, light', size: { width: 420, height: 800 }, theme: 'vscode-light', focus: 'off', graph: sample, orientation: 'LR' },
      { name: 'whole graph, top-down, wide', size: { width: 1600, height: 900 }, theme: 'vscode-dark', focus: 'off', graph: sample, orientation: 'TD' },
      { name: 'lanes and edge labels', size: { width: 900, height: 800 }, theme: 'vscode-dark', focus: 'off', graph: debate() },
    ];
    for (const c of cases) {
      const panel = await openPanel(c.size, c.theme, { focus: c.focus, orientation: c.orientation ?? 'auto' });
      try {
        await panel.page.evaluate(AUDIT);
        await panel.send({ type: 'restore', run: { runId: c.name, technique: 'tot', techniqueName: 'ToT', model: 'm', input: 'x', params: {}, startedAt: Date.now() }, graph: c.graph, summary });
        await panel.page.waitForFunction(() => {
          const host = document.querySelector<HTMLElement>('.graph');
          return host?.dataset.pending === 'false' && Number(host.dataset.nodes) > 0;
        }, undefined, { timeout: 60_000 });
        // Redraw once more (a summary expanded or Show pruned), so a second render reads the same copy.
        const summaryNode = panel.page.locator('.graph g.node[data-pruned-parent], .graph g.node[data-more-parent]').first();
        if ((await summaryNode.count()) > 0) {
          const renders = await panel.page.getAttribute('.graph', 'data-renders');
          await summaryNode.click();
          await panel.page.waitForFunction((r) => {
            const host = document.querySelector<HTMLElement>('.graph');
            return host?.dataset.renders !== r && host?.dataset.pending === 'false';
          }, renders, { timeout: 60_000 });
        }
        const writes: string[] = await panel.page.evaluate(() => (window as unknown as { __configWrites: string[] }).__configWrites);
        assert.ok(writes.length > 0, `${c.name}: the audit saw Mermaid's configuration (the hook is in the bundle)`);
        assert.deepEqual(writes.filter((w) => !ALLOWED.test(w)), [], `${c.name}: writes to the shared configuration`);
        assert.deepEqual(panel.problems, []);
      } finally {
        await panel.close();
      }
    }
  });
});
