// End to end in code-server: "Run in sandbox" on a fenced block in Markdown (CodeLens, first-run
// confirmation, output after the block, Insert output as a fenced text block whose fence outlasts
// the ``` the program prints) and on selected Python code (context menu, notification, output
// inserted as comments); then "Solve with Program of Thoughts" ends with a single notification.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { startCodeServer, type CodeServer } from './codeServer';
import { clearNotifications, contextMenu, launchBrowser, openFile, openWorkbench, QUIET_WORKBENCH_SETTINGS, RESULTS, screenshot, selectLine, SLOW, toasts, until } from './workbench';

const NOTES = ['# Notes', '', '```python', 'print(6 * 7)', 'print("`" * 3)', '```', '', 'End.', ''].join('\n');
const CALC = ['x = 2 ** 70', 'print(x)', ''].join('\n');
const QUESTION = 'What is 123456789 times 987654321?';

let server: FakeServer;
let browser: Browser;
let codeServer: CodeServer;
let page: Page;

async function editorLines(): Promise<string[]> {
  const lines = await page.locator('.editor-instance .monaco-editor .view-line').evaluateAll((els) =>
    els.map((el) => ({ top: parseFloat((el as HTMLElement).style.top), text: (el.textContent ?? '').replace(/\u00a0/g, ' ') })),
  );
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text);
}

/** Text drawn after lines by decorations (injected text, or a ::after pseudo-element). */
async function afterTexts(): Promise<string[]> {
  return page.locator('.editor-instance .monaco-editor .view-line span').evaluateAll((els) =>
    els.flatMap((el) => {
      const content = getComputedStyle(el, '::after').content;
      return content && content !== 'none' && content !== 'normal' ? [content] : [];
    }),
  );
}

async function confirmFirstRun(): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: SLOW });
  assert.match((await dialog.textContent()) ?? '', /Run this python code in the sandbox\?/);
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
}

/** A test that leaves a screenshot named `shot` when it fails. */
function scenario(name: string, shot: string, fn: () => Promise<void>): void {
  test(name, async () => {
    try {
      await fn();
    } catch (err) {
      await screenshot(page, `${shot}-FAILED`).catch(() => undefined);
      throw err;
    }
  });
}

/** Right-click the selection and choose `item` from the context menu's Thoughtscope submenu. */
async function onSelection(item: string): Promise<void> {
  // The editor draws the selection a moment after it is made (more on a busy machine): wait for it, as a person would.
  const selection = page.locator('.editor-instance .monaco-editor .selected-text').first();
  await selection.waitFor({ state: 'visible', timeout: SLOW });
  const box = await selection.boundingBox();
  assert.ok(box, 'the selection is drawn');
  await contextMenu(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, item, 'Thoughtscope');
}

before(async () => {
  server = await startFakeServer((req) =>
    req.prompt.includes('Write a Python 3 program') ? { choices: ['```python\nprint(123456789 * 987654321)\n```'] } : { choices: ['ok'] },
  );
  browser = await launchBrowser();
  codeServer = await startCodeServer({
    settings: {
      ...QUIET_WORKBENCH_SETTINGS,
      'thoughtscope.baseUrl': server.baseUrl,
      'thoughtscope.model': 'e2e-pot',
    },
    files: { 'notes.md': NOTES, 'calc.py': CALC, 'question.txt': `${QUESTION}\n` },
  });
  page = await openWorkbench(browser, codeServer.url);
});

after(async () => {
  await page?.context().close();
  await codeServer?.stop(join(RESULTS, 'run-in-sandbox-logs'));
  await browser?.close();
  await server?.close();
});

describe('Run in sandbox in code-server', { timeout: 10 * 60_000 }, () => {
  scenario('Markdown: the CodeLens runs the block, the output shows after it, Insert output adds a text block', 'run-in-sandbox-markdown', async () => {
    await openFile(page, 'notes.md');
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Run in sandbox' });
    await lens.first().waitFor({ timeout: SLOW });
    await lens.first().click();
    await confirmFirstRun();
    await until('the output after the block', async () => (await afterTexts()).some((t) => t.includes('→ 42 ↵ ```')), 3 * SLOW);
    await screenshot(page, 'run-in-sandbox-markdown');

    await page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Insert output' }).click();
    const lines = await until('the inserted output', async () => {
      const now = await editorLines();
      return now.includes('````text') ? now : undefined;
    });
    assert.deepEqual(lines.slice(2, 11), ['```python', 'print(6 * 7)', 'print("`" * 3)', '```', '````text', '42', '```', '````', '']);
    // The decoration went with the insertion.
    await until('the decoration to go', async () => !(await afterTexts()).some((t) => t.includes('→ 42')));
  });

  scenario('Python file: the selection runs from the context menu; the notification inserts the output as comments', 'run-in-sandbox-python', async () => {
    await clearNotifications(page);
    await openFile(page, 'calc.py');
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'x = 2 ** 70' }).first().click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await onSelection('Run in Sandbox');
    const toast = toasts(page).filter({ hasText: `→ ${2n ** 70n}` });
    await toast.first().waitFor({ timeout: 3 * SLOW });
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'asked once per session only');
    await until('the output after the selection', async () => (await afterTexts()).some((t) => t.includes(`→ ${2n ** 70n}`)));
    await toast.getByRole('button', { name: 'Insert Output' }).click();
    await until('the comments', async () => {
      const now = await editorLines();
      return now.slice(0, 4).join('\n') === ['x = 2 ** 70', 'print(x)', '# Output:', `# ${2n ** 70n}`].join('\n') || undefined;
    });
    await screenshot(page, 'run-in-sandbox-python');
  });

  scenario('Solve with Program of Thoughts ends with one notification: the answer and Accept / Discard', 'run-in-sandbox-pot', async () => {
    await clearNotifications(page);
    await openFile(page, 'question.txt');
    await selectLine(page, QUESTION);
    await onSelection('Solve with Program of Thoughts');
    const product = (123456789n * 987654321n).toString();
    const keep = toasts(page).filter({ hasText: 'Keep the program and its result under the selection?' });
    await keep.first().waitFor({ timeout: 3 * SLOW });
    assert.match((await keep.first().textContent()) ?? '', new RegExp(`Program of Thoughts answer: ${product}`));
    await page.waitForTimeout(1500);
    const texts = await toasts(page).allTextContents();
    assert.equal(texts.filter((t) => t.includes(product)).length, 1, `one notification, got: ${JSON.stringify(texts)}`);
    assert.ok(!texts.some((t) => t.includes('Insert into Editor')), 'no second answer notification');
    await screenshot(page, 'run-in-sandbox-pot-one-notification');
    await keep.getByRole('button', { name: 'Discard' }).click();
  });
});
