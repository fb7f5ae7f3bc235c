// The thought graph as a person sees it, at real size, in headless Chromium: the recorded ToT run on a
// Game of 24 puzzle (70 nodes, breadth 5; media/sample) in a 420 x 800 side panel and a 1,600 x 900
// editor tab. What is measured is what is on screen: where nodes are relative to the graph's viewport,
// and each label's font size times the scale it is drawn at (its box on screen over its layout box).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { GraphEvent, GraphSnapshot, ThoughtNode } from '../../src/core/graph/types';
import { reportFromTrace, snapshotFromTrace } from '../../src/core/history/restore';
import { formatUsd } from '../../src/core/pricing';
import { formatTokens } from '../../src/core/render/mermaid';
import type { GraphViewSettings, RunInfo } from '../../src/shared/messages';
import type { Trace } from '../../src/core/trace';
import { recordSampleRun } from '../support/sampleRun';
import { openPanel, type Panel } from './harness/panelPage';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results');
const TRACE = JSON.parse(readFileSync(join(ROOT, 'media', 'sample', 'tot-game24.json'), 'utf8')) as Trace;
const GRAPH: GraphSnapshot = snapshotFromTrace(TRACE);
const SUMMARY = reportFromTrace(TRACE).summary;
const SIDE_PANEL = { width: 420, height: 800 };
const EDITOR_TAB = { width: 1600, height: 900 };

function runInfo(runId: string): RunInfo {
  return { runId, technique: 'tot', techniqueName: 'Tree of Thoughts', model: TRACE.model, input: TRACE.input, params: TRACE.params, startedAt: Date.now() - TRACE.totals.wallMs };
}

/** The answer node and its ancestors: the path Focus shows. */
function answerPath(): string[] {
  const parents = new Map<string, string[]>();
  for (const e of GRAPH.edges) parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);
  const path: string[] = [];
  for (let id: string | undefined = SUMMARY.answerNodeId; id; id = parents.get(id)?.[0]) path.unshift(id);
  return path;
}

async function restoreSample(panel: Panel, settings?: Partial<GraphViewSettings>): Promise<void> {
  if (settings) await panel.send({ type: 'viewSettings', settings: { orientation: 'auto', focus: 'auto', surface: 'sidebar', ...settings } });
  await panel.send({ type: 'restore', run: runInfo('sample'), graph: GRAPH, summary: SUMMARY });
  await drawn(panel);
}

/** Waits until nothing is pending and a drawing is in place; returns the graph host's data attributes. */
async function drawn(panel: Panel): Promise<Record<string, string>> {
  await panel.page.waitForFunction(() => {
    const host = document.querySelector<HTMLElement>('.graph');
    return host?.dataset.pending === 'false' && host.dataset.state === 'idle' && Number(host.dataset.nodes) > 0;
  }, undefined, { timeout: 60_000 });
  // Panzoom writes its transform on the next frame; let it.
  await panel.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return panel.page.evaluate(() => ({ ...(document.querySelector<HTMLElement>('.graph') as HTMLElement).dataset }) as Record<string, string>);
}

/** After a message whose effect may or may not need a redraw: waits until it is handled and drawn. */
async function settled(panel: Panel): Promise<Record<string, string>> {
  // A message is handled in a task of its own; a timer queued now runs after it.
  await panel.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return drawn(panel);
}

/** Waits for a render after `renders` (the host's data-renders then) and for it to be in place. */
async function redrawn(panel: Panel, renders: string | null): Promise<Record<string, string>> {
  await panel.page.waitForFunction((r) => document.querySelector<HTMLElement>('.graph')?.dataset.renders !== r, renders, { timeout: 60_000 });
  return drawn(panel);
}

interface OnScreen {
  /** The node's box relative to the graph's viewport. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** Its label's font size on screen: computed font size times (box on screen / layout box). */
  labelPx: number;
  /** Whether the whole box is inside the viewport. */
  inView: boolean;
}

/** Every drawn node by its data-key (node id, or summary key). */
async function onScreen(page: Panel['page']): Promise<Record<string, OnScreen>> {
  return page.evaluate(() => {
    const view = (document.querySelector('.graph-viewport') as HTMLElement).getBoundingClientRect();
    const out: Record<string, OnScreen> = {};
    for (const el of Array.from(document.querySelectorAll('.graph svg g.node[data-key]'))) {
      const r = el.getBoundingClientRect();
      const label = el.querySelector<HTMLElement>('foreignObject span, foreignObject p, foreignObject div');
      let labelPx = 0;
      if (label && label.offsetHeight > 0) labelPx = parseFloat(getComputedStyle(label).fontSize) * (label.getBoundingClientRect().height / label.offsetHeight);
      const box = { left: r.left - view.left, top: r.top - view.top, right: r.right - view.left, bottom: r.bottom - view.top };
      out[el.getAttribute('data-key') as string] = { ...box, labelPx, inView: box.left >= -0.5 && box.top >= -0.5 && box.right <= view.width + 0.5 && box.bottom <= view.height + 0.5 };
    }
    return out;
  });
}

async function transform(page: Panel['page']): Promise<{ scale: number; x: number; y: number }> {
  const value = (await page.getAttribute('.graph-canvas', 'style')) ?? '';
  const m = /scale\(([\d.]+)\) translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(value);
  assert.ok(m, `a transform on the canvas: ${value}`);
  return { scale: Number(m[1]), x: Number(m[2]), y: Number(m[3]) };
}

/** A fresh panel for `body`; afterwards nothing may have thrown or been refused in the page. */
async function withPanel(size: { width: number; height: number }, settings: Partial<GraphViewSettings> | undefined, body: (panel: Panel) => Promise<void>): Promise<void> {
  const panel = await openPanel(size, 'vscode-dark', settings);
  try {
    await body(panel);
    assert.deepEqual(panel.problems, []);
  } finally {
    await panel.close();
  }
}

function mkResults(): void {
  mkdirSync(RESULTS, { recursive: true });
}

describe('the thought graph at real size in headless Chromium', { timeout: 240_000 }, () => {
  test('420 × 800 side panel: Focus by default; the question and the answer in view; the path’s labels at 11 px or more; screenshot', () =>
    withPanel(SIDE_PANEL, undefined, async (panel) => {
      await panel.send({ type: 'restore', run: { ...runInfo('sample'), note: 'Recorded sample run' }, graph: GRAPH, summary: SUMMARY });
      const data = await drawn(panel);
      assert.equal(data.mode, 'focus', 'a narrow panel opens in Focus');
      assert.equal(data.direction, 'TD', 'a focused path runs down a narrow panel');
      const path = answerPath();
      assert.deepEqual(path.slice(0, 1), ['n0']);
      assert.equal(path.at(-1), SUMMARY.answerNodeId);
      assert.ok(path.length >= 5, `a path of ${path.length} nodes`);
      const shown = await onScreen(panel.page);
      for (const id of path) {
        assert.ok(shown[id], `${id} on the path is drawn`);
        assert.ok(shown[id].inView, `${id} is in view: ${JSON.stringify(shown[id])}`);
        assert.ok(shown[id].labelPx >= 11, `${id}'s label is ${shown[id].labelPx.toFixed(1)} px on screen`);
      }
      // The rest is one click away: a "+N more" summary under each path node that has other children.
      assert.ok(Object.keys(shown).filter((k) => k.startsWith('summary:focus:')).length >= 3);
      assert.ok(Object.keys(shown).length < 15, `${Object.keys(shown).length} nodes drawn in Focus`);
      assert.match((await panel.page.textContent('.focus-status')) ?? '', /Focus: 6 of 70 nodes/);
      assert.match((await panel.page.textContent('.header .run-note')) ?? '', /Recorded sample run/);
      mkResults();
      await panel.page.screenshot({ path: join(RESULTS, 'panel-focus-420.png') });
    }));

  test('the whole graph is one click away: pruned siblings collapsed at any size, a summary expands on click, Show pruned draws everything; "+N more" expands in Focus', () =>
    withPanel(SIDE_PANEL, undefined, async (panel) => {
      const { page } = panel;
      await restoreSample(panel);
      // Focus: clicking "+N more" under the question draws the question's other children.
      const questionChildren = GRAPH.edges.filter((e) => e.from === 'n0').map((e) => e.to);
      let renders = await page.getAttribute('.graph', 'data-renders');
      await page.click('.graph g.node[data-more-parent="n0"]');
      await redrawn(panel, renders);
      let shown = await onScreen(page);
      for (const id of questionChildren) assert.ok(shown[id], `${id}, a child of the question, is drawn after the click`);
      assert.equal(shown['summary:focus:n0'], undefined);

      renders = await page.getAttribute('.graph', 'data-renders');
      await page.click('vscode-button.focus-toggle');
      let data = await redrawn(panel, renders);
      assert.equal(data.mode, 'whole');
      const prunedGroups = Number(data.collapsed);
      assert.ok(prunedGroups >= 5, `${prunedGroups} pruned groups collapsed in a ${GRAPH.nodes.length}-node graph`);
      shown = await onScreen(page);
      const pruned = GRAPH.nodes.filter((n) => n.status === 'pruned').map((n) => n.id);
      assert.ok(pruned.filter((id) => shown[id]).length < pruned.length / 3, 'most pruned nodes are inside summaries');

      // Clicking a summary draws that parent's pruned children.
      const parent = (await page.getAttribute('.graph g.node[data-pruned-parent]', 'data-pruned-parent')) as string;
      const hidden = GRAPH.edges.filter((e) => e.from === parent).map((e) => e.to).filter((id) => pruned.includes(id));
      renders = await page.getAttribute('.graph', 'data-renders');
      await page.click(`.graph g.node[data-pruned-parent="${parent}"]`);
      data = await redrawn(panel, renders);
      assert.equal(Number(data.collapsed), prunedGroups - 1);
      shown = await onScreen(page);
      for (const id of hidden) assert.ok(shown[id], `${id} drawn after expanding ${parent}`);

      renders = await page.getAttribute('.graph', 'data-renders');
      await page.click('vscode-button.pruned-toggle');
      data = await redrawn(panel, renders);
      assert.equal(data.nodes, String(GRAPH.nodes.length), 'Show pruned draws every node');
      assert.equal(data.collapsed, '0');
    }));

  test('zoom and pan: + / − / Fit, keyboard + − 0, the wheel, a drag (which opens nothing); a click opens the inspector', () =>
    withPanel(SIDE_PANEL, undefined, async (panel) => {
      const { page } = panel;
      await restoreSample(panel);
      const start = await transform(page);
      await page.click('vscode-button.zoom-in');
      assert.ok(Math.abs((await transform(page)).scale - start.scale * 1.25) < 0.01, '+ zooms in by 1.25');
      await page.click('vscode-button.zoom-out');
      await page.click('vscode-button.zoom-out');
      assert.ok(Math.abs((await transform(page)).scale - start.scale / 1.25) < 0.01, '− zooms out by 1.25');
      assert.equal(await page.getAttribute('.graph', 'data-placement'), 'user');

      await page.focus('.graph-viewport');
      await page.keyboard.press('+');
      assert.ok(Math.abs((await transform(page)).scale - start.scale) < 0.01, 'the + key zooms in');
      await page.keyboard.press('-');
      await page.keyboard.press('0');
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      let shown = await onScreen(page);
      assert.ok(Object.values(shown).every((n) => n.inView), 'the 0 key fits the whole drawing in view');
      assert.equal(await page.getAttribute('.graph', 'data-placement'), 'fit');

      const box = (await page.locator('.graph-viewport').boundingBox()) as { x: number; y: number; width: number; height: number };
      const before = (await transform(page)).scale;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -300);
      await page.waitForFunction((s) => !document.querySelector<HTMLElement>('.graph-canvas')?.style.transform.startsWith(`scale(${s})`), before);
      assert.ok((await transform(page)).scale > before, 'the wheel zooms in');

      // A drag pans by what the pointer moved, and its click opens nothing.
      const question = (await page.locator('.graph g.node[data-node-id="n0"]').boundingBox()) as { x: number; y: number; width: number; height: number };
      const from = { x: question.x + question.width / 2, y: question.y + question.height / 2 };
      const moved = await transform(page);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + 30, from.y + 60, { steps: 6 });
      await page.mouse.up();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const after = await transform(page);
      assert.ok(Math.abs((after.x - moved.x) * after.scale - 30) < 3 && Math.abs((after.y - moved.y) * after.scale - 60) < 3, `dragged by (30, 60): ${JSON.stringify({ moved, after })}`);
      assert.equal(await page.isVisible('.inspector'), false, 'a drag is not a click');

      shown = await onScreen(page);
      const target = Object.entries(shown).find(([key, n]) => !key.startsWith('summary:') && n.inView)?.[0] as string;
      await page.click(`.graph g.node[data-node-id="${target}"]`);
      await page.waitForSelector('.inspector:not([hidden])');
      assert.ok(((await page.textContent('.inspector')) ?? '').includes(GRAPH.nodes.find((n) => n.id === target)?.text ?? '?'));
    }));

  test('a live run keeps the view the person chose: across redraws the node in the middle stays put and the scale is kept', async () => {
    const events: GraphEvent[] = [];
    await recordSampleRun({ events });
    await withPanel(SIDE_PANEL, { focus: 'off' }, async (panel) => {
      const { page } = panel;
      const run = runInfo('live');
      await panel.send({ type: 'runStarted', run });
      const third = Math.floor(events.length / 3);
      await panel.send({ type: 'graphEvents', runId: run.runId, events: events.slice(0, third) });
      await drawn(panel);
      assert.equal(await page.getAttribute('.graph', 'data-placement'), 'auto', 'untouched, the view is placed automatically');
      for (let i = 0; i < 4; i++) await page.click('vscode-button.zoom-in');
      await page.focus('.graph-viewport');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowUp');
      const chosen = await transform(page);
      let expected = await onScreen(page);
      const middle = () =>
        page.evaluate(() => {
          const view = (document.querySelector('.graph-viewport') as HTMLElement).getBoundingClientRect();
          return { x: view.width / 2, y: view.height / 2 };
        });
      // Two more batches, each redrawn: the node that was nearest the middle of the view stays where it was.
      for (const slice of [events.slice(third, 2 * third), events.slice(2 * third)]) {
        const renders = await page.getAttribute('.graph', 'data-renders');
        await panel.send({ type: 'graphEvents', runId: run.runId, events: slice });
        await redrawn(panel, renders);
        const now = await onScreen(page);
        const anchor = (await page.getAttribute('.graph', 'data-anchor')) as string;
        assert.ok(anchor && expected[anchor] && now[anchor], `the panel kept ${anchor} in place`);
        // The header above may have grown meanwhile (the viewport is then shorter): the middle is now's.
        const m = await middle();
        const distance = (n: OnScreen) => Math.hypot((n.left + n.right) / 2 - m.x, (n.top + n.bottom) / 2 - m.y);
        const nearest = Math.min(...Object.values(expected).map(distance));
        assert.ok(distance(expected[anchor]) <= nearest + 0.5, `${anchor} was the node nearest the middle`);
        assert.ok(Math.abs(now[anchor].left - expected[anchor].left) < 1.5 && Math.abs(now[anchor].top - expected[anchor].top) < 1.5, `${anchor} stayed at ${JSON.stringify(expected[anchor])}, now ${JSON.stringify(now[anchor])}`);
        assert.equal((await transform(page)).scale, chosen.scale, 'the scale is kept');
        assert.equal(await page.getAttribute('.graph', 'data-placement'), 'user');
        expected = now;
      }
      assert.equal(await page.getAttribute('.graph', 'data-graph-nodes'), String(GRAPH.nodes.length));
    });
  });

  test('orientation: auto draws the way the graph is shown larger; the setting fixes top-down or left-to-right', () =>
    withPanel(SIDE_PANEL, { focus: 'off' }, async (panel) => {
      const { page } = panel;
      const fitted: Record<string, number> = {};
      for (const orientation of ['TD', 'LR'] as const) {
        const renders = await page.getAttribute('.graph', 'data-renders');
        await panel.send({ type: 'viewSettings', settings: { orientation, focus: 'off', surface: 'sidebar' } });
        if (orientation === 'TD') await restoreSample(panel);
        else await redrawn(panel, renders);
        assert.equal(await page.getAttribute('.graph', 'data-direction'), orientation);
        fitted[orientation] = Number(await page.getAttribute('.graph', 'data-scale'));
      }
      await panel.send({ type: 'viewSettings', settings: { orientation: 'auto', focus: 'off', surface: 'sidebar' } });
      await settled(panel);
      const larger = fitted.LR > fitted.TD ? 'LR' : 'TD';
      assert.equal(await page.getAttribute('.graph', 'data-direction'), larger, `fitted at ${JSON.stringify(fitted)}`);
      assert.equal(larger, 'LR', 'a search tree in a narrow, tall panel runs left to right');
    }));

  test('1,600 × 900 editor tab: the whole graph, every node in view with labels of 9 px or more; screenshot', () =>
    withPanel(EDITOR_TAB, { surface: 'editor' }, async (panel) => {
      const { page } = panel;
      await restoreSample(panel, { surface: 'editor' });
      const data = await drawn(panel);
      assert.equal(data.mode, 'whole', 'a wide panel opens on the whole graph');
      assert.equal(await page.isVisible('vscode-button.open-in-editor'), false, 'no Open in Editor in the editor tab');
      const shown = await onScreen(page);
      const nodes = Object.values(shown);
      assert.ok(nodes.every((n) => n.inView), 'every drawn node is in view');
      const smallest = Math.min(...nodes.filter((n) => n.labelPx > 0).map((n) => n.labelPx));
      assert.ok(smallest >= 9, `labels at ${smallest.toFixed(1)} px`);
      assert.equal(await page.isVisible('.fit-note'), false, 'nothing to explain');
      mkResults();
      await page.screenshot({ path: join(RESULTS, 'panel-editor-1600.png') });

      // Everything shown (Show pruned) cannot be read whole at this size: Fit says so.
      const renders = await page.getAttribute('.graph', 'data-renders');
      await page.click('vscode-button.pruned-toggle');
      await redrawn(panel, renders);
      await page.click('vscode-button.zoom-fit');
      const px = Number(await page.getAttribute('.graph', 'data-label-px'));
      if (px < 9) assert.match((await page.textContent('.fit-note')) ?? '', /fits only with [\d.]+ px labels/);
      else assert.equal(await page.isVisible('.fit-note'), false);
    }));

  test('find: text, status and minimum score highlight what matches and dim the rest', () =>
    withPanel(SIDE_PANEL, { focus: 'off' }, async (panel) => {
      const { page } = panel;
      await restoreSample(panel);
      await page.focus('.graph-viewport');
      await page.keyboard.press('Control+f');
      assert.equal(await page.isVisible('.find-bar'), true, 'Ctrl+F opens the find bar');
      await page.fill('.find-text', '6 * 4');
      const withText = GRAPH.nodes.filter((n) => n.text.includes('6 * 4'));
      await page.waitForFunction((n) => document.querySelector('.match-count')?.textContent === `${n} matches`, withText.length);
      const marks = () =>
        page.evaluate(() =>
          Object.fromEntries(Array.from(document.querySelectorAll('.graph svg g.node[data-key]')).map((el) => [el.getAttribute('data-key'), el.classList.contains('match') ? 'match' : el.classList.contains('dimmed') ? 'dimmed' : 'plain'])),
        );
      let marked = await marks();
      for (const [key, mark] of Object.entries(marked)) {
        if (key.startsWith('summary:')) continue;
        assert.equal(mark, withText.some((n) => n.id === key) ? 'match' : 'dimmed', key);
      }
      await page.fill('.find-text', '');
      await page.selectOption('.find-status', 'pruned');
      await page.fill('.find-score', '2');
      const expected = GRAPH.nodes.filter((n) => n.status === 'pruned' && (n.score ?? -Infinity) >= 2);
      await page.waitForFunction((n) => document.querySelector('.match-count')?.textContent === `${n} match${n === 1 ? '' : 'es'}`, expected.length);
      marked = await marks();
      // A summary hiding a match is marked as one.
      const summaries = Object.entries(marked).filter(([key]) => key.startsWith('summary:pruned:'));
      assert.ok(summaries.some(([, mark]) => mark === 'match') === expected.length > 0);
      await page.keyboard.press('Escape');
      assert.equal(await page.isVisible('.find-bar'), false);
      marked = await marks();
      assert.ok(Object.values(marked).every((m) => m === 'plain'), 'closing the find bar clears the filter');
    }));

  test('keyboard: from the question every node is reached with the arrow keys (Enter opens "+N more"); Enter opens the inspector; names say text, score, tokens, cost', () =>
    withPanel(SIDE_PANEL, undefined, async (panel) => {
      const { page } = panel;
      await restoreSample(panel);
      await page.focus('.graph-viewport');
      await page.keyboard.press('Home');
      const active = () => page.evaluate(() => document.activeElement?.getAttribute('data-key') ?? null);
      assert.equal(await active(), 'n0', 'Home goes to the question');
      const visited = new Set<string>();
      // The arrow keys follow the drawing: top-down, Down is a child; left-to-right, Right is.
      const KEYS = {
        TD: { child: 'ArrowDown', parent: 'ArrowUp', previous: 'ArrowLeft', next: 'ArrowRight' },
        LR: { child: 'ArrowRight', parent: 'ArrowLeft', previous: 'ArrowUp', next: 'ArrowDown' },
      } as const;
      const press = async (move: keyof (typeof KEYS)['TD']) => {
        const before = await active();
        const direction = (await page.getAttribute('.graph', 'data-direction')) === 'LR' ? 'LR' : 'TD';
        await page.keyboard.press(KEYS[direction][move]);
        return (await active()) !== before;
      };
      // Depth first, starting and ending on the same node. A summary is opened with Enter: the panel
      // redraws and gives focus to its parent, whose children are then all drawn, and explored again.
      const explore = async (): Promise<void> => {
        const here = (await active()) as string;
        visited.add(here);
        if (!(await press('child'))) return;
        while (await press('previous'));
        for (;;) {
          if (((await active()) as string).startsWith('summary:')) {
            const renders = await page.getAttribute('.graph', 'data-renders');
            await page.keyboard.press('Enter');
            await redrawn(panel, renders);
            assert.equal(await active(), here, 'after opening a summary, focus is on its parent');
            return explore();
          }
          await explore();
          if (!(await press('next'))) break;
        }
        assert.ok(await press('parent'));
        assert.equal(await active(), here, 'the parent key returns to the parent');
      };
      await explore();
      const missing = GRAPH.nodes.map((n) => n.id).filter((id) => !visited.has(id));
      assert.deepEqual(missing, [], `every node reached by keyboard (${visited.size} of ${GRAPH.nodes.length})`);

      // Enter on a node opens the inspector; its name holds its text, score, tokens and cost.
      const node = GRAPH.nodes.find((n) => n.id === answerPath()[1]) as ThoughtNode;
      await page.focus(`.graph g.node[data-node-id="${node.id}"]`);
      const name = (await page.getAttribute(`.graph g.node[data-node-id="${node.id}"]`, 'aria-label')) ?? '';
      for (const part of [node.text, `score ${node.score}`, formatTokens(node), formatUsd(node.costUsd)]) assert.ok(name.includes(part), `"${part}" in "${name}"`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('.inspector:not([hidden])');
      assert.ok(((await page.textContent('.inspector h2')) ?? '').startsWith(node.id));
    }));

  test('Open in Editor asks the host for the editor tab', () =>
    withPanel(SIDE_PANEL, undefined, async (panel) => {
      await restoreSample(panel);
      await panel.page.click('vscode-button.open-in-editor');
      assert.deepEqual((await panel.posted()).at(-1), { type: 'openInEditor' });
    }));
});
