// End to end in code-server: "Thoughtscope: Start Proxy" runs the OpenAI-compatible server inside
// the extension. A client (the real openai SDK, as Continue or a script would use it) sends a
// cot-sc request; while the upstream holds its answer, the Thought Graph view already shows the
// request's graph; then the answer streams back, the view shows it done, the Runs view lists the
// run, and its OpenTelemetry trace reaches a loopback OTLP receiver (thoughtscope.otel.endpoint).
// "Stop Proxy" closes the port. Screenshots go to test-results/e2e/proxy-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlpReceiver';
import { freePort, startCodeServer, type CodeServer } from './codeServer';
import { drawnNodes, outcome, settledNodeCount } from './panel';
import { launchBrowser, openWorkbench, panelFrame, QUIET_WORKBENCH_SETTINGS, RESULTS, runCommand, screenshot, SLOW, toasts, until, withFailureScreenshot } from './workbench';

const MODEL = 'e2e-proxy';
const QUESTION = 'How many sides does a hexagon have?';

let upstream: FakeServer;
let receiver: OtlpReceiver;
let codeServer: CodeServer;
let browser: Browser;
let page: Page;
let port: number;
/** While set, the upstream holds its answers until it settles. */
let held: Promise<void> | undefined;

before(async () => {
  upstream = await startFakeServer(async (req) => {
    if (held) await held;
    return { choices: ['A hexagon has six sides.\nAnswer: 6'] };
  });
  receiver = await startOtlpReceiver();
  port = await freePort();
  browser = await launchBrowser();
  codeServer = await startCodeServer({
    settings: {
      ...QUIET_WORKBENCH_SETTINGS,
      'thoughtscope.baseUrl': upstream.baseUrl,
      'thoughtscope.model': MODEL,
      'thoughtscope.pricing': { [MODEL]: { input: 1, output: 2 } },
      'thoughtscope.proxy.port': port,
      'thoughtscope.proxy.tokenRequired': false,
      'thoughtscope.otel.endpoint': receiver.endpoint,
      'thoughtscope.otel.protocol': 'http/json',
    },
    files: { 'notes.md': '# Notes\n' },
  });
  page = await openWorkbench(browser, codeServer.url);
});

after(async () => {
  await page?.context().close();
  await codeServer?.stop(join(RESULTS, 'logs-proxy'));
  await browser?.close();
  await upstream?.close();
  await receiver?.close();
});

describe('Thoughtscope: Start Proxy in code-server', { timeout: 10 * 60_000 }, () => {
  test('a request to the proxy is drawn live, answered, saved and traced; Stop Proxy closes the port', () =>
    withFailureScreenshot(() => page, 'proxy', async () => {
      await runCommand(page, 'Thoughtscope: Start Proxy');
      const baseUrl = `http://127.0.0.1:${port}/v1`;
      await toasts(page).filter({ hasText: `proxy listening at ${baseUrl}` }).first().waitFor({ timeout: SLOW });
      await page.locator('.statusbar-item', { hasText: `Proxy :${port}` }).waitFor({ timeout: SLOW });
      await runCommand(page, 'Thoughtscope: Focus on Thought Graph View');
      const view = await panelFrame(page);

      const client = new OpenAI({ baseURL: baseUrl, apiKey: 'unused', maxRetries: 0 });
      const models = [];
      for await (const m of client.models.list()) models.push(m.id);
      assert.ok(models.includes(`cot-sc:${MODEL}`), models.join(', '));

      let release = () => {};
      held = new Promise<void>((resolve) => (release = resolve));
      const answer = (async () => {
        const stream = await client.chat.completions.create({ model: `cot-sc:${MODEL}`, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: QUESTION }], thoughtscope: { samples: 3 } } as never) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk & { thoughtscope?: { run_id: string } }>;
        let text = '';
        let usage: OpenAI.CompletionUsage | undefined;
        let id = '';
        for await (const chunk of stream) {
          id = chunk.id;
          text += chunk.choices[0]?.delta.content ?? '';
          usage = chunk.usage ?? usage;
        }
        return { text, usage, id };
      })();

      // The upstream has not answered: the view shows the request's run in progress.
      await until('the proxy request drawn in the Thought Graph view while it runs', async () => {
        const technique = await view.locator('.header .technique').textContent();
        const nodes = await drawnNodes(view);
        return technique === 'CoT with Self-Consistency (proxy)' && nodes.some((n) => n.text.startsWith(QUESTION)) && (await outcome(view)) === undefined;
      });
      await screenshot(page, 'proxy-live');
      assert.equal(upstream.requests.length, 1, 'one upstream request with n = 3');
      release();
      held = undefined;

      const result = await answer;
      assert.equal(result.text, '6');
      assert.equal(result.usage?.prompt_tokens, upstream.reported.promptTokens);
      await until('the view shows the run done', async () => (await outcome(view)) === 'done' && ((await settledNodeCount(view)) ?? 0) > 3);
      assert.equal(await view.locator('section.answer pre.answer-text').textContent(), '6');
      await screenshot(page, 'proxy-done');

      // Saved to the Runs view.
      const runsPane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
      const header = runsPane.locator('.pane-header');
      if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
      await until('the proxy run in the Runs view', async () => (await runsPane.locator('.monaco-list-row', { hasText: `cot-sc · ${QUESTION}` }).count()) === 1);

      // Traced: the run's root span names the request it served.
      const spans = await receiver.waitFor(1 + 5, 30_000);
      const root = spans.find((s) => s.parentSpanId === '' && s.attributes['thoughtscope.request_id'] === result.id);
      assert.ok(root, `a root span for ${result.id}: ${spans.map((s) => s.name).join(', ')}`);
      assert.equal(root.name, 'invoke_workflow cot-sc');
      assert.equal(root.attributes['thoughtscope.served_model'], `cot-sc:${MODEL}`);
      assert.ok(spans.some((s) => s.name === `chat ${MODEL}` && s.attributes['gen_ai.usage.input_tokens'] === upstream.reported.promptTokens));

      await runCommand(page, 'Thoughtscope: Stop Proxy');
      await toasts(page).filter({ hasText: 'proxy stopped' }).first().waitFor({ timeout: SLOW });
      await assert.rejects(fetch(`${baseUrl}/models`), 'the port is closed');
    }));
});
