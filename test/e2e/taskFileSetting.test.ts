// End to end in a real VS Code (code-server): thoughtscope.task names a task file of the workspace's
// own (tasks/units.task.yaml, its template in .thoughtscope/templates). "Reason with…" → IO sends the
// task file's template with its example, and the answer is read with its pattern;
// Evaluate on Dataset offers the task file's scorer, whose tolerance decides an item; then the setting
// names a file that is not there, and the run stops with one message naming the setting and the file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { startCodeServer, type CodeServer } from './codeServer';
import { readdirSync, readFileSync } from 'node:fs';
import { chooseFile, clearNotifications, editUserSettings, errorToasts, launchBrowser, openFile, openWorkbench, pickItem, QUIET_WORKBENCH_SETTINGS, RESULTS, runCommand, selectLine, setApiKey, SLOW, toasts, until, withFailureScreenshot } from './workbench';

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
const DATA_FILE = 'units.jsonl';
const TEMPLATE = 'UNITS-TEMPLATE{% for e in examples %} (for example {{ e.input }} {{ e.answer }}){% endfor %}\n{{ input }}';

let server: FakeServer;
let codeServer: CodeServer;
let browser: Browser;
let page: Page;
const settings = { ...QUIET_WORKBENCH_SETTINGS, 'thoughtscope.baseUrl': '', 'thoughtscope.model': MODEL, 'thoughtscope.task': 'tasks/units.task.yaml' };

before(async () => {
  // "Answer: 7" after the Result line: what the built-in answer reading would take if the task file were
  // ignored. 3 km is answered 3002 m: right within the task file's 0.1%, wrong for the exact scorer.
  server = await startFakeServer((req) => {
    const km = Number([...req.prompt.matchAll(/(\d+) km/g)].pop()?.[1] ?? 0);
    return { choices: [`Result: ${km * 1000 + (km === 3 ? 2 : 0)}\nAnswer: 7`] };
  });
  settings['thoughtscope.baseUrl'] = server.baseUrl;
  browser = await launchBrowser();
  codeServer = await startCodeServer({
    settings,
    files: {
      'tasks/units.task.yaml': TASK_FILE,
      '.thoughtscope/templates/units/ask.liquid': TEMPLATE,
      'notes.md': `# Units\n\n${QUESTION}\n`,
      [DATA_FILE]: [1, 3, 7].map((km) => JSON.stringify({ input: `How many metres are ${km} km?`, expected: String(km * 1000) })).join('\n'),
    },
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

  scenario('2. Evaluate on Dataset offers the task file’s scorer first; its tolerance decides, its template is sent', '2-evaluate', async () => {
    await clearNotifications(page);
    const before = server.requests.length;
    await runCommand(page, 'Thoughtscope: Evaluate on Dataset');
    await pickItem(page, 'Evaluate on Dataset (1/3): technique', 'IO (direct answer)');
    await pickItem(page, 'Evaluate on Dataset (2/3): how to score answers', 'units');
    await chooseFile(page, 'Evaluate on Dataset (3/3)', join(codeServer.workspace, DATA_FILE));
    await toasts(page).filter({ hasText: 'Thoughtscope: IO (direct answer): 3/3 correct (100.0%)' }).first().waitFor({ timeout: SLOW });
    const sent = server.requests.slice(before);
    assert.equal(sent.length, 3);
    for (const req of sent) assert.match(req.prompt, /^UNITS-TEMPLATE \(for example 2 km in m\? 2000\)\nHow many metres are \d km\?$/);
    // The sidecar names the task file, so Resume reads the same scorer again.
    const evals = join(codeServer.workspace, '.thoughtscope', 'evals');
    const sidecar = readdirSync(evals).find((f) => f.endsWith('.source.json'))!;
    assert.equal((JSON.parse(readFileSync(join(evals, sidecar), 'utf8')) as { scorer: string }).scorer, join(codeServer.workspace, 'tasks', 'units.task.yaml'));
    // The report panel opens after the message and takes the focus: wait for it, so the next scenario's
    // command palette is not closed under it.
    await until('the evaluation report panel', async () => {
      for (const frame of page.frames()) {
        if ((await frame.locator('#app > h2', { hasText: 'Evaluation report' }).count().catch(() => 0)) > 0) return true;
      }
      return undefined;
    });
  });

  scenario('3. a task file that is not there: one message naming the setting and the file, nothing sent', '3-missing', async () => {
    await editUserSettings(page, { ...settings, 'thoughtscope.task': 'tasks/nope.task.yaml' });
    await reasonWithIo();
    await errorToasts(page).filter({ hasText: 'Setting "thoughtscope.task": no such task file tasks/nope.task.yaml' }).first().waitFor({ timeout: SLOW });
    assert.equal(server.requests.length, 4, 'nothing more was sent');
  });
});
