// The workbench panel (compare table + scatter, evaluation report + chart) in real headless Chromium,
// with the real CSP'd HTML and the bundle built as scripts/build.mjs builds it (chart.js inside).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildReport } from '../../src/core/report/pareto';
import { summarize } from '../../src/core/eval/summary';
import type { EvalResults, ItemResult } from '../../src/core/eval/types';
import { makeNonce, webviewHtml } from '../../src/shared/webviewHtml';
import type { CompareRowView, HostToWorkbench } from '../../src/shared/workbenchMessages';

const ROOT = join(__dirname, '..', '..');
let server: Server;
let baseUrl: string;
let browser: Browser;
let bundleDir: string;

before(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'thoughtscope-workbench-'));
  await esbuild.build({ entryPoints: [join(ROOT, 'webview', 'workbench.ts')], outfile: join(bundleDir, 'workbench.js'), bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning', legalComments: 'none' });
  const script = readFileSync(join(bundleDir, 'workbench.js'));
  const style = readFileSync(join(ROOT, 'media', 'workbench.css'));
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const origin = `http://${req.headers.host}`;
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(webviewHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/workbench.js`, styleUri: `${origin}/workbench.css` }));
    else if (path === '/workbench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (path === '/workbench.css') res.writeHead(200, { 'content-type': 'text/css' }).end(style);
    else res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

async function open(content: HostToWorkbench): Promise<{ page: Page; problems: string[]; posted: () => Promise<unknown[]> }> {
  const page = await (await browser.newContext()).newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  // The stub host answers `ready` with the content, as openWorkbenchPanel does.
  await page.addInitScript(`
    window.__posted = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__posted.push(m); if (m.type === 'ready') setTimeout(() => window.postMessage(${JSON.stringify(content)}, '*'), 0); } });
  `);
  await page.goto(baseUrl);
  return { page, problems, posted: () => page.evaluate('window.__posted') as Promise<unknown[]> };
}

const HOSTILE = '<img src=x onerror="window.__pwned=1"> **4**';

test('compare: one row per run, model text as text, a scatter on a canvas, a row opens its graph', async () => {
  const row = (technique: string, answer: string, correct: boolean | null, costUsd: number | null): CompareRowView => ({ technique, model: 'gpt-4o-mini', outcome: 'done', answer, agreement: 0.5, correct, calls: 3, promptTokens: 1200, completionTokens: 80, costUsd, wallMs: 1500 });
  const { page, problems, posted } = await open({ type: 'compare', input: 'What is 2+2?', expected: '4', rows: [row('io', HOSTILE, false, 0.0001), row('cot', '4', true, 0.0002), row('tot', '4', true, null)] });
  await page.waitForSelector('tbody tr:nth-child(3)');
  const cells = await page.$$eval('tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(cells.map((c) => c[0]), ['io', 'cot', 'tot']);
  assert.equal(cells[0][3], HOSTILE, 'the answer is shown as text');
  assert.equal(cells[0][2], '–', 'no reasoning effort');
  assert.deepEqual(cells[1].slice(4, 9), ['50%', 'yes', '3', '1,200', '80']);
  assert.equal(cells[2][9], 'price unknown');
  // A run of unknown price is not a point at $0: it is named under the chart instead.
  assert.equal(await page.$eval('.wb-chart canvas', (c) => c.getAttribute('aria-label')), 'Cost against correctness per run: 2 of 3 runs plotted');
  assert.equal(await page.$eval('.wb-unpriced', (p) => p.textContent), 'Not plotted (price unknown): tot · gpt-4o-mini');
  assert.equal(await page.$('td img'), null);
  assert.equal(await page.evaluate('window.__pwned'), undefined);
  const canvasSize = await page.$eval('.wb-chart canvas', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
  assert.ok(canvasSize[0] > 100 && canvasSize[1] > 100, `chart drawn: ${canvasSize}`);
  await page.click('tbody tr:nth-child(2)');
  assert.deepEqual((await posted()).filter((m) => (m as { type: string }).type === 'openRow'), [{ type: 'openRow', index: 1 }]);
  assert.deepEqual(problems, []);
});

test('report: the accuracy/cost chart and a table sorted by cost with the frontier marked', async () => {
  const results = (technique: string, correct: number, cost: number): EvalResults => {
    const items: ItemResult[] = Array.from({ length: 10 }, (_, i) => ({ index: i, input: `p${i}`, answer: '', correct: i < correct, samples: [], calls: 1, promptTokens: 10, completionTokens: 5, costUsd: cost, wallMs: 1 }));
    return { meta: { technique, task: 'game24', model: 'gpt-4o-mini', params: {}, dataset: 'rows', requested: 10, unfinished: 0, resumed: 0, elapsedMs: 1 }, items, summary: summarize(items) };
  };
  const report = buildReport([results('tot', 7, 0.1), results('io', 1, 0.001), results('sc', 1, 0.05)]);
  const { page, problems } = await open({ type: 'report', report });
  await page.waitForSelector('tbody tr:nth-child(3)');
  const cells = await page.$$eval('tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(cells.map((c) => [c[0], c[3], c[8]]), [['io', '10.0%', 'yes'], ['sc', '10.0%', ''], ['tot', '70.0%', 'yes']]);
  const width = await page.$eval('.wb-chart canvas', (c) => (c as HTMLCanvasElement).width);
  assert.ok(width > 100);
  assert.deepEqual(problems, []);
});
