// End to end in code-server: the thought graph as a newcomer first sees it. With no model set up,
// "Thoughtscope: Open Sample Run" shows the recorded ToT run in a side panel 420 px wide, in Focus: the
// question and the answer in view, every label on the path at 11 px or more. "Open in Editor" shows the
// same run in an editor tab, the whole graph at full width. A loopback server stands where a model
// would be and must get no request. The two screenshots are the README's.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { ROOT, startCodeServer, type CodeServer } from './codeServer';
import { errorToasts, launchBrowser, openWorkbench, QUIET_WORKBENCH_SETTINGS, RESULTS, runCommand, SLOW, until, widenSideBar, withFailureScreenshot } from './workbench';

/** The side bar's width: its webview is then about 420 px wide. */
const SIDE_BAR_PX = 440;
/** Copy the screenshots over the README's (THOUGHTSCOPE_README_SHOTS=1). */
const README_SHOTS = process.env.THOUGHTSCOPE_README_SHOTS === '1';

let server: FakeServer;
let codeServer: CodeServer;
let browser: Browser;
let page: Page;

/** The frame of the graph panel on this surface (the side view or the editor tab), once it shows a run. */
async function graphFrame(surface: 'sidebar' | 'editor'): Promise<Frame> {
  return until(`the ${surface} graph panel`, async () => {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator(`body[data-surface="${surface}"] #app .run-body`).count()) > 0) return frame;
      } catch {
        // the frame went away while we looked
      }
    }
    return undefined;
  });
}

/** Waits until the panel has drawn and placed its graph; returns its data attributes. */
async function settled(frame: Frame): Promise<Record<string, string>> {
  return until('the graph to be drawn', async () => {
    const data = await frame.locator('.graph').evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);
    return data.pending === 'false' && data.state === 'idle' && Number(data.nodes) > 0 ? data : undefined;
  });
}

interface Shown {
  inView: boolean;
  labelPx: number;
}

/** Each drawn node: inside the graph's viewport or not, and its label's font size on screen. */
async function shown(frame: Frame): Promise<Record<string, Shown>> {
  return frame.locator('.graph').evaluate(() => {
    const view = (document.querySelector('.graph-viewport') as HTMLElement).getBoundingClientRect();
    const out: Record<string, Shown> = {};
    for (const el of Array.from(document.querySelectorAll('.graph svg g.node[data-key]'))) {
      const r = el.getBoundingClientRect();
      const label = el.querySelector<HTMLElement>('foreignObject span, foreignObject p, foreignObject div');
      const labelPx = label && label.offsetHeight > 0 ? parseFloat(getComputedStyle(label).fontSize) * (label.getBoundingClientRect().height / label.offsetHeight) : 0;
      out[el.getAttribute('data-key') as string] = { inView: r.left >= view.left - 0.5 && r.top >= view.top - 0.5 && r.right <= view.right + 0.5 && r.bottom <= view.bottom + 0.5, labelPx };
    }
    return out;
  });
}

/** A screenshot of part of the workbench (a CSS selector's box), also copied over the README's when asked. */
async function shot(selector: string, name: string, readme: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is on screen`);
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, clip: box });
  if (README_SHOTS) copyFileSync(path, join(ROOT, 'media', readme));
}

before(async () => {
  server = await startFakeServer(() => ({ choices: ['no model should be asked anything here'] }));
  codeServer = await startCodeServer({ settings: { ...QUIET_WORKBENCH_SETTINGS, 'thoughtscope.baseUrl': server.baseUrl, 'thoughtscope.model': 'none' }, files: { 'notes.md': '# Notes\n' } });
  browser = await launchBrowser();
  page = await openWorkbench(browser, codeServer.url);
  await page.setViewportSize({ width: 1600, height: 1000 });
});

after(async () => {
  await page?.context().close();
  await browser?.close();
  await codeServer?.stop(join(RESULTS, 'logs-graph-views'));
  await server?.close();
});

describe('the thought graph in code-server, before any model is set up', { timeout: 10 * 60_000 }, () => {
  test('Open Sample Run: the side panel in Focus, readable; Open in Editor: the whole run in an editor tab', () =>
    withFailureScreenshot(() => page, 'graph-views', async () => {
      await runCommand(page, 'Thoughtscope: Open Sample Run');
      await page.locator('.part.sidebar .composite.title', { hasText: /thoughtscope/i }).waitFor({ timeout: SLOW });
      await widenSideBar(page, SIDE_BAR_PX);
      const side = await graphFrame('sidebar');
      await until('the side panel to be narrow', async () => (await side.evaluate(() => window.innerWidth)) < 600);
      let data = await settled(side);
      assert.equal(data.mode, 'focus', 'a narrow side panel opens in Focus');
      assert.match((await side.locator('.header .run-note').textContent()) ?? '', /^Recorded sample run/);
      assert.match((await side.locator('.focus-status').textContent()) ?? '', /^Focus: 6 of 70 nodes$/);
      const path = ['n0', 'n1', 'n9', 'n49', 'n64', 'n69'];
      const focus = await shown(side);
      for (const id of path) {
        assert.ok(focus[id]?.inView, `${id} is in view`);
        assert.ok(focus[id].labelPx >= 11, `${id}'s label is ${focus[id].labelPx.toFixed(1)} px`);
      }
      await shot('.part.sidebar', 'graph-1-side-panel-focus', 'screenshot-focus.png');

      await side.locator('vscode-button.open-in-editor').click();
      await page.locator('.tabs-container .tab', { hasText: 'Thought Graph' }).waitFor({ timeout: SLOW });
      // The editor at full width: the side bar closed, as a person reading a whole run would (the
      // keyboard goes to the workbench once its tab is clicked, not to the webview).
      await page.locator('.tabs-container .tab', { hasText: 'Thought Graph' }).click();
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
      await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: SLOW });
      const tab = await graphFrame('editor');
      await until('the tab to be wide', async () => (await tab.evaluate(() => window.innerWidth)) > 1400);
      data = await settled(tab);
      assert.equal(data.mode, 'whole', 'the editor tab opens on the whole graph');
      const whole = Object.values(await shown(tab));
      assert.ok(whole.length > path.length);
      assert.ok(whole.every((n) => n.inView), 'the whole run is in view');
      const smallest = Math.min(...whole.filter((n) => n.labelPx > 0).map((n) => n.labelPx));
      assert.ok(smallest >= 9, `labels at ${smallest.toFixed(1)} px across the editor area`);
      await shot('.part.editor', 'graph-2-editor-tab-whole', 'screenshot-editor.png');

      // A reload (as after an update or a window reload) restores the editor tab, and it shows runs again.
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ timeout: SLOW });
      await page.locator('.tabs-container .tab', { hasText: 'Thought Graph' }).waitFor({ timeout: SLOW });
      await page.locator('.tabs-container .tab', { hasText: 'Thought Graph' }).click();
      await runCommand(page, 'Thoughtscope: Open Sample Run');
      const restored = await graphFrame('editor');
      assert.equal((await settled(restored)).nodes, data.nodes, 'the restored tab draws the run as the tab did before');
      assert.match((await restored.locator('.header .run-note').textContent()) ?? '', /^Recorded sample run/);

      assert.equal(server.requests.length, 0, 'no model was asked anything');
      assert.equal(await errorToasts(page).count(), 0);
    }));
});
