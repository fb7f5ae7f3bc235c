// Section 3, rendering: the webview bundle in headless Chromium (the panel's real HTML and CSP) draws
// graphs of 100 to 2,000 nodes from the big ToT run. Measures, per layout (dagre, ELK):
//   first render: from the 'restore' message to every node in the SVG;
//   one more node: from a 'graphEvents' message adding a node to it being drawn;
//   live: a 200-node run streamed as the host sends it (a batch every 50 ms), the longest task the
//         page ran (PerformanceObserver 'longtask') and the longest gap between animation frames
//         (medians of --repeat runs, each in a fresh page);
//   new node on screen: a run streamed as the host sends it until about 100 nodes are drawn, the time
//         from the message carrying each node to the first drawing that includes it, over the last
//         100 nodes (median and slowest), with Focus off and on.
// The panel is 520 px wide, where Focus is on by default: the measures other than the last turn it off
// (thoughtscope.graph.focus), so they draw the whole graph as before.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { GraphEvent, GraphSnapshot, ThoughtNode } from '../src/core/graph/types';
import type { HostToWebview, RunInfo } from '../src/shared/messages';
import { makeNonce, webviewHtml } from '../src/shared/webviewHtml';
import { mermaidConfigCache } from '../scripts/mermaidConfigCache.mjs';
import { bigRun, prefix } from './bigRun';
import { median, round } from './models';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function elkBundle(): Promise<Buffer> {
  const result = await esbuild.build({
    entryPoints: [join(__dirname, 'webview', 'elkMain.ts')],
    bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', minify: true, write: false, logLevel: 'warning', legalComments: 'none',
    plugins: [mermaidConfigCache],
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** Serves the panel's HTML with the given webview bundle at /<layout>/. */
async function serve(bundles: Record<string, Buffer>, style: Buffer): Promise<{ server: Server; url: (layout: string) => string }> {
  const server = createServer((req, res) => {
    const [, layout, file] = (req.url ?? '/').split('?')[0].split('/');
    const origin = `http://${req.headers.host}`;
    if (bundles[layout] && file === '') {
      const html = webviewHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/${layout}/webview.js`, styleUri: `${origin}/${layout}/webview.css` });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (bundles[layout] && file === 'webview.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundles[layout]);
    else if (file === 'webview.css') res.writeHead(200, { 'content-type': 'text/css' }).end(style);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, url: (layout) => `http://127.0.0.1:${port}/${layout}/` };
}

const INIT = `
  (() => {
    let state;
    window.acquireVsCodeApi = () => ({ postMessage() {}, getState: () => state, setState: (s) => { state = s; } });
    window.__longTasks = [];
    window.__maxGap = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
    let last = performance.now();
    const frame = (now) => { window.__maxGap = Math.max(window.__maxGap, now - last); last = now; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    new MutationObserver((_, o) => { if (document.body) { document.body.classList.add('vscode-dark'); o.disconnect(); } }).observe(document, { childList: true, subtree: true });
    window.__name = (fn) => fn;
  })();`;

/** The panel at 520 x 1000, Focus off (the whole graph) unless `focus`. Bundles older than Focus ignore the message. */
async function openPanel(browser: Browser, url: string, focus = false): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 520, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page] ${err.message}`));
  await page.addInitScript(INIT);
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('.graph') !== null);
  const settings: HostToWebview = { type: 'viewSettings', settings: { orientation: 'auto', focus: focus ? 'on' : 'off', surface: 'sidebar' } };
  await page.evaluate((m) => window.postMessage(m, '*'), settings);
  return page;
}

/**
 * Posts the message in the page and resolves with the ms until a graph of `nodes` nodes is drawn and
 * nothing is pending. The panel says how many nodes the drawn graph had (data-graph-nodes; fewer are
 * drawn when pruned nodes are collapsed); bundles from before that attribute count drawn nodes.
 */
function postAndTime(page: Page, message: HostToWebview, nodes: number): Promise<number> {
  return page.evaluate(
    ([m, n]) =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        window.postMessage(m, '*');
        const check = () => {
          const host = document.querySelector<HTMLElement>('.graph');
          const error = host?.querySelector('.graph-error');
          if (error) return reject(new Error(error.textContent ?? 'render error'));
          if (host?.dataset.pending === 'false' && (host.dataset.graphNodes ?? host.dataset.nodes) === String(n)) return resolve(performance.now() - t0);
          setTimeout(check, 2);
        };
        setTimeout(check, 0);
      }),
    [message, nodes] as const,
  );
}

function runInfo(runId: string): RunInfo {
  return { runId, technique: 'tot', techniqueName: 'Tree of Thoughts', model: 'gpt-4o-mini', input: 'Plan the rollout', params: {}, startedAt: Date.now() };
}

function oneMoreNode(graph: GraphSnapshot, id: string): GraphEvent {
  const parent = graph.nodes[graph.nodes.length - 1];
  const node: ThoughtNode = { ...parent, id, text: 'One more thought arriving while the run is live', status: 'running', calls: [], score: undefined };
  return { type: 'nodeAdded', node, parents: [{ from: parent.id, to: id, kind: 'expand' }] };
}

/** A finished graph replayed as a live run: each node added running, then updated to its final state. */
function liveBatches(graph: GraphSnapshot, nodesPerBatch: number): GraphEvent[][] {
  const batches: GraphEvent[][] = [];
  const parentEdges = new Map<string, GraphSnapshot['edges']>();
  for (const e of graph.edges) parentEdges.set(e.to, [...(parentEdges.get(e.to) ?? []), e]);
  let previous: ThoughtNode[] = [];
  for (let i = 0; i < graph.nodes.length; i += nodesPerBatch) {
    const added = graph.nodes.slice(i, i + nodesPerBatch);
    const events: GraphEvent[] = previous.map((node) => ({ type: 'nodeUpdated', node }));
    for (const node of added) events.push({ type: 'nodeAdded', node: { ...node, status: 'running' }, parents: parentEdges.get(node.id) ?? [] });
    batches.push(events);
    previous = added;
  }
  batches.push(previous.map((node) => ({ type: 'nodeUpdated', node })));
  return batches;
}

async function measureLayout(browser: Browser, url: string, graph: GraphSnapshot, sizes: number[], repeats: number, log: (l: string) => void) {
  const rows = [];
  for (const size of sizes) {
    const shown = prefix(graph, size);
    const first: number[] = [];
    const more: number[] = [];
    let drawn = 0;
    for (let r = 0; r < repeats; r++) {
      const page = await openPanel(browser, url);
      const run = runInfo(`run-${size}-${r}`);
      await page.evaluate((m) => window.postMessage(m, '*'), { type: 'runStarted', run } as HostToWebview);
      first.push(await postAndTime(page, { type: 'restore', run, graph: shown }, size));
      drawn = await page.evaluate(() => Number(document.querySelector<HTMLElement>('.graph')?.dataset.nodes));
      more.push(await postAndTime(page, { type: 'graphEvents', runId: run.runId, events: [oneMoreNode(shown, `extra${r}`)] }, size + 1));
      await page.context().close();
    }
    rows.push({ nodes: size, drawnNodes: drawn, firstRenderMs: Math.round(median(first)), oneMoreNodeMs: Math.round(median(more)) });
    log(`  ${size} nodes (${drawn} drawn): first ${first.map(Math.round).join('/')} ms, one more ${more.map(Math.round).join('/')} ms`);
  }
  return rows;
}

async function measureLive(browser: Browser, url: string, graph: GraphSnapshot, nodes: number) {
  const page = await openPanel(browser, url);
  const run = runInfo('live');
  const batches = liveBatches(prefix(graph, nodes), 4);
  await page.evaluate((m) => window.postMessage(m, '*'), { type: 'runStarted', run } as HostToWebview);
  await page.evaluate(() => { (window as unknown as { __longTasks: number[] }).__longTasks.length = 0; (window as unknown as { __maxGap: number }).__maxGap = 0; });
  for (const events of batches) {
    await page.evaluate((m) => window.postMessage(m, '*'), { type: 'graphEvents', runId: run.runId, events } as HostToWebview);
    await new Promise((r) => setTimeout(r, 50));
  }
  await page.waitForFunction((n) => { const h = document.querySelector<HTMLElement>('.graph'); return h?.dataset.pending === 'false' && (h.dataset.graphNodes ?? h.dataset.nodes) === String(n); }, nodes, { timeout: 120_000 });
  const result = await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[]; __maxGap: number };
    return { longTasks: w.__longTasks.length, maxLongTaskMs: Math.round(Math.max(0, ...w.__longTasks)), maxFrameGapMs: Math.round(w.__maxGap), renders: Number(document.querySelector<HTMLElement>('.graph')?.dataset.renders) };
  });
  await page.context().close();
  return { nodes, batches: batches.length, ...result };
}

/** measureLive `repeats` times in fresh pages: the median of each measure, and every run's. */
async function measureLiveRepeated(browser: Browser, url: string, graph: GraphSnapshot, nodes: number, repeats: number) {
  const runs: Array<Awaited<ReturnType<typeof measureLive>>> = [];
  for (let r = 0; r < repeats; r++) runs.push(await measureLive(browser, url, graph, nodes));
  const mid = (pick: (run: (typeof runs)[number]) => number) => Math.round(median(runs.map(pick)));
  return {
    nodes,
    batches: runs[0].batches,
    longTasks: mid((run) => run.longTasks),
    maxLongTaskMs: mid((run) => run.maxLongTaskMs),
    maxFrameGapMs: mid((run) => run.maxFrameGapMs),
    renders: mid((run) => run.renders),
    runs: runs.map(({ longTasks, maxLongTaskMs, maxFrameGapMs, renders }) => ({ longTasks, maxLongTaskMs, maxFrameGapMs, renders })),
  };
}

/**
 * A run of `nodes` nodes streamed as the host sends it (4 new nodes every 50 ms); for each node, the
 * ms from the message that carried it to the first drawing that includes it (the panel's
 * data-graph-nodes reaches its count). Returns those of the last `last` nodes, and how many nodes the
 * last drawing drew.
 */
async function measureNewNodeLatency(browser: Browser, url: string, graph: GraphSnapshot, nodes: number, focus: boolean, last = 100) {
  const page = await openPanel(browser, url, focus);
  const run = runInfo(`latency-${focus ? 'focus' : 'whole'}`);
  const batches = liveBatches(prefix(graph, nodes), 4);
  await page.evaluate((m) => window.postMessage(m, '*'), { type: 'runStarted', run } as HostToWebview);
  await page.evaluate(() => {
    const host = document.querySelector('.graph') as HTMLElement;
    const drawings: Array<[number, number]> = ((window as unknown as { __drawings: Array<[number, number]> }).__drawings = []);
    new MutationObserver(() => drawings.push([performance.now(), Number(host.dataset.graphNodes ?? 0)])).observe(host, { attributes: true, attributeFilter: ['data-graph-nodes'] });
  });
  const sent: Array<[number, number]> = [];
  let count = 0;
  for (const events of batches) {
    count += events.filter((e) => e.type === 'nodeAdded').length;
    const at = await page.evaluate((m) => {
      window.postMessage(m, '*');
      return performance.now();
    }, { type: 'graphEvents', runId: run.runId, events } as HostToWebview);
    sent.push([at, count]);
    await new Promise((r) => setTimeout(r, 50));
  }
  await page.waitForFunction((n) => { const h = document.querySelector<HTMLElement>('.graph'); return h?.dataset.pending === 'false' && h.dataset.graphNodes === String(n); }, nodes, { timeout: 120_000 });
  const drawings = await page.evaluate(() => (window as unknown as { __drawings: Array<[number, number]> }).__drawings);
  const drawn = await page.evaluate(() => Number(document.querySelector<HTMLElement>('.graph')?.dataset.nodes));
  await page.context().close();
  const latencies: number[] = [];
  let previous = 0;
  for (const [at, upTo] of sent) {
    const shown = drawings.find(([t, n]) => t >= at && n >= upTo);
    for (let node = previous + 1; node <= upTo; node++) if (node > nodes - last && shown) latencies.push(shown[0] - at);
    previous = upTo;
  }
  return { nodes, drawnNodes: drawn, medianMs: Math.round(median(latencies)), maxMs: Math.round(Math.max(...latencies)) };
}

interface LayoutResult {
  bundleBytes: number;
  sizes: Array<{ nodes: number; drawnNodes: number; firstRenderMs: number; oneMoreNodeMs: number }>;
  live: Awaited<ReturnType<typeof measureLiveRepeated>>;
  newNode: { whole: Awaited<ReturnType<typeof measureNewNodeLatency>>; focus: Awaited<ReturnType<typeof measureNewNodeLatency>> };
}

/** Nodes of the big run whose whole-graph drawing (pruned collapsed) has about 100 nodes. */
export const LATENCY_RUN_NODES = 500;

/**
 * `extensionDir`: the unpacked .vsix, whose webview bundle (as shipped) draws with dagre. `webviews`:
 * more panel bundles (name -> path of a webview.js, e.g. one built from an earlier commit), measured
 * side by side in the same run under their names.
 */
export async function benchRender(options: { extensionDir: string; sizes: number[]; repeats: number; layouts: string[]; webviews?: Record<string, string>; log: (line: string) => void }) {
  const { extensionDir, sizes, repeats, log } = options;
  const webviews = options.webviews ?? {};
  const layouts = [...options.layouts, ...Object.keys(webviews)];
  const graph = (await bigRun()).graph.snapshot();
  const bundles: Record<string, Buffer> = { dagre: readFileSync(join(extensionDir, 'dist', 'webview.js')) };
  for (const [name, path] of Object.entries(webviews)) bundles[name] = readFileSync(path);
  if (layouts.includes('elk')) bundles.elk = await elkBundle();
  const { server, url } = await serve(bundles, readFileSync(join(extensionDir, 'dist', 'webview.css')));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const out: Record<string, LayoutResult> = {};
  try {
    for (const layout of layouts) {
      log(`  layout ${layout} (bundle ${round(bundles[layout].length / 1024)} KiB)`);
      const rows = await measureLayout(browser, url(layout), graph, sizes, repeats, log);
      const live = await measureLiveRepeated(browser, url(layout), graph, 200, repeats);
      log(`  live 200 nodes: ${JSON.stringify(live)}`);
      const newNode = {
        whole: await measureNewNodeLatency(browser, url(layout), graph, LATENCY_RUN_NODES, false),
        focus: await measureNewNodeLatency(browser, url(layout), graph, LATENCY_RUN_NODES, true),
      };
      log(`  new node on screen: ${JSON.stringify(newNode)}`);
      out[layout] = { bundleBytes: bundles[layout].length, sizes: rows, live, newNode };
    }
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { graphNodes: graph.nodes.length, repeats, debounceIncludedMs: 25, layouts: out };
}
