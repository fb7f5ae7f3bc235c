// The side panel in real headless Chromium (harness/panelPage.ts): the real HTML (with its CSP), the
// real webview bundle, host messages fed with window.postMessage.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import type { CallRecord, GraphEvent, RunSummary, RunTotals, ThoughtNode } from '../../src/core/graph/types';
import { formatUsd } from '../../src/core/pricing';
import { formatTokens, labelFor } from '../../src/core/render/mermaid';
import type { HostToWebview, ImageExportResult, RunInfo } from '../../src/shared/messages';
import { makeNonce, webviewCsp, webviewHtml } from '../../src/shared/webviewHtml';
import { harness, openPanel, type Panel } from './harness/panelPage';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results');

// ---------------------------------------------------------------- fixtures

function call(role: string, prompt: string, response: string, promptTokens: number, completionTokens: number, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    role,
    model: 'gpt-4.1-mini',
    prompt,
    responses: [response],
    usage: { promptTokens, completionTokens, estimated: false },
    usageSource: 'reported',
    costUsd: (promptTokens * 0.4 + completionTokens * 1.6) / 1e6,
    latencyMs: 300 + promptTokens,
    cached: false,
    ...extra,
  };
}

/** Records the graph's events as the host would send them (copied at emission time). */
function recorder(graph: ThoughtGraph): GraphEvent[] {
  const events: GraphEvent[] = [];
  graph.on((event) => events.push(structuredClone(event)));
  return events;
}

function sumTotals(nodes: readonly ThoughtNode[], wallMs: number): RunTotals {
  let costUsd: number | null = 0;
  const totals = { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, estimated: false };
  for (const n of nodes) {
    totals.calls += n.calls.length;
    totals.cachedCalls += n.calls.filter((c) => c.cached).length;
    totals.promptTokens += n.usage.promptTokens;
    totals.completionTokens += n.usage.completionTokens;
    totals.estimated ||= n.usage.estimated;
    costUsd = costUsd === null || n.costUsd === null ? null : costUsd + n.costUsd;
  }
  return { ...totals, costUsd, wallMs };
}

function runInfo(runId: string, extra: Partial<RunInfo> = {}): RunInfo {
  return {
    runId,
    technique: 'tot',
    techniqueName: 'Tree of Thoughts',
    model: 'gpt-4.1-mini',
    input: 'Plan the migration',
    params: { breadth: 3 },
    startedAt: Date.now(),
    ...extra,
  };
}

/** A beam-search-like graph of exactly 100 nodes, every one with usage and cost. */
function bigGraph(): { graph: ThoughtGraph; events: GraphEvent[] } {
  const graph = new ThoughtGraph();
  const events = recorder(graph);
  const q = graph.addNode({ kind: 'question', text: 'Find a sequence of operations on 4 9 10 13 that makes 24, showing each step.' });
  graph.recordCall(q.id, call('decompose', 'Split the problem: 4 9 10 13', 'Try combinations step by step.', 40, 12));
  let beam = [q.id];
  let made = 1;
  let level = 0;
  while (made < 99) {
    level++;
    const children: ThoughtNode[] = [];
    for (const parent of beam) {
      for (let k = 0; k < 3 && made < 99; k++) {
        const node = graph.addNode({ kind: 'thought', text: `Step ${level}.${k}: ${13 - k} - ${9 - level % 5} = ${13 - k - (9 - level % 5)} (left: ${level + k} ${10 - k})`, status: 'running' }, [
          { id: parent, kind: 'expand' },
        ]);
        made++;
        const estimated = (made % 7) === 0;
        graph.recordCall(node.id, call('propose', `Propose the next step after ${parent}, level ${level}, option ${k}.`, `Response for ${node.id}: keep ${level + k}.`, 120 + made, 20 + (made % 13), {
          usage: { promptTokens: 120 + made, completionTokens: 20 + (made % 13), estimated },
          usageSource: estimated ? 'estimated' : 'reported',
          cached: made % 11 === 0,
          templates: [{ name: 'game24/propose', source: made % 2 ? 'workspace' : 'built-in', hash: 'abcdef0123456789', variables: { numbers: `${level + k} ${10 - k}` } }],
        }));
        graph.update(node.id, { status: 'done', score: ((made * 37) % 100) / 10 });
        children.push(graph.get(node.id));
      }
    }
    const ranked = [...children].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    beam = ranked.slice(0, 2).map((n) => n.id);
    for (const n of children) graph.update(n.id, { status: beam.includes(n.id) ? 'selected' : 'pruned' });
  }
  const answer = graph.addNode({ kind: 'answer', text: '(13 - 9) * (10 - 4) = 24' }, [{ id: beam[0], kind: 'answer' }]);
  graph.recordCall(answer.id, call('answer', 'Write the final expression.', '(13 - 9) * (10 - 4) = 24', 300, 18));
  graph.update(answer.id, { status: 'selected' });
  assert.equal(graph.nodes().length, 100);
  return { graph, events };
}

/** A small, realistic finished run (used for the screenshot). */
function smallGraph(): { graph: ThoughtGraph; summary: RunSummary } {
  const graph = new ThoughtGraph();
  const q = graph.addNode({ kind: 'question', text: 'Our API p99 latency doubled after the last deploy. What should we check first?' });
  const ideas = [
    ['Compare the deploy diff for new synchronous calls in the request path.', 8],
    ['Check whether the database connection pool size changed in config.', 6],
    ['Look at GC pauses: the new build may allocate far more per request.', 4],
  ] as const;
  const level1 = ideas.map(([text, score], i) => {
    const n = graph.addNode({ kind: 'thought', text }, [{ id: q.id, kind: 'expand' }]);
    graph.recordCall(n.id, call('propose', `Question: ${q.text}\nPropose one next check (#${i + 1}).`, text, 212, 31 + i * 4));
    const e = graph.addNode({ kind: 'evaluation', text: `Value: ${score}/10 — ${score > 5 ? 'likely' : 'possible'}` }, [{ id: n.id, kind: 'evaluate' }]);
    graph.recordCall(e.id, call('value', `Rate this check from 1 to 10:\n${text}`, `${score}`, 180, 6, i === 2 ? { cached: true, latencyMs: 0, costUsd: 0 } : {}));
    graph.update(n.id, { score, status: score > 5 ? 'selected' : 'pruned' });
    return n;
  });
  const deeper = graph.addNode({ kind: 'thought', text: 'The diff adds a per-request call to the feature-flag service with no cache; p99 matches its timeout.' }, [{ id: level1[0].id, kind: 'expand' }]);
  graph.recordCall(deeper.id, call('propose', 'Go deeper on: deploy diff', 'The diff adds a per-request call to the feature-flag service with no cache; p99 matches its timeout.', 402, 44, { usage: { promptTokens: 402, completionTokens: 44, estimated: true }, usageSource: 'estimated' }));
  graph.update(deeper.id, { score: 9, status: 'selected' });
  const failed = graph.addNode({ kind: 'thought', text: '', status: 'running' }, [{ id: level1[1].id, kind: 'expand' }]);
  graph.recordCall(failed.id, call('propose', 'Go deeper on: pool size', '', 390, 0, { error: 'HTTP 429: rate limited', responses: [] }));
  graph.update(failed.id, { status: 'failed', error: 'HTTP 429: rate limited' });
  const answer = graph.addNode({ kind: 'answer', text: 'Check the new feature-flag lookup first: cache it or move it off the request path.' }, [{ id: deeper.id, kind: 'answer' }]);
  graph.recordCall(answer.id, call('answer', 'Summarise the best check in one sentence.', 'Check the new feature-flag lookup first: cache it or move it off the request path.', 520, 25));
  graph.update(answer.id, { status: 'selected' });
  const summary: RunSummary = { outcome: 'done', answer: answer.text, answerNodeId: answer.id, totals: sumTotals(graph.nodes(), 8420) };
  return { graph, summary };
}

const HOSTILE_TEXTS = [
  '<img src=x onerror="window.__pwned=1">',
  '%%{init: {"securityLevel":"loose"}}%%',
  'click n0 call evil()',
  '[link](javascript:window.__pwned=2)',
  '"]; n9["x',
  '`markdown` **bold** _em_ $$x^2$$ ~~no~~',
  'fa:fa-car #35; &amp; &lt;b&gt; \uFB02\u00B0\u00B060\u00B6\u00DF',
  'end\nsubgraph x\nstyle n0 fill:#f00;\n<script>window.__pwned=4</script>',
  '<a href="javascript:window.__pwned=5">a</a> <svg onload="window.__pwned=6"></svg> \\n [[x]] {{y}} (z) |w|',
];

// ---------------------------------------------------------------- browser harness: harness/panelPage.ts

/** Pruned siblings are collapsed at any size: "Show pruned" draws them all. */
async function showPruned(panel: Panel): Promise<void> {
  await panel.page.waitForSelector('vscode-button.pruned-toggle:not([hidden])');
  if ((await panel.page.textContent('vscode-button.pruned-toggle')) === 'Show pruned') await panel.page.click('vscode-button.pruned-toggle');
}

/** The panel with Focus off: these tests look at every node of the graph (graphView.test.ts covers Focus). */
function openWhole(viewport?: { width: number; height: number }, theme?: 'vscode-dark' | 'vscode-light'): Promise<Panel> {
  return openPanel(viewport, theme, { focus: 'off' });
}

/** The label text Mermaid drew for a node, whitespace collapsed. */
async function drawnLabels(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const el of Array.from(document.querySelectorAll('.graph svg g.node[data-node-id]'))) {
      out[el.getAttribute('data-node-id') as string] = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    }
    return out;
  });
}

function expectedLabel(node: ThoughtNode): string {
  return labelFor(node).split('\n').join('').replace(/\s+/g, ' ').trim();
}

async function headerTotals(page: Page) {
  return page.evaluate(() => {
    const value = (key: string) => document.querySelector<HTMLElement>(`.header [data-total="${key}"] .value`) as HTMLElement;
    const tokens = value('tokens');
    return {
      calls: Number(value('calls').dataset.value),
      promptTokens: Number(tokens.dataset.promptTokens),
      completionTokens: Number(tokens.dataset.completionTokens),
      tokensText: tokens.textContent,
      costText: value('cost').textContent,
      wallText: value('wall').textContent,
    };
  });
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------- tests

describe('webviewHtml', () => {
  test('a strict CSP, the app root and the nonce-bearing script, nothing else', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(makeNonce(), nonce);
    const html = webviewHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce, scriptUri: 'https://x/webview.js?a=1&b="2"', styleUri: 'https://x/webview.css' });
    assert.ok(
      html.includes(
        `content="default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net; ` +
          `style-src https://file+.vscode-resource.vscode-cdn.net 'unsafe-inline'; script-src 'nonce-${nonce}';"`,
      ),
    );
    assert.ok(html.includes('<div id="app"></div>'));
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://x/webview.js?a=1&amp;b=&quot;2&quot;"></script>`));
    assert.ok(!/style-src[^;]*nonce/.test(html), 'no nonce in style-src (it would disable unsafe-inline)');
    assert.throws(() => webviewHtml({ cspSource: 'x', nonce: 'short', scriptUri: '', styleUri: '' }));
    assert.throws(() => webviewHtml({ cspSource: "x; script-src 'unsafe-inline'", nonce, scriptUri: '', styleUri: '' }));
  });
});

describe('webview panel in headless Chromium', { timeout: 180_000 }, () => {
  test('100-node run: draws every node with tokens and cost, totals match the nodes, Cancel posts cancel, click opens the inspector', async () => {
    const panel = await openWhole({ width: 900, height: 1200 });
    const { page } = panel;
    try {
      // (f) the CSP meta is the one webviewHtml writes, and it is in force.
      const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.equal(csp, webviewCsp(harness.baseUrl, harness.nonce));
      assert.match(csp ?? '', /script-src 'nonce-[A-Za-z0-9]+';/);
      assert.deepEqual((await panel.posted())[0], { type: 'ready' });
      assert.match((await page.textContent('#app')) ?? '', /Select text and run 'Thoughtscope: Reason with…'/);

      const { graph, events } = bigGraph();
      const run = runInfo('run-big');
      await panel.send({ type: 'runStarted', run });
      // The host batches events; send them in chunks without waiting for renders in between.
      for (const chunk of batches(events, 40)) await panel.send({ type: 'graphEvents', runId: run.runId, events: chunk });
      await showPruned(panel);
      await panel.waitForGraph(100);

      // (a) 100 nodes drawn, each showing its excerpt, tokens and cost.
      const labels = await drawnLabels(page);
      assert.equal(Object.keys(labels).length, 100);
      for (const node of graph.nodes()) {
        const drawn = labels[node.id];
        assert.ok(drawn, `node ${node.id} drawn`);
        assert.ok(drawn.includes(formatTokens(node)), `${node.id} shows tokens "${formatTokens(node)}" in "${drawn}"`);
        assert.ok(drawn.includes(formatUsd(node.costUsd)), `${node.id} shows cost ${formatUsd(node.costUsd)} in "${drawn}"`);
        assert.equal(drawn, expectedLabel(node));
      }
      const renders = Number(await page.getAttribute('.graph', 'data-renders'));
      assert.ok(renders < events.length / 10, `updates are coalesced (${renders} renders for ${events.length} events)`);

      // (e) while running, the header sums the nodes.
      const expected = sumTotals(graph.nodes(), 0);
      let shown = await headerTotals(page);
      assert.equal(shown.calls, expected.calls);
      assert.equal(shown.promptTokens, expected.promptTokens);
      assert.equal(shown.completionTokens, expected.completionTokens);
      assert.equal(shown.costText, formatUsd(expected.costUsd));
      assert.match(shown.tokensText ?? '', /^~/, 'estimated counts are marked');
      const wall1 = shown.wallText;
      await page.waitForTimeout(1200);
      assert.notEqual((await headerTotals(page)).wallText, wall1, 'wall time ticks while running');

      // (d) Cancel posts {type:'cancel', runId}.
      await page.click('.header vscode-button.cancel');
      assert.deepEqual((await panel.posted()).at(-1), { type: 'cancel', runId: 'run-big' });

      // (c) clicking a node opens the inspector with its full prompt and response.
      const target = graph.nodes()[37];
      await page.click(`.graph g.node[data-node-id="${target.id}"]`);
      await page.waitForSelector('.inspector:not([hidden])');
      const inspector = (await page.textContent('.inspector')) ?? '';
      assert.ok(inspector.includes(target.text), 'full text');
      assert.ok(inspector.includes(target.calls[0].prompt), 'full prompt');
      assert.ok(inspector.includes(target.calls[0].responses[0]), 'full response');
      assert.ok(inspector.includes(formatUsd(target.costUsd)));
      assert.equal(await page.isVisible('.inspector pre.prompt'), true);
      // The template the call's prompt came from, where from, and the variables it was given.
      const used = target.calls[0].templates![0];
      assert.equal(await page.textContent('.inspector .template-name'), `game24/propose · ${used.source} · abcdef0123456789`);
      assert.deepEqual(await page.$$eval('.inspector .template-variables > *', (els) => els.map((e) => e.textContent)), ['numbers', used.variables.numbers]);

      // Finished: the header shows the summary's totals, which equal the node sums.
      const summary: RunSummary = { outcome: 'done', answer: '(13 - 9) * (10 - 4) = 24', answerNodeId: 'n99', totals: sumTotals(graph.nodes(), 65_000) };
      await panel.send({ type: 'graphEvents', runId: run.runId, events: [{ type: 'runFinished', summary }] });
      await page.waitForSelector('.answer:not([hidden]) .answer-text');
      shown = await headerTotals(page);
      assert.equal(shown.calls, expected.calls);
      assert.equal(shown.promptTokens, expected.promptTokens);
      assert.equal(shown.completionTokens, expected.completionTokens);
      assert.equal(shown.costText, formatUsd(expected.costUsd));
      assert.equal(shown.wallText, '1:05');
      assert.equal(await page.isVisible('.header vscode-button.cancel'), false, 'no Cancel once finished');
      await page.click('.answer vscode-button:has-text("Insert into editor")');
      await page.click('.answer vscode-button:has-text("Copy")');
      assert.deepEqual((await panel.posted()).slice(-2), [
        { type: 'insertAnswer', runId: 'run-big' },
        { type: 'copyAnswer', runId: 'run-big' },
      ]);

      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, 'panel-100-nodes.png'), fullPage: true });
      // (f) nothing was refused by the CSP and nothing threw.
      assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('hostile model text runs nothing and shows literally', async () => {
    const panel = await openWhole();
    const { page } = panel;
    try {
      const graph = new ThoughtGraph();
      const events = recorder(graph);
      const q = graph.addNode({ kind: 'question', text: HOSTILE_TEXTS[0] });
      graph.recordCall(q.id, call('decompose', HOSTILE_TEXTS[0], HOSTILE_TEXTS[1], 10, 5));
      let parent = q.id;
      for (const text of HOSTILE_TEXTS.slice(1)) {
        const n = graph.addNode({ kind: 'thought', text }, [{ id: parent, kind: 'expand', label: text }]);
        graph.recordCall(n.id, call('propose', `prompt ${text}`, `response ${text}`, 20, 7, { model: '<img src=x onerror="window.__pwned=7">', costUsd: null }));
        parent = n.id;
      }
      const run = runInfo('run-hostile', { techniqueName: '<img src=x onerror="window.__pwned=8">', model: '"><script>window.__pwned=9</script>' });
      const summary: RunSummary = {
        outcome: 'failed',
        message: '<img src=x onerror="window.__pwned=10"> model failed',
        answer: HOSTILE_TEXTS.join('\n'),
        totals: sumTotals(graph.nodes(), 1000),
      };
      await panel.send({ type: 'runStarted', run });
      await panel.send({ type: 'graphEvents', runId: run.runId, events: [...events, { type: 'runFinished', summary }] });
      await panel.send({ type: 'error', message: '<img src=x onerror="window.__pwned=11">' });
      await panel.waitForGraph(HOSTILE_TEXTS.length);

      const labels = await drawnLabels(page);
      for (const node of graph.nodes()) assert.equal(labels[node.id], expectedLabel(node), `label of ${node.id} is literal`);
      // Lines are joined by <br>, so compare without whitespace.
      const has = (label: string, text: string) => label.replace(/\s/g, '').includes(text.replace(/\s/g, ''));
      assert.ok(has(labels.n0, '<img src=x onerror="window.__pwned=1">'), labels.n0);
      assert.ok(has(labels.n1, '%%{init: {"securityLevel":"loose"}}%%'), labels.n1);
      assert.ok(has(labels.n3, '[link](javascript:window.__pwned=2)'), labels.n3);
      assert.ok(has(labels.n5, '`markdown` **bold** _em_ $$x^2$$ ~~no~~'), labels.n5);
      assert.ok(has(labels.n6, 'fa:fa-car #35; &amp; &lt;b&gt; \uFB02\u00B0\u00B060\u00B6\u00DF'), labels.n6);
      assert.ok(has(labels[graph.nodes()[4].id], '"]; n9["x'), labels[graph.nodes()[4].id]);
      assert.ok(labels.n0.includes('price unknown') === false && labels.n1.includes('price unknown'));

      // Open every node in the inspector and click around.
      for (const node of graph.nodes()) {
        await page.click(`.graph g.node[data-node-id="${node.id}"]`);
        const text = (await page.textContent('.inspector')) ?? '';
        assert.ok(text.includes(node.text), `inspector shows the full text of ${node.id}`);
        assert.ok(text.includes(node.calls[0].prompt), `inspector shows the prompt of ${node.id}`);
      }
      await page.waitForTimeout(300);

      const dom = await page.evaluate(() => {
        const all = Array.from(document.querySelectorAll('*'));
        return {
          pwned: (window as unknown as { __pwned?: unknown }).__pwned,
          imgs: document.querySelectorAll('img, image, iframe, object, embed, foreignObject script, script:not([nonce])').length,
          handlers: all.filter((el) => Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith('on'))).map((el) => el.outerHTML.slice(0, 80)),
          jsLinks: all.filter((el) => Array.from(el.attributes).some((a) => /^\s*javascript:/i.test(a.value))).map((el) => el.outerHTML.slice(0, 80)),
          anchors: document.querySelectorAll('.graph a').length,
          answer: document.querySelector('.answer-text')?.textContent,
          title: document.querySelector('.header .technique')?.textContent,
          model: document.querySelector('.header .model')?.textContent,
          error: document.querySelector('.error-box')?.textContent,
          outcome: document.querySelector('.answer .outcome-message')?.textContent,
        };
      });
      assert.equal(dom.pwned, undefined);
      assert.equal(dom.imgs, 0);
      assert.deepEqual(dom.handlers, []);
      assert.deepEqual(dom.jsLinks, []);
      assert.equal(dom.anchors, 0);
      assert.equal(dom.answer, HOSTILE_TEXTS.join('\n'));
      assert.equal(dom.title, run.techniqueName);
      assert.equal(dom.model, run.model);
      assert.equal(dom.error, '<img src=x onerror="window.__pwned=11">');
      assert.equal(dom.outcome, summary.message);
      assert.equal((await headerTotals(page)).costText, 'price unknown');
      assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('bidi overrides and isolates in model text are shown nowhere: labels, inspector, answer', async () => {
    const panel = await openPanel();
    const { page } = panel;
    try {
      const spoof = (s: string) => `${s} \u202Etxt.exe\u202C \u2066iso\u2069 \u200E\u200F\u061C\u202A\u202B\u202D\u2067\u2068`;
      const graph = new ThoughtGraph();
      const events = recorder(graph);
      const q = graph.addNode({ kind: 'question', text: spoof('question') });
      const t = graph.addNode({ kind: 'thought', text: spoof('thought') }, [{ id: q.id, kind: 'expand', label: spoof('edge') }]);
      graph.recordCall(t.id, call('propose', spoof('prompt'), spoof('response'), 20, 7));
      const run = runInfo('run-bidi');
      const summary: RunSummary = { outcome: 'done', answer: spoof('answer'), answerNodeId: t.id, totals: sumTotals(graph.nodes(), 10) };
      await panel.send({ type: 'runStarted', run });
      await panel.send({ type: 'graphEvents', runId: run.runId, events: [...events, { type: 'runFinished', summary }] });
      await panel.waitForGraph(2);
      await page.click(`.graph g.node[data-node-id="${t.id}"]`);
      await page.click('.inspector details.call summary');
      const shown = await page.evaluate(() => ({
        labels: Array.from(document.querySelectorAll('.graph svg')).map((el) => el.textContent ?? '').join(' '),
        inspector: document.querySelector('.inspector')?.textContent ?? '',
        answer: document.querySelector('.answer-text')?.textContent ?? '',
        everything: document.body.textContent ?? '',
      }));
      const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
      for (const [where, text] of Object.entries(shown)) assert.doesNotMatch(text, BIDI, `no bidi control in ${where}`);
      assert.ok(shown.labels.includes('txt.exe'), 'the text itself is still shown, in the order it is written');
      assert.ok(shown.inspector.includes('response txt.exe iso'), shown.inspector);
      assert.ok(shown.answer.startsWith('answer txt.exe iso'), shown.answer);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('restore of a finished run: answer, outcome, inspector; screenshot', async () => {
    const panel = await openWhole({ width: 520, height: 1250 });
    const { page } = panel;
    try {
      const { graph, summary } = smallGraph();
      const run = runInfo('run-small', { techniqueName: 'Tree of Thoughts', model: 'gpt-4.1-mini', startedAt: Date.now() - 8420 });
      await panel.send({ type: 'restore', run, graph: graph.snapshot(), summary });
      await panel.waitForGraph(graph.nodes().length);
      const shown = await headerTotals(page);
      const sums = sumTotals(graph.nodes(), 0);
      assert.equal(shown.calls, sums.calls);
      assert.equal(shown.promptTokens, sums.promptTokens);
      assert.equal(shown.costText, formatUsd(sums.costUsd));
      assert.equal(shown.wallText, '8.4 s');
      assert.equal(await page.textContent('.answer-text'), summary.answer);

      const labels = await drawnLabels(page);
      for (const node of graph.nodes()) assert.equal(labels[node.id], expectedLabel(node));
      const classes = await page.evaluate(() =>
        Object.fromEntries(Array.from(document.querySelectorAll('.graph g.node[data-node-id]')).map((el) => [el.getAttribute('data-node-id'), el.getAttribute('class')])),
      );
      assert.match(classes.n0 ?? '', /\bquestion\b/);
      assert.match(classes.n1 ?? '', /\bselected\b/);
      assert.match(classes.n5 ?? '', /\bpruned\b/);
      assert.match(classes.n8 ?? '', /\bfailed\b/);
      assert.match(classes.n9 ?? '', /\banswer\b/);

      await page.click('.graph g.node[data-node-id="n7"]');
      await page.waitForSelector('.inspector:not([hidden])');
      assert.ok(((await page.textContent('.inspector')) ?? '').includes('estimated'));
      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, 'panel.png'), fullPage: true });
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('calls answered from the response cache: the label, the header and the inspector say so, with the first cost', async () => {
    const panel = await openPanel({ width: 520, height: 900 });
    const { page } = panel;
    try {
      const graph = new ThoughtGraph();
      const q = graph.addNode({ kind: 'question', text: 'What is 17 * 23?' });
      const replayed = { storedAt: '2030-01-02T03:04:05.000Z', costUsd: 0.0012, usage: { promptTokens: 900, completionTokens: 100, estimated: false } };
      const cachedCall = call('propose', 'Propose a step.', '17 * 20 = 340', 0, 0, { cached: true, costUsd: 0, latencyMs: 0, replayed });
      const a = graph.addNode({ kind: 'thought', text: '17 * 20 = 340' }, [{ id: q.id, kind: 'expand' }]);
      graph.recordCall(a.id, cachedCall);
      const b = graph.addNode({ kind: 'answer', text: '391' }, [{ id: a.id, kind: 'answer' }]);
      graph.recordCall(b.id, call('answer', 'Finish.', '391', 300, 10));
      const totals: RunTotals = { ...sumTotals(graph.nodes(), 1000), replayed: { calls: 1, promptTokens: 900, completionTokens: 100, costUsd: 0.0012 } };
      await panel.send({ type: 'restore', run: runInfo('run-replayed'), graph: graph.snapshot(), summary: { outcome: 'done', answer: '391', answerNodeId: b.id, totals } });
      await panel.waitForGraph(3);
      const labels = await drawnLabels(page);
      assert.equal(labels[a.id], expectedLabel(graph.get(a.id)));
      assert.match(labels[a.id], /cached \(was \$0\.0012\)/);
      assert.doesNotMatch(labels[b.id], /cached/);
      assert.equal(await page.textContent('.header [data-total="calls"] .value'), '2 (1 cached, 1 from earlier runs, was $0.0012)');
      await page.click(`.graph g.node[data-node-id="${a.id}"]`);
      await page.waitForSelector('.inspector:not([hidden])');
      assert.equal(await page.textContent('.inspector details.call summary .cached'), 'cached · first sent 2030-01-02 03:04 · was $0.0012');
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('a reasoning model: its reasoning folded apart from the response, dropped parameters on the call and the run', async () => {
    const panel = await openPanel();
    const { page } = panel;
    try {
      const graph = new ThoughtGraph();
      const q = graph.addNode({ kind: 'question', text: '4 4 6 8' });
      const reasoning = 'Try 4 + 4 + 6 + 8 = 22. <img src=x onerror="window.__pwned=1"> No.';
      const note = "temperature not supported by o4-mini: sampled at the model's default";
      graph.recordCall(q.id, call('reason', 'Use the numbers to make 24.', 'Answer: 4 * 6 * (8 - 4) / 4 = 24', 120, 400, {
        reasoning: [reasoning],
        droppedParams: [{ param: 'temperature', value: 0.7, note }],
        reasoningEffort: 'high',
        usage: { promptTokens: 120, completionTokens: 400, estimated: false, reasoningTokens: 380, cachedPromptTokens: 64 },
      }));
      const summary: RunSummary = { outcome: 'done', answer: '4 * 6 * (8 - 4) / 4', notes: [note], totals: sumTotals(graph.nodes(), 10) };
      await panel.send({ type: 'restore', run: runInfo('run-reasoning'), graph: graph.snapshot(), summary });
      await panel.waitForGraph(1);
      assert.equal(await page.textContent('.answer .run-note'), note);
      await page.click('.graph g.node[data-node-id="n0"]');
      await page.waitForSelector('.inspector:not([hidden])');
      const fold = await page.$eval('.inspector details.reasoning', (d) => ({ open: (d as HTMLDetailsElement).open, summary: d.querySelector('summary')?.textContent, text: d.querySelector('pre')?.textContent }));
      assert.deepEqual(fold, { open: false, summary: `Reasoning (${reasoning.length} characters)`, text: reasoning });
      assert.equal(await page.textContent('.inspector pre.response'), 'Answer: 4 * 6 * (8 - 4) / 4 = 24');
      assert.equal(await page.textContent('.inspector .call-note'), note);
      assert.match((await page.textContent('.inspector details.call > summary')) ?? '', /\(64 cached, 380 reasoning\)/);
      assert.match((await page.textContent('.inspector')) ?? '', /reasoning effort high/);
      assert.equal(await page.evaluate('window.__pwned'), undefined);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('light theme: Mermaid uses its light theme and the panel follows VS Code colours', async () => {
    const panel = await openWhole({ width: 520, height: 900 }, 'vscode-light');
    const { page } = panel;
    try {
      const { graph, summary } = smallGraph();
      await panel.send({ type: 'restore', run: runInfo('run-light', { startedAt: Date.now() - 8420 }), graph: graph.snapshot(), summary });
      await panel.waitForGraph(graph.nodes().length);
      const colours = await page.evaluate(() => ({
        body: getComputedStyle(document.body).backgroundColor,
        thought: getComputedStyle(document.querySelector('.graph g.node[data-node-id="n2"] .label-container') as Element).fill,
      }));
      assert.equal(colours.body, 'rgb(248, 248, 248)');
      assert.notEqual(colours.thought, 'rgb(31, 32, 32)', 'not the dark theme node fill');
      await page.click('.graph g.node[data-node-id="n1"]');
      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, 'panel-light.png'), fullPage: true });
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('cancelled and budget outcomes are shown plainly', async () => {
    const panel = await openWhole();
    const { page } = panel;
    try {
      const graph = new ThoughtGraph();
      const events = recorder(graph);
      const q = graph.addNode({ kind: 'question', text: 'Q' });
      graph.recordCall(q.id, call('propose', 'p', 'r', 5, 5));
      graph.addNode({ kind: 'thought', text: 'half-way', status: 'cancelled' }, [{ id: q.id, kind: 'expand' }]);
      const run = runInfo('run-c');
      await panel.send({ type: 'runStarted', run });
      await panel.send({ type: 'graphEvents', runId: run.runId, events });
      await panel.send({ type: 'graphEvents', runId: 'some-other-run', events: [{ type: 'runFinished', summary: { outcome: 'done', answer: 'wrong run', totals: sumTotals([], 0) } }] });
      await panel.waitForGraph(2);
      assert.equal(await page.isVisible('.answer'), false, 'events of another run are ignored');
      await panel.send({ type: 'graphEvents', runId: run.runId, events: [{ type: 'runFinished', summary: { outcome: 'cancelled', message: 'Cancelled', totals: sumTotals(graph.nodes(), 500) } }] });
      await page.waitForSelector('.answer.outcome-cancelled');
      assert.match((await page.textContent('.answer')) ?? '', /Run cancelled/);
      assert.match((await page.textContent('.header .run-status')) ?? '', /cancelled/);

      const run2 = runInfo('run-b');
      await panel.send({ type: 'runStarted', run: run2 });
      await page.waitForSelector('.answer', { state: 'hidden' });
      await panel.send({ type: 'graphEvents', runId: run2.runId, events: [{ type: 'runFinished', summary: { outcome: 'budget', message: 'Stopped: budget of $0.01 reached', answer: 'partial', totals: sumTotals([], 500) } }] });
      await page.waitForSelector('.answer.outcome-budget');
      const text = (await page.textContent('.answer')) ?? '';
      assert.match(text, /Stopped by the budget/);
      assert.match(text, /budget of \$0\.01 reached/);
      assert.match(text, /partial/);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('a failed run states its reason once: in the error box, not again under "Run failed"', async () => {
    const panel = await openWhole();
    const { page } = panel;
    try {
      const run = runInfo('run-f');
      const reason = 'Cannot reach the server at http://127.0.0.1:9/v1: check the base URL and that the server is running';
      await panel.send({ type: 'runStarted', run });
      await panel.send({ type: 'graphEvents', runId: run.runId, events: [{ type: 'runFinished', summary: { outcome: 'failed', message: reason, totals: sumTotals([], 10) } }] });
      await page.waitForSelector('.answer.outcome-failed');
      assert.equal(await page.textContent('.answer .outcome-message'), reason, 'without an error box the outcome names the reason');
      await panel.send({ type: 'error', message: reason });
      await page.waitForSelector('.error-box', { state: 'visible' });
      assert.equal(await page.textContent('.error-box'), reason);
      assert.equal(await page.locator('.answer .outcome-message').count(), 0, 'the reason is not repeated');
      assert.match((await page.textContent('.answer')) ?? '', /Run failed/);
      assert.equal((await page.textContent('body'))?.split(reason).length, 2, 'the reason appears exactly once');
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('a voting run shows its answer with the vote share as confidence', async () => {
    const panel = await openWhole();
    const { page } = panel;
    try {
      const run = runInfo('run-sc', { technique: 'sc', techniqueName: 'Self-Consistency' });
      await panel.send({ type: 'runStarted', run });
      await panel.send({ type: 'graphEvents', runId: run.runId, events: [{ type: 'runFinished', summary: { outcome: 'done', answer: '12', confidence: 0.6, totals: sumTotals([], 900) } }] });
      await page.waitForSelector('.answer.outcome-done');
      assert.equal(await page.textContent('.answer .confidence'), 'Confidence: 60% of the samples agree');
      const run2 = runInfo('run-io', { technique: 'io' });
      await panel.send({ type: 'runStarted', run: run2 });
      await page.waitForSelector('.answer', { state: 'hidden' });
      await panel.send({ type: 'graphEvents', runId: run2.runId, events: [{ type: 'runFinished', summary: { outcome: 'done', answer: '12', totals: sumTotals([], 900) } }] });
      await page.waitForSelector('.answer.outcome-done');
      assert.equal(await page.isVisible('.answer .confidence'), false, 'no confidence without a vote');
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('the CSP is enforced: an injected inline script is refused', async () => {
    const panel = await openWhole();
    const { page } = panel;
    try {
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.append(s);
      });
      await page.waitForFunction(() => (window as unknown as { __csp: string[] }).__csp.length > 0);
      assert.equal(await page.evaluate(() => (window as unknown as { __inline?: number }).__inline), undefined);
      assert.match((await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))[0], /script-src/);
    } finally {
      await panel.close();
    }
  });
});

// ---------------------------------------------------------------- image export

/** Ask the panel for an image the way the host does, and wait for its answer. */
async function requestImage(panel: Panel, runId: string, format: 'svg' | 'png', requestId = `req-${format}-${Date.now()}`): Promise<ImageExportResult> {
  await panel.send({ type: 'exportImage', requestId, runId, format });
  const handle = await panel.page.waitForFunction(
    (id) => ((window as unknown as { __posted: Array<{ type: string; requestId?: string }> }).__posted ?? []).find((m) => m.type === 'exportImageResult' && m.requestId === id),
    requestId,
    { timeout: 60_000 },
  );
  return (await handle.jsonValue()) as ImageExportResult;
}

/** A PNG's chunks, checked: signature, every CRC, IHDR first, IEND last; pixel rows inflated and counted. */
function decodePng(bytes: Buffer): { width: number; height: number; colourType: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    assert.equal(bytes.readUInt32BE(at + 8 + length), crc32(bytes.subarray(at + 4, at + 8 + length)), `CRC of ${type}`);
    chunks.push({ type, data });
    at += 12 + length;
  }
  assert.equal(chunks[0].type, 'IHDR');
  assert.equal(chunks[chunks.length - 1].type, 'IEND');
  const ihdr = chunks[0].data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bitDepth = ihdr[8];
  const colourType = ihdr[9];
  assert.equal(bitDepth, 8);
  const channels = ({ 2: 3, 6: 4 } as Record<number, number>)[colourType];
  assert.ok(channels, `colour type ${colourType}`);
  const pixels = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  assert.equal(pixels.length, height * (1 + width * channels), 'one filter byte and width pixels per row');
  return { width, height, colourType };
}

describe('graph export from the panel in headless Chromium', { timeout: 180_000 }, () => {
  test('SVG: standalone XML with the drawn labels, Mermaid style, theme background and nothing active; PNG: a real image at twice the size', async () => {
    const panel = await openWhole({ width: 520, height: 900 }, 'vscode-light');
    const { page } = panel;
    try {
      const { graph, summary } = smallGraph();
      for (const text of [HOSTILE_TEXTS[0], HOSTILE_TEXTS[8], HOSTILE_TEXTS[7]]) graph.addNode({ kind: 'thought', text }, [{ id: 'n0', kind: 'expand' }]);
      const run = runInfo('run-export');
      await panel.send({ type: 'restore', run, graph: graph.snapshot(), summary });
      // Asked before the draw has happened: the answer waits for it.
      const first = await requestImage(panel, run.runId, 'svg', 'req-first');
      assert.ok(first.ok, first.ok ? '' : first.error);
      assert.match(first.data, /<foreignObject/);
      const drawn = Object.values(await drawnLabels(page)).sort();
      assert.equal(drawn.length, graph.nodes().length);
      // The export does not trust the drawing to be clean: plant what graphView's sanitizer would have removed.
      await page.evaluate(() => {
        const svg = document.querySelector('.graph svg') as SVGSVGElement;
        svg.setAttribute('onload', 'window.__pwned=20');
        svg.querySelector('g.node')?.setAttribute('onclick', 'window.__pwned=21');
        svg.querySelector('foreignObject div')?.setAttribute('onmouseover', 'window.__pwned=22');
        svg.querySelector('foreignObject div')?.setAttribute('style', 'background:url(https://example.invalid/x.png)');
        const script = document.createElementNS('http://www.w3.org/2000/svg', 'script');
        script.textContent = 'window.__pwned=23';
        svg.append(script);
        const use = document.createElementNS('http://www.w3.org/2000/svg', 'use');
        use.setAttribute('href', 'https://example.invalid/sprite.svg#x');
        svg.append(use);
      });
      const svgReply = await requestImage(panel, run.runId, 'svg');
      assert.ok(svgReply.ok, svgReply.ok ? '' : svgReply.error);
      assert.equal(svgReply.format, 'svg');
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, 'export.svg'), svgReply.data);

      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const root = doc.documentElement;
        const all = [root, ...Array.from(root.querySelectorAll('*'))];
        const rect = root.querySelector(':scope > rect');
        return {
          parseError: doc.querySelector('parsererror')?.textContent ?? null,
          xmlDeclaration: text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'),
          root: root.localName,
          namespace: root.namespaceURI,
          width: root.getAttribute('width'),
          height: root.getAttribute('height'),
          viewBox: root.getAttribute('viewBox'),
          id: root.id,
          styles: Array.from(root.querySelectorAll('style')).map((s) => s.textContent ?? ''),
          rect: rect ? { fill: rect.getAttribute('fill'), x: rect.getAttribute('x'), y: rect.getAttribute('y'), width: rect.getAttribute('width'), height: rect.getAttribute('height') } : null,
          labels: Array.from(root.querySelectorAll('g.node')).map((g) => (g.textContent ?? '').replace(/\s+/g, ' ').trim()).sort(),
          foreignObjects: root.querySelectorAll('foreignObject').length,
          xhtml: Array.from(root.querySelectorAll('foreignObject > *')).every((el) => el.namespaceURI === 'http://www.w3.org/1999/xhtml'),
          active: root.querySelectorAll('script, img, image, iframe, object, embed, a').length,
          handlers: all.flatMap((el) => Array.from(el.attributes).filter((a) => a.name.toLowerCase().startsWith('on')).map((a) => `${el.localName} ${a.name}`)),
          externalLinks: all.flatMap((el) => Array.from(el.attributes).filter((a) => (/href$|^src$/i.test(a.name) && !a.value.startsWith('#')) || /url\(\s*['"]?\s*[^#'"\s)]/i.test(a.value)).map((a) => a.value)),
          panelAttributes: all.filter((el) => el.hasAttribute('tabindex') || el.hasAttribute('data-node-id') || el.classList.contains('inspected')).length,
          graphBackground: getComputedStyle(document.querySelector('.graph') as Element).backgroundColor,
        };
      }, svgReply.data);
      assert.equal(parsed.parseError, null);
      assert.ok(parsed.xmlDeclaration);
      assert.equal(parsed.root, 'svg');
      assert.equal(parsed.namespace, 'http://www.w3.org/2000/svg');
      const [, , vbWidth, vbHeight] = (parsed.viewBox ?? '').split(/[\s,]+/).map(Number);
      assert.ok(vbWidth > 100 && vbHeight > 100, parsed.viewBox ?? '');
      assert.equal(Number(parsed.width), Math.round(vbWidth * 1000) / 1000);
      assert.equal(Number(parsed.height), Math.round(vbHeight * 1000) / 1000);
      assert.equal(svgReply.width, vbWidth);
      assert.equal(svgReply.height, vbHeight);
      // Mermaid's own stylesheet, scoped by the diagram's id, travels inside the file.
      assert.ok(parsed.styles.some((css) => css.includes(`#${parsed.id}`) && css.includes('.node')), 'Mermaid style inline');
      // The light theme's editor background (the graph's), not the side bar's #f8f8f8.
      assert.equal(parsed.graphBackground, 'rgb(255, 255, 255)');
      assert.deepEqual(parsed.rect, { fill: 'rgb(255, 255, 255)', x: parsed.viewBox?.split(/[\s,]+/)[0], y: parsed.viewBox?.split(/[\s,]+/)[1], width: parsed.width, height: parsed.height });
      assert.deepEqual(parsed.labels, drawn, 'every drawn label, literally');
      for (const node of graph.nodes()) assert.ok(parsed.labels.includes(expectedLabel(node)), `label of ${node.id}`);
      assert.ok(parsed.foreignObjects > 0, 'HTML labels are kept');
      assert.ok(parsed.xhtml, 'label HTML is in the XHTML namespace');
      assert.equal(parsed.active, 0);
      assert.deepEqual(parsed.handlers, []);
      assert.deepEqual(parsed.externalLinks, []);
      assert.equal(parsed.panelAttributes, 0);

      const pngReply = await requestImage(panel, run.runId, 'png');
      // Chromium does not taint a canvas for an SVG data URL with <foreignObject>, so HTML labels rasterise.
      assert.ok(pngReply.ok, pngReply.ok ? '' : pngReply.error);
      const bytes = Buffer.from(pngReply.data, 'base64');
      writeFileSync(join(RESULTS, 'export.png'), bytes);
      const png = decodePng(bytes);
      assert.equal(png.width, Math.ceil(2 * vbWidth));
      assert.equal(png.height, Math.ceil(2 * vbHeight));
      assert.deepEqual([pngReply.width, pngReply.height], [png.width, png.height]);
      // Decoded by the browser: the corner is the background and the labels' dark text is drawn.
      const pixels = await page.evaluate(async (base64) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        context.drawImage(image, 0, 0);
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 200 && data[i + 3] === 255) dark++;
        return { width: image.naturalWidth, height: image.naturalHeight, corner: Array.from(data.slice(0, 4)), dark };
      }, pngReply.data);
      assert.deepEqual([pixels.width, pixels.height], [png.width, png.height]);
      assert.deepEqual(pixels.corner, [255, 255, 255, 255]);
      assert.ok(pixels.dark > 2000, `label text is drawn (${pixels.dark} dark pixels)`);

      // A request for a run the panel no longer shows is refused, not answered with another run's graph.
      const stale = await requestImage(panel, 'run-gone', 'svg');
      assert.deepEqual(stale, { type: 'exportImageResult', requestId: stale.requestId, format: 'svg', ok: false, error: 'the panel shows another run now' });
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
      // The only refusals are of what the test planted in the live drawing (the export itself needs none).
      const planted = /script-src-(attr|elem) inline|example\.invalid|inline event handler|inline script/;
      assert.deepEqual((await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).filter((v) => !planted.test(v)), []);
      assert.deepEqual(panel.problems.filter((p) => !planted.test(p)), []);
    } finally {
      await panel.close();
    }
  });

  test('"Export…" asks the host for the format choice of the shown run', async () => {
    const panel = await openWhole();
    try {
      const { graph, summary } = smallGraph();
      await panel.send({ type: 'restore', run: runInfo('run-menu'), graph: graph.snapshot(), summary });
      await panel.waitForGraph(graph.nodes().length);
      await panel.page.click('vscode-button:has-text("Export…")');
      assert.deepEqual((await panel.posted()).at(-1), { type: 'exportRun', runId: 'run-menu' });
    } finally {
      await panel.close();
    }
  });
});

/**
 * A tree search of exactly `total` nodes: beams of 4, each parent with 10 children of which 2 are
 * selected and 8 pruned, then an answer. Some counts estimated, some prices unknown, hostile text in
 * pruned nodes.
 */
function prunedTree(total = 1000): ThoughtGraph {
  const graph = new ThoughtGraph();
  const q = graph.addNode({ kind: 'question', text: 'Plan the rollout of the migration' });
  let beam = [q.id];
  let made = 1;
  let level = 0;
  while (made < total - 1) {
    level++;
    const next: string[] = [];
    for (const parent of beam) {
      for (let k = 0; k < 10 && made < total - 1; k++) {
        const text = k === 9 ? `<img src=x onerror="window.__pwned=20"> "]; click ${parent} call evil() ${made}` : `Level ${level} option ${k} under ${parent}`;
        const node = graph.addNode({ kind: 'thought', text }, [{ id: parent, kind: 'expand' }]);
        made++;
        const estimated = made % 13 === 0;
        graph.recordCall(node.id, call('propose', `p ${made}`, `r ${made}`, 50 + (made % 17), 5 + (made % 7), {
          usage: { promptTokens: 50 + (made % 17), completionTokens: 5 + (made % 7), estimated },
          ...(made === 500 ? { costUsd: null } : {}),
        }));
        graph.update(node.id, { status: k < 2 ? 'selected' : 'pruned', score: 10 - k });
        if (k < 2) next.push(node.id);
      }
    }
    beam = next.slice(0, 4);
  }
  const answer = graph.addNode({ kind: 'answer', text: 'Roll out service by service.' }, [{ id: beam[0], kind: 'answer' }]);
  graph.update(answer.id, { status: 'selected' });
  assert.equal(graph.nodes().length, total);
  return graph;
}

/** The pruned children of each parent, and the label their summary should show (summed by hand here). */
function expectedSummaries(graph: ThoughtGraph): Map<string, { ids: string[]; label: string }> {
  const byParent = new Map<string, ThoughtNode[]>();
  const snapshot = graph.snapshot();
  for (const edge of snapshot.edges) {
    const child = graph.get(edge.to);
    if (child.status === 'pruned') byParent.set(edge.from, [...(byParent.get(edge.from) ?? []), child]);
  }
  const out = new Map<string, { ids: string[]; label: string }>();
  for (const [parent, nodes] of byParent) {
    if (nodes.length < 2) continue;
    const sums = sumTotals(nodes, 0);
    const mark = sums.estimated ? '~' : '';
    out.set(parent, { ids: nodes.map((n) => n.id), label: `+${nodes.length} pruned · ${mark}${sums.promptTokens} in / ${mark}${sums.completionTokens} out · ${formatUsd(sums.costUsd)}` });
  }
  return out;
}

describe('large graphs in headless Chromium: pruned subtrees collapsed', { timeout: 240_000 }, () => {
  test('a 1,000-node run draws its pruned siblings as one summary per parent; clicking one expands it', async () => {
    const panel = await openWhole({ width: 900, height: 1200 });
    const { page } = panel;
    try {
      const graph = prunedTree();
      const summaries = expectedSummaries(graph);
      const pruned = graph.nodes().filter((n) => n.status === 'pruned').length;
      const drawn = 1000 - pruned + summaries.size;
      assert.ok(summaries.size > 50 && drawn < 400, `${summaries.size} summaries, ${drawn} drawn`);
      const run = runInfo('run-1000');
      await panel.send({ type: 'restore', run, graph: graph.snapshot() });
      await panel.waitForGraph(drawn);
      assert.equal(await page.getAttribute('.graph', 'data-graph-nodes'), '1000');
      assert.equal(await page.getAttribute('.graph', 'data-collapsed'), String(summaries.size));

      const shown = await page.evaluate(() => {
        const text = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim();
        return {
          nodes: Array.from(document.querySelectorAll('.graph svg g.node[data-node-id]')).map((el) => el.getAttribute('data-node-id') as string),
          summaries: Object.fromEntries(Array.from(document.querySelectorAll('.graph svg g.node[data-pruned-parent]')).map((el) => [el.getAttribute('data-pruned-parent') as string, text(el)])) as Record<string, string>,
        };
      });
      assert.deepEqual(shown.nodes.sort(), graph.nodes().filter((n) => n.status !== 'pruned').map((n) => n.id).sort(), 'every node but the pruned ones');
      assert.deepEqual(Object.keys(shown.summaries).sort(), [...summaries.keys()].sort());
      for (const [parent, expected] of summaries) assert.equal(shown.summaries[parent], expected.label, `summary under ${parent}`);
      assert.ok(Object.values(shown.summaries).some((label) => label.includes('~')), 'estimated sums are marked');
      assert.ok(Object.values(shown.summaries).some((label) => label.endsWith('price unknown')), 'an unknown price stays unknown');
      assert.equal(await page.isVisible('vscode-button.pruned-toggle'), true);
      assert.equal(await page.textContent('vscode-button.pruned-toggle'), 'Show pruned');

      // A change the drawing does not show (a node's prompt) is not redrawn; a visible one is.
      const renders = Number(await page.getAttribute('.graph', 'data-renders'));
      const visible = graph.nodes()[1];
      await panel.send({ type: 'graphEvents', runId: run.runId, events: [{ type: 'nodeUpdated', node: { ...visible, prompt: 'changed, not drawn' } }] });
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.graph')?.dataset.pending === 'false');
      assert.equal(Number(await page.getAttribute('.graph', 'data-renders')), renders, 'no render for an invisible change');

      // Clicking a summary expands that parent only.
      const [parent, expected] = [...summaries][3];
      await page.click(`.graph g.node[data-pruned-parent="${parent}"]`);
      await panel.waitForGraph(drawn - 1 + expected.ids.length);
      assert.equal(await page.getAttribute('.graph', 'data-collapsed'), String(summaries.size - 1));
      for (const id of expected.ids) assert.equal(await page.locator(`.graph g.node[data-node-id="${id}"]`).count(), 1, `${id} drawn after expanding`);
      assert.equal(await page.locator(`.graph g.node[data-pruned-parent="${parent}"]`).count(), 0);
      const hostile = expected.ids.map((id) => graph.get(id)).find((n) => n.text.startsWith('<img')) as ThoughtNode;
      assert.equal((await drawnLabels(page))[hostile.id], expectedLabel(hostile), 'hostile text of an expanded node shows literally');
      await page.click(`.graph g.node[data-node-id="${expected.ids[0]}"]`);
      await page.waitForSelector('.inspector:not([hidden])');
      assert.ok(((await page.textContent('.inspector')) ?? '').includes(graph.get(expected.ids[0]).text), 'an expanded node opens in the inspector');
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });

  test('a live run: a slow render makes the next one wait its excess over 250 ms, the last batch always drawn; Show pruned; small graphs hide the toggle', async () => {
    const panel = await openWhole();
    const { page } = panel;
    try {
      const graph = prunedTree(400);
      const snapshot = graph.snapshot();
      // Every render's start and end (performance.now() in the page), as the panel reports them.
      await page.evaluate(() => {
        const host = document.querySelector('.graph') as HTMLElement;
        const log: string[] = ((window as unknown as { __renders: string[] }).__renders = []);
        new MutationObserver(() => {
          if (host.dataset.lastRender && log.at(-1) !== host.dataset.lastRender) log.push(host.dataset.lastRender);
        }).observe(host, { attributes: true, attributeFilter: ['data-last-render'] });
      });
      const run = runInfo('run-live');
      await panel.send({ type: 'runStarted', run });
      // Replay the finished graph as a live run: every node added running, then its final state.
      const live: GraphEvent[] = [];
      for (const node of snapshot.nodes) {
        live.push({ type: 'nodeAdded', node: { ...node, status: 'running' }, parents: snapshot.edges.filter((e) => e.to === node.id) });
        live.push({ type: 'nodeUpdated', node });
      }
      for (const chunk of batches(live, 100)) {
        await panel.send({ type: 'graphEvents', runId: run.runId, events: chunk });
        await page.waitForTimeout(50); // the host sends a batch at most every 50 ms
      }
      const summaries = expectedSummaries(graph);
      const pruned = graph.nodes().filter((n) => n.status === 'pruned').length;
      const drawn = 400 - pruned + summaries.size;
      await panel.waitForGraph(drawn);
      assert.equal(await page.getAttribute('.graph', 'data-graph-nodes'), '400', 'the final state is drawn');
      const log = (await page.evaluate(() => (window as unknown as { __renders: string[] }).__renders)).map((entry) => entry.split(',').map(Number));
      assert.ok(log.length >= 2, `${log.length} renders`);
      assert.ok(log.length < live.length / 100, `${log.length} renders for ${Math.ceil(live.length / 100)} batches`);
      // Each render starts at least 25 ms after the previous one ended, and after a render slower than
      // 250 ms, also at least the difference (graphView.ts: DEBOUNCE_MS, FAST_RENDER_MS).
      for (let i = 1; i < log.length; i++) {
        const [start, end] = log[i - 1];
        const pause = log[i][0] - end;
        assert.ok(pause >= Math.max(25, end - start - 250) - 1, `render ${i + 1} started ${pause.toFixed(0)} ms after a render of ${(end - start).toFixed(0)} ms`);
      }

      // Show pruned: every node; Collapse pruned: back to the summaries.
      await page.click('vscode-button.pruned-toggle');
      await panel.waitForGraph(400);
      assert.equal(await page.getAttribute('.graph', 'data-collapsed'), '0');
      assert.equal(await page.textContent('vscode-button.pruned-toggle'), 'Collapse pruned');
      await page.click('vscode-button.pruned-toggle');
      await panel.waitForGraph(drawn);
      assert.equal(await page.getAttribute('.graph', 'data-collapsed'), String(summaries.size));

      const { graph: small, summary } = smallGraph();
      await panel.send({ type: 'restore', run: runInfo('run-small-after'), graph: small.snapshot(), summary });
      await panel.waitForGraph(small.nodes().length);
      assert.equal(await page.isVisible('vscode-button.pruned-toggle'), false, 'nothing to collapse in a small graph');
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });
  test('a large graph is drawn in slices: the panel draws frames while it renders; lanes keep Mermaid’s dagre layout', async () => {
    const panel = await openWhole({ width: 900, height: 1200 });
    const { page } = panel;
    try {
      // Animation frames the page drew (their performance.now() times).
      await page.evaluate(() => {
        const frames: number[] = ((window as unknown as { __frames: number[] }).__frames = []);
        const tick = () => {
          frames.push(performance.now());
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      const { graph } = bigGraph();
      await panel.send({ type: 'restore', run: runInfo('run-sliced'), graph: graph.snapshot() });
      await showPruned(panel);
      await panel.waitForGraph(100);
      assert.equal(await page.getAttribute('.graph svg', 'data-layout'), 'thoughtscope-sliced');
      const [start, end] = ((await page.getAttribute('.graph', 'data-last-render')) ?? '').split(',').map(Number);
      const during = await page.evaluate(([a, b]) => (window as unknown as { __frames: number[] }).__frames.filter((t) => t > a && t < b).length, [start, end]);
      // Mermaid's own layout draws in one task: then the only frame inside a render is the one before
      // the finished SVG is adopted.
      assert.ok(during >= 2, `${during} frames drawn during a render of ${(end - start).toFixed(0)} ms`);

      // A debate with lanes: Mermaid's dagre layout draws the lanes as subgraphs.
      const debate = new ThoughtGraph();
      const q = debate.addNode({ kind: 'question', text: 'Is 91 prime?' });
      for (const lane of ['alice', 'bob', 'carol']) debate.addNode({ kind: 'thought', text: `${lane}: 91 = 7 x 13`, meta: { lane } }, [{ id: q.id, kind: 'expand' }]);
      await panel.send({ type: 'restore', run: runInfo('run-lanes', { technique: 'eot' }), graph: debate.snapshot() });
      await panel.waitForGraph(4);
      assert.equal(await page.getAttribute('.graph svg', 'data-layout'), null);
      assert.equal(await page.locator('.graph svg g.cluster').count(), 3);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });
  test('a run started while the previous graph is still being drawn: the old drawing never appears', async () => {
    const panel = await openWhole({ width: 900, height: 1200 });
    const { page } = panel;
    try {
      const { graph } = bigGraph();
      // The render gives way to messages: the next run starts in the middle of it. The page posts it
      // itself the moment the render begins (a round trip from the test could arrive after a fast
      // render ended), and from then on records every drawing put in the panel, by its number of nodes.
      await page.evaluate((message) => {
        const box = document.querySelector('.graph') as HTMLElement;
        const w = window as unknown as { __drawn: number[]; __stateWhenPosted?: string };
        w.__drawn = [];
        const post = () => {
          w.__stateWhenPosted = box.dataset.state;
          new MutationObserver(() => {
            const svg = box.querySelector('svg');
            if (svg && w.__drawn.at(-1) !== svg.querySelectorAll('g.node').length) w.__drawn.push(svg.querySelectorAll('g.node').length);
          }).observe(box, { childList: true });
          window.postMessage(message, '*');
        };
        const watch = new MutationObserver(() => {
          if (box.dataset.state !== 'rendering') return;
          watch.disconnect();
          post();
        });
        watch.observe(box, { attributes: true, attributeFilter: ['data-state'] });
      }, { type: 'runStarted', run: runInfo('run-new') } as HostToWebview);
      await panel.send({ type: 'restore', run: runInfo('run-old'), graph: graph.snapshot() });
      await page.waitForFunction(() => (window as unknown as { __stateWhenPosted?: string }).__stateWhenPosted !== undefined);
      assert.equal(await page.evaluate(() => (window as unknown as { __stateWhenPosted?: string }).__stateWhenPosted), 'rendering', 'the new run started during the render');
      const next = new ThoughtGraph();
      const events = recorder(next);
      next.addNode({ kind: 'question', text: 'The new question' });
      await panel.send({ type: 'graphEvents', runId: 'run-new', events });
      await panel.waitForGraph(1);
      assert.equal(await page.locator('.graph svg g.node').count(), 1);
      assert.match((await page.textContent('.graph svg')) ?? '', /The new question/);
      const drawn = await page.evaluate(() => (window as unknown as { __drawn: number[] }).__drawn);
      assert.ok(drawn.every((n) => n <= 1), `the old run's drawing never appeared after the new run started (drawings of ${drawn.join(', ')} nodes)`);
      assert.deepEqual(panel.problems, []);
    } finally {
      await panel.close();
    }
  });
});
