// End to end in a real VS Code (code-server): thoughtscope.task names a task file of the workspace's
// own (tasks/units.task.yaml, its template in .thoughtscope/templates). "Reason with…" → IO sends the
// task file's template with its example, and the answer is read with its pattern; then the setting
// names a file that is not there, and the run stops with one message naming the setting and the file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { startCodeServer, type CodeServer } from './codeServer';
import { clearNotifications, editUserSettings, errorToasts, launchBrowser, openFile, openWorkbench, QUIET_WORKBENCH_SETTINGS, RESULTS, runCommand, selectLine, setApiKey, SLOW, toasts, withFailureScreenshot } from './workbench';

const API_KEY = 'sk-e2e-task-file';
const MODEL = 'e2e-units';
const QUESTION = 'How many metres are 5 km?';
const TASK_FILE = `id: units
description: Unit conversions, answered on a Result line
templates:
  io: units/ask
answer:
  pattern: '^Result:\\s*(.+)$'
scorer:
  type: numeric
  tolerance: 0.001
examples:
  - { input: "2 km in m?", answer: "2000" }
`;
const TEMPLATE = 'UNITS-TEMPLATE{% for e in examples %} (for example {{ e.input }} {{ e.answer }}){% endfor %}\n{{ input }}';

let server: FakeServer;
let codeServer: CodeServer;
let browser: Browser;
let page: Page;
const settings = { ...QUIET_WORKBENCH_SETTINGS, 'thoughtscope.baseUrl': '', 'thoughtscope.model': MODEL, 'thoughtscope.task': 'tasks/units.task.yaml' };

before(async () => {
  // "Answer: 7" after the Result line: what the built-in answer reading would take if the task file were ignored.
  server = await startFakeServer(() => ({ choices: ['Result: 5000\nAnswer: 7'] }));
  settings['thoughtscope.baseUrl'] = server.baseUrl;
  browser = await launchBrowser();
  codeServer = await startCodeServer({
    settings,
    files: { 'tasks/units.task.yaml': TASK_FILE, '.thoughtscope/templates/units/ask.liquid': TEMPLATE, 'notes.md': `# Units\n\n${QUESTION}\n` },
  });
  page = await openWorkbench(browser, codeServer.url);
});

after(async () => {
  await page?.context().close();
  await codeServer?.stop(join(RESULTS, 'logs-task-file-setting'));
  await browser?.close();
  await server?.close();
});

function scenario(name: string, shot: string, fn: () => Promise<void>): void {
  test(name, () => withFailureScreenshot(() => page, `task-file-${shot}`, fn));
}

/** Select the question and run "Reason with…" → IO from the command palette. */
async function reasonWithIo(): Promise<void> {
  await clearNotifications(page);
  await openFile(page, 'notes.md');
  await selectLine(page, QUESTION);
  await runCommand(page, 'Thoughtscope: Reason with…');
  const pick = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: 'Thoughtscope: Reason with…' }) }).filter({ visible: true });
  const row = pick.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: 'IO (direct answer)' }) }).first();
  await row.waitFor({ timeout: SLOW });
  await row.click();
}

describe('thoughtscope.task naming a task file, in code-server', { timeout: 10 * 60_000 }, () => {
  scenario('1. a run sends the task file’s template with its example and reads the answer with its pattern', '1-run', async () => {
    await setApiKey(page, API_KEY);
    await reasonWithIo();
    await toasts(page).filter({ hasText: 'answer: 5000' }).first().waitFor({ timeout: SLOW });
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].prompt, `UNITS-TEMPLATE (for example 2 km in m? 2000)\n${QUESTION}`);
  });

  scenario('2. a task file that is not there: one message naming the setting and the file, nothing sent', '2-missing', async () => {
    await editUserSettings(page, { ...settings, 'thoughtscope.task': 'tasks/nope.task.yaml' });
    await reasonWithIo();
    await errorToasts(page).filter({ hasText: 'Setting "thoughtscope.task": no such task file tasks/nope.task.yaml' }).first().waitFor({ timeout: SLOW });
    assert.equal(server.requests.length, 1, 'nothing more was sent');
  });
});
