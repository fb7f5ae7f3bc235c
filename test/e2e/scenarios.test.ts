// End to end in a real VS Code: code-server 4.100.3 (the VS Code 1.100 workbench and extension host)
// with the packaged extension, driven in headless Debian Chromium like a person would, against a
// loopback OpenAI-compatible server scripted as a Game of 24 model. The scenarios share one
// code-server and run in order; each leaves a screenshot in test-results/e2e/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { formatUsd } from '../../src/core/pricing';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { freePort, startCodeServer, type CodeServer } from './codeServer';
import { classify, game24Handler, game24Reply, SCRIPT, SOLVABLE, SOLVABLE_ANSWER } from './game24Model';
import { drawnNodes, headerTotals, outcome, settledNodeCount } from './panel';
import {
  answerInputBox,
  clearNotifications,
  contextMenu,
  editUserSettings,
  errorToasts,
  launchBrowser,
  openFile,
  openWorkbench,
  panelFrame,
  QUIET_WORKBENCH_SETTINGS,
  RESULTS,
  runCommand,
  screenshot,
  selectionCenter,
  selectLine,
  SLOW,
  toasts,
  until,
  widenSideBar,
  withFailureScreenshot,
} from './workbench';

const API_KEY = 'sk-e2e-correct-key';
const MODEL = 'e2e-24';
/** USD per million tokens, set through thoughtscope.pricing. */
const PRICE = { input: 2, output: 8 };
/** The cancel scenario's puzzle: its value calls never get an answer. */
const HANGING = '1 2 3 4';
const HANGING_STATES = new Set(SCRIPT.proposals[HANGING].map((line) => /\(left: ([^)]*)\)/.exec(line)?.[1]));
const FILE = 'puzzles.txt';
/** Program of Thoughts: the question, the program the scripted model writes, and what it prints. */
const POT_QUESTION = 'What is the product of 987654321987654321 and 123456789123456789?';
const POT_PROGRAM = 'a = 987654321987654321\nb = 123456789123456789\nprint(a * b)';
const POT_PRODUCT = (987654321987654321n * 123456789123456789n).toString();
const FILE_TEXT = `Game of 24 puzzles\n${SOLVABLE}\n${HANGING}\n${POT_QUESTION}\n`;

function potReply(prompt: string): string | undefined {
  return prompt.includes('Write a Python 3 program') && prompt.endsWith(`Question: ${POT_QUESTION}`) ? `\`\`\`python\n${POT_PROGRAM}\n\`\`\`` : undefined;
}

let server: FakeServer;
let codeServer: CodeServer;
let browser: Browser;
let page: Page;
let logsDir: string;
/** While set, the model holds its answers until the test is watching the panel. */
let held: Promise<void> | undefined;

function settings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...QUIET_WORKBENCH_SETTINGS,
    'thoughtscope.baseUrl': server.baseUrl,
    'thoughtscope.model': MODEL,
    'thoughtscope.task': 'game24',
    'thoughtscope.pricing': { [MODEL]: PRICE },
    'thoughtscope.techniques.tot.breadth': 1,
    ...overrides,
  };
}

async function applySettings(overrides: Record<string, unknown>): Promise<void> {
  await editUserSettings(page, settings(overrides));
  // The saved file reaches the extension host asynchronously; nothing on screen says when.
  await page.waitForTimeout(1500);
}

async function setApiKey(key: string): Promise<void> {
  await runCommand(page, 'Thoughtscope: Set API Key');
  const input = await answerInputBox(page, 'Thoughtscope: Set API Key', key);
  assert.equal(await input.getAttribute('type'), 'password', 'the key is typed into a password box');
  await toasts(page).filter({ hasText: 'API key saved in secret storage' }).first().waitFor({ timeout: SLOW });
}

/** Select a line of the workspace file in the editor and choose `item` from its context menu (or that menu's `submenu`). */
async function onSelection(line: string, item: string, submenu?: string): Promise<void> {
  await clearNotifications(page);
  await openFile(page, FILE);
  await selectLine(page, line);
  await contextMenu(page, await selectionCenter(page), item, submenu);
}

async function reasonWithTot(puzzle: string): Promise<void> {
  await onSelection(puzzle, 'Reason with ToT');
}

/** The editor's lines in document order (the DOM keeps rendered lines in any order). */
async function editorLines(): Promise<string[]> {
  const lines = await page.locator('.editor-instance .monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els.map((e) => ({ top: parseFloat((e as HTMLElement).style.top) || 0, text: (e.textContent ?? '').replace(/\u00a0/g, ' ') })),
  );
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text);
}

/**
 * Wait until the panel shows the run ended with `expected` (and, optionally, an error box matching
 * `error`); returns the panel's frame. The frame is looked up on every poll: the workbench recreates
 * a webview when its view container's layout changes (e.g. another view in it gets content).
 */
async function waitForOutcome(expected: string, error?: RegExp): Promise<Frame> {
  return until(`the run to end "${expected}" in the panel`, async () => {
    const frame = await panelFrame(page, 5000);
    if ((await outcome(frame)) !== expected) return undefined;
    if (error && !error.test((await frame.locator('.error-box').textContent()) ?? '')) return undefined;
    return frame;
  }, 2 * SLOW);
}

function nodeCost(usage: { promptTokens: number; completionTokens: number }): number {
  return (usage.promptTokens * PRICE.input + usage.completionTokens * PRICE.output) / 1e6;
}

/** No stack trace: no "at fn (file:line)" frames, no source positions. */
function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /\n\s*at\s|\bat .+:\d+:\d+|\.(?:js|ts):\d+/, `no stack trace in: ${text}`);
}

/** A scenario that leaves a screenshot of the workbench when it fails, for the test report. */
function scenario(name: string, shot: string, fn: () => Promise<void>): void {
  test(name, () => withFailureScreenshot(() => page, shot, fn));
}

before(async () => {
  server = await startFakeServer(
    game24Handler({
      apiKey: API_KEY,
      delayMs: 250,
      gate: () => held ?? Promise.resolve(),
      otherReply: potReply,
      hangs: (req) => {
        if (potReply(req.prompt) !== undefined) return false;
        const { kind, numbers } = classify(req.prompt);
        return kind === 'value' && HANGING_STATES.has(numbers);
      },
    }),
  );
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Start code-server with these settings on a fresh workspace and open it in a new browser page. */
async function openInstance(overrides: Record<string, unknown>, logs: string): Promise<void> {
  codeServer = await startCodeServer({ settings: settings(overrides), files: { [FILE]: FILE_TEXT } });
  logsDir = join(RESULTS, logs);
  page = await openWorkbench(browser, codeServer.url);
  await widenSideBar(page, 640);
}

async function closeInstance(): Promise<void> {
  await page?.context().close();
  await codeServer?.stop(logsDir);
}

describe('Thoughtscope in code-server', { timeout: 15 * 60_000 }, () => {
  before(() => openInstance({}, 'logs'));
  after(closeInstance);

  scenario('1. select a puzzle, right-click "Reason with ToT": the graph grows with tokens and cost on every node, totals add up, the answer appears', '1-reason-with-tot', async () => {
    await setApiKey(API_KEY);
    let release = () => {};
    held = new Promise<void>((resolve) => (release = resolve));
    await reasonWithTot(SOLVABLE);

    // The Thoughtscope view opens in the side bar and shows the question while the model thinks.
    await page.locator('.part.sidebar .composite.title', { hasText: /thoughtscope/i }).waitFor({ timeout: SLOW });
    let frame = await panelFrame(page);
    await until('the question to be drawn', async () => (await settledNodeCount(frame)) === 1);
    assert.equal((await drawnNodes(frame))[0].text, `${SOLVABLE} running`, 'the question is drawn, its call in flight');
    held = undefined;
    release();

    // From here the graph grows call by call: record the node counts drawn along the way.
    const counts: number[] = [];
    const deadline = Date.now() + 2 * SLOW;
    while (Date.now() < deadline) {
      try {
        const count = await settledNodeCount(frame);
        if (count !== undefined && count !== counts[counts.length - 1]) counts.push(count);
        if (await outcome(frame)) break;
      } catch {
        frame = await panelFrame(page); // the webview was recreated
      }
      await page.waitForTimeout(50);
    }
    frame = await waitForOutcome('done');
    await until('the final graph to be drawn', async () => (await settledNodeCount(frame)) || undefined);
    // Pruned siblings are folded into "+N pruned" nodes; Show pruned draws every node.
    const showPruned = frame.locator('vscode-button.pruned-toggle');
    if ((await showPruned.isVisible()) && (await showPruned.textContent()) === 'Show pruned') await showPruned.click();
    const finalCount = await until('every node to be drawn', async () => ((await settledNodeCount(frame)) === 11 ? 11 : undefined));

    // Question, 3 + 3 + 2 proposals, the final step, the answer.
    assert.equal(finalCount, 11);
    assert.ok(counts.filter((c) => c > 0 && c < finalCount).length >= 3, `the graph grew node by node (drawn counts: ${counts.join(', ')})`);

    const nodes = await drawnNodes(frame);
    assert.equal(nodes.length, 11);
    // Drawn by the panel's sliced layout (a Mermaid layout that yields to the browser between slices).
    assert.equal(await frame.locator('.graph svg').getAttribute('data-layout'), 'thoughtscope-sliced');
    const answerNode = nodes.find((n) => n.text.startsWith(SOLVABLE_ANSWER));
    assert.ok(answerNode, 'the answer is drawn as a node');
    for (const node of nodes.filter((n) => n !== answerNode)) {
      assert.ok(node.usage, `node ${node.id} shows tokens and cost: "${node.text}"`);
      assert.equal(node.usage.cost, formatUsd(nodeCost(node.usage)), `node ${node.id} cost is priced from its tokens`);
    }

    // Header totals = the sum over the nodes = what the server reported.
    const shown = nodes.flatMap((n) => (n.usage ? [n.usage] : []));
    const header = await headerTotals(frame);
    assert.equal(header.promptTokens, shown.reduce((s, u) => s + u.promptTokens, 0));
    assert.equal(header.completionTokens, shown.reduce((s, u) => s + u.completionTokens, 0));
    assert.equal(header.promptTokens, server.reported.promptTokens);
    assert.equal(header.completionTokens, server.reported.completionTokens);
    assert.equal(header.calls, server.requests.length);
    assert.ok(header.cost !== null && Math.abs(header.cost - shown.reduce((s, u) => s + nodeCost(u), 0)) < 1e-12, `header cost ${header.cost}`);
    assert.equal(header.costText, formatUsd(header.cost));
    assert.match(header.tokensText, /^[\d,]+ in \/ [\d,]+ out$/);

    // The answer, in the panel and in a notification.
    assert.equal(await frame.locator('section.answer pre.answer-text').textContent(), SOLVABLE_ANSWER);
    await toasts(page).filter({ hasText: `Tree of Thoughts answer: ${SOLVABLE_ANSWER}` }).first().waitFor({ timeout: SLOW });

    // The key set through the command reached the server, as a Bearer token, on every request.
    assert.ok(server.requests.length > 0);
    for (const req of server.requests) assert.equal(req.headers.authorization, `Bearer ${API_KEY}`);
    await screenshot(page, '1-reason-with-tot');
  });

  scenario('3. clicking a node opens the inspector with its full prompt and response', '3-inspector', async () => {
    const frame = await panelFrame(page);
    const nodes = await drawnNodes(frame);
    const step = nodes.find((n) => n.text.startsWith(SCRIPT.proposals[SOLVABLE][0]));
    assert.ok(step, 'the first selected step is drawn');
    await frame.locator(`.graph g.node[data-node-id="${step.id}"]`).click();

    const inspector = frame.locator('section.inspector');
    await inspector.waitFor({ state: 'visible', timeout: SLOW });
    assert.match((await inspector.locator('h2').textContent()) ?? '', new RegExp(`^${step.id} · thought`));
    assert.equal(await inspector.locator('pre.node-text').textContent(), SCRIPT.proposals[SOLVABLE][0]);

    // Its value call: the exact prompt the server received, and all three sampled responses.
    const sent = server.requests.find((r) => classify(r.prompt).kind === 'value' && classify(r.prompt).numbers === '4 4 10');
    assert.ok(sent, 'the value prompt of "4 4 10" was sent');
    const call = inspector.locator('details.call', { hasText: 'value' });
    assert.equal(await call.count(), 1);
    assert.equal(await call.locator('pre.prompt').textContent(), sent.prompt);
    const responses = await call.locator('pre.response').allTextContents();
    assert.deepEqual(responses, [game24Reply(sent.prompt), game24Reply(sent.prompt), game24Reply(sent.prompt)]);
    await inspector.scrollIntoViewIfNeeded();
    await screenshot(page, '3-inspector');
  });

  scenario('2. cancelling a long run marks the in-flight nodes cancelled and sends nothing more', '2-cancel', async () => {
    const abortsBefore = server.clientAborts;
    await reasonWithTot(HANGING);
    let frame = await panelFrame(page);

    // Three value calls hang: their nodes are drawn as running.
    const running = await until('three nodes in flight', async () => {
      const nodes = (await drawnNodes(frame)).filter((n) => /· running$/.test(n.text) || / running$/.test(n.text));
      return nodes.length === 3 && server.open === 3 ? nodes : undefined;
    });
    const sentBeforeCancel = server.requests.length;
    await screenshot(page, '2-cancel-before');

    await frame.getByRole('button', { name: 'Cancel the run' }).click();
    frame = await waitForOutcome('cancelled');
    await until('the cancelled graph to be drawn', async () => {
      const nodes = await drawnNodes(frame);
      return running.every((r) => nodes.find((n) => n.id === r.id)?.text.endsWith('cancelled')) ? true : undefined;
    });
    const nodes = await drawnNodes(frame);
    assert.ok(!nodes.some((n) => n.text.endsWith('running')), 'nothing is left drawn as running');
    assert.match((await frame.locator('.header .run-status').textContent()) ?? '', /cancelled/);
    await toasts(page).filter({ hasText: 'Tree of Thoughts run cancelled' }).first().waitFor({ timeout: SLOW });

    // The hanging requests were aborted by the client, and nothing more arrives afterwards.
    await until('the in-flight requests to be closed', async () => server.open === 0);
    assert.equal(server.clientAborts - abortsBefore, 3);
    await page.waitForTimeout(3000);
    assert.equal(server.requests.length, sentBeforeCancel, 'no request after the cancel');
    await screenshot(page, '2-cancel');
  });

  scenario('5. an unreachable base URL and a wrong key each give one clear error, no stack trace, and the view stays usable', '5-bad-config', async () => {
    // Unreachable: a loopback port nobody listens on.
    const unreachable = `http://127.0.0.1:${await freePort()}/v1`;
    await applySettings({ 'thoughtscope.baseUrl': unreachable, 'thoughtscope.maxRetries': 1 });
    const sentBefore = server.requests.length;
    await reasonWithTot(SOLVABLE);
    let frame = await waitForOutcome('failed', /Cannot reach/);
    const unreachableToast = errorToasts(page).first();
    await unreachableToast.waitFor({ timeout: SLOW });
    await page.waitForTimeout(1500);
    assert.equal(await errorToasts(page).count(), 1, 'exactly one error notification');
    const unreachableText = (await unreachableToast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(unreachableText, /^Thoughtscope: Cannot reach .*127\.0\.0\.1.*check the base URL/);
    assertNoStack(unreachableText);
    assert.match((await frame.locator('.error-box').textContent()) ?? '', /Cannot reach/);
    assert.equal(server.requests.length, sentBefore, 'nothing reached the configured server');
    await screenshot(page, '5-unreachable');

    // A wrong key: the server answers 401.
    await applySettings({});
    await setApiKey('sk-e2e-wrong-key');
    await reasonWithTot(SOLVABLE);
    frame = await waitForOutcome('failed', /rejected the API key/);
    const authToast = errorToasts(page).first();
    await authToast.waitFor({ timeout: SLOW });
    await page.waitForTimeout(1500);
    assert.equal(await errorToasts(page).count(), 1, 'exactly one error notification');
    const authText = (await authToast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(authText, /^Thoughtscope: .*rejected the API key \(HTTP 401\).*Set API Key/);
    assertNoStack(authText);
    assert.equal(server.requests[server.requests.length - 1].headers.authorization, 'Bearer sk-e2e-wrong-key');
    await screenshot(page, '5-wrong-key');

    // The view is still usable: with the right key the same view shows a full run again.
    await setApiKey(API_KEY);
    await reasonWithTot(SOLVABLE);
    frame = await waitForOutcome('done');
    assert.equal(await frame.locator('section.answer pre.answer-text').textContent(), SOLVABLE_ANSWER);
    assert.ok(await frame.locator('.error-box').isHidden(), 'the old error is gone');
    await screenshot(page, '5-recovered');
  });

  scenario('4. PoT inline: after the confirmation, the program, its output and the result appear under the selection', '4-pot-inline', async () => {
    await applySettings({ 'thoughtscope.task': 'generic' });
    await onSelection(POT_QUESTION, 'Solve with Program of Thoughts', 'Thoughtscope');

    // Before the first execution, a modal dialog asks; the person clicks Run.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: SLOW });
    assert.match((await dialog.textContent()) ?? '', /Run the python program the model wrote\?/);
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();

    // Pyodide starts in the extension host and runs the program: the block appears under the question.
    await page.locator('.editor-instance .view-line', { hasText: `Result: ${POT_PRODUCT}` }).waitFor({ timeout: 3 * SLOW });
    const lines = await editorLines();
    const at = lines.indexOf(POT_QUESTION);
    assert.ok(at >= 0, 'the question is still there');
    assert.deepEqual(lines.slice(at + 1, at + 12).filter((l) => l.trim() !== ''), [
      '```python',
      ...POT_PROGRAM.split('\n'),
      '```',
      '```text',
      POT_PRODUCT,
      '```',
      `Result: ${POT_PRODUCT}`,
    ]);
    // The selection is still the question, so typing does not replace the block as well.
    await page.locator('.statusbar', { hasText: `(${POT_QUESTION.length} selected)` }).waitFor({ timeout: SLOW });
    const frame = await waitForOutcome('done');
    assert.equal(await frame.locator('section.answer pre.answer-text').textContent(), POT_PRODUCT);
    await screenshot(page, '4-pot-inline');

    // Discard takes the block out again.
    const keep = toasts(page).filter({ hasText: 'keep the program and its result under the selection?' });
    await keep.getByRole('button', { name: 'Discard' }).click();
    await page.locator('.editor-instance .view-line', { hasText: `Result: ${POT_PRODUCT}` }).waitFor({ state: 'detached', timeout: SLOW });
    assert.deepEqual((await editorLines()).filter((l) => l.trim() !== ''), FILE_TEXT.trim().split('\n'));
  });
});

describe('Thoughtscope in code-server, in a workspace that is not trusted', { timeout: 10 * 60_000 }, () => {
  // Workspace Trust on, and no startup question: the folder opens in Restricted Mode.
  before(() => openInstance({ 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'thoughtscope.task': 'generic' }, 'logs-untrusted'));
  after(closeInstance);

  scenario('4. PoT refuses to run the program, and says why', '4-pot-untrusted', async () => {
    await page.locator('.statusbar', { hasText: 'Restricted Mode' }).waitFor({ timeout: SLOW });
    await setApiKey(API_KEY);
    const sentBefore = server.requests.length;
    await onSelection(POT_QUESTION, 'Solve with Program of Thoughts', 'Thoughtscope');

    const frame = await waitForOutcome('failed', /not trusted/);
    const toast = errorToasts(page).first();
    await toast.waitFor({ timeout: SLOW });
    const text = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(text, /^Thoughtscope: .*Program not run: this workspace is not trusted/);
    assertNoStack(text);
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no offer to run it');

    // The program was written (one request) and is shown, with the execution that did not happen.
    assert.equal(server.requests.length - sentBefore, 1);
    await until('the program and the refused execution (with its reason) to be drawn', async () => {
      const nodes = await drawnNodes(frame);
      return nodes.some((n) => n.text.startsWith('a = 987654321987654321')) && nodes.some((n) => /^Not run: this workspace is not trusted/.test(n.text));
    });
    assert.ok(!(await editorLines()).some((l) => l.startsWith('Result:')), 'nothing was inserted under the selection');
    await screenshot(page, '4-pot-untrusted');
  });
});
