// End to end in a real VS Code (code-server): Run Experiment on an open thoughtscope.yaml against a
// loopback server. The first run sends every request, passes its thresholds, writes report.md and opens
// the report panel; the second is answered from the response cache (nothing sent); an edit that breaks
// the file gets one message naming its line, and the cursor goes there. Then an experiment whose task is
// a task file of the workspace (its template in .thoughtscope/templates, its data file beside it) sends
// that template, and a task file that breaks its schema puts the cursor on its own line.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { startCodeServer, type CodeServer } from './codeServer';
import { clearNotifications, launchBrowser, openFile, openWorkbench, QUIET_WORKBENCH_SETTINGS, RESULTS, runCommand, setApiKey, SLOW, toasts, until, withFailureScreenshot } from './workbench';

const API_KEY = 'sk-e2e-run-experiment';
const MODEL = 'e2e-sums';
const ITEMS = [
  { input: 'What is 2+3?', expected: '5' },
  { input: 'What is 7+8?', expected: '15' },
  { input: 'What is 10+5?', expected: '15' },
];
const EXPERIMENT = `name: sums
task: numeric
dataset: sums.jsonl
techniques:
  - io
  - cot
thresholds:
  - "accuracy >= 0.6"
`;

/** A task file with its own template, scorer and data: the experiment names no dataset. */
const TASK_FILE = 'id: sums\ndescription: Sums\ntemplates:\n  io: sums/ask\nscorer:\n  type: numeric\n  tolerance: 0.1\ndata:\n  file: sums.jsonl\n';
const TASK_EXPERIMENT = 'name: units\ntask: tasks/sums.task.yaml\ntechniques: [io]\nthresholds:\n  - "accuracy >= 1"\n';

let server: FakeServer;
let codeServer: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startFakeServer((req) => {
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return { status: 401 };
    const m = /What is (\d+)\+(\d+)\?/.exec(req.prompt);
    return { choices: [`Answer: ${m ? Number(m[1]) + Number(m[2]) : 0}`], delayMs: 50 };
  });
  browser = await launchBrowser();
  codeServer = await startCodeServer({
    settings: { ...QUIET_WORKBENCH_SETTINGS, 'thoughtscope.cache.enabled': true, 'thoughtscope.baseUrl': server.baseUrl, 'thoughtscope.model': MODEL, 'thoughtscope.pricing': { [MODEL]: { input: 1, output: 2 } } },
    files: {
      'thoughtscope.yaml': EXPERIMENT,
      'sums.jsonl': `${ITEMS.map((i) => JSON.stringify(i)).join('\n')}\n`,
      'units.thoughtscope.yaml': TASK_EXPERIMENT,
      'tasks/sums.task.yaml': TASK_FILE,
      'tasks/sums.jsonl': `${ITEMS.map((i) => JSON.stringify(i)).join('\n')}\n`,
      '.thoughtscope/templates/sums/ask.liquid': 'SUMS-TEMPLATE\n{{ input }}',
    },
  });
  page = await openWorkbench(browser, codeServer.url);
});

after(async () => {
  await page?.context().close();
  await codeServer?.stop(join(RESULTS, 'logs-run-experiment'));
  await browser?.close();
  await server?.close();
});

function scenario(name: string, shot: string, fn: () => Promise<void>): void {
  test(name, () => withFailureScreenshot(() => page, `run-experiment-${shot}`, fn));
}

describe('Run Experiment in code-server', { timeout: 10 * 60_000 }, () => {
  scenario('1. runs the open thoughtscope.yaml, passes, writes report.md and opens the report', '1-run', async () => {
    await setApiKey(page, API_KEY);
    await clearNotifications(page);
    await openFile(page, 'thoughtscope.yaml');
    await runCommand(page, 'Thoughtscope: Run Experiment');
    await toasts(page).filter({ hasText: 'experiment sums passed (2 of 2 threshold checks held)' }).first().waitFor({ timeout: 5 * SLOW });
    assert.equal(server.requests.length, 6, 'two techniques × three items');
    const out = join(codeServer.workspace, '.thoughtscope', 'experiments', 'sums');
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /^# Experiment sums: passed/);
    assert.equal((JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8')) as { passed: boolean }).passed, true);
    await until('the report panel', async () => {
      for (const frame of page.frames()) {
        const found = await frame.locator('#app > h2', { hasText: 'Evaluation report' }).count().catch(() => 0);
        if (found > 0) return true;
      }
      return undefined;
    });
  });

  scenario('2. the same experiment again is answered from the response cache', '2-cached', async () => {
    await openFile(page, 'thoughtscope.yaml');
    await clearNotifications(page);
    await runCommand(page, 'Thoughtscope: Run Experiment');
    await toasts(page).filter({ hasText: 'experiment sums passed' }).first().waitFor({ timeout: 5 * SLOW });
    assert.equal(server.requests.length, 6, 'nothing was sent');
    const results = JSON.parse(readFileSync(join(codeServer.workspace, '.thoughtscope', 'experiments', 'sums', 'cot--e2e-sums.json'), 'utf8')) as { summary: { replayed?: { calls: number }; costUsd: number } };
    assert.equal(results.summary.replayed?.calls, 3);
    assert.equal(results.summary.costUsd, 0);
  });

  scenario('3. a broken file: one message naming its line, and the cursor on it', '3-error', async () => {
    // The editor first: the report panel (a webview) keeps F1 for itself while it has the focus.
    await openFile(page, 'thoughtscope.yaml');
    await clearNotifications(page);
    writeFileSync(join(codeServer.workspace, 'thoughtscope.yaml'), EXPERIMENT.replace('  - cot', '  - technique: cot\n    params:\n      temperature: 9'));
    // Monaco draws spaces as no-break spaces.
    await until('the editor to show the change on disk', async () => ((await page.locator('.editor-instance .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ').includes('temperature: 9') || undefined);
    await runCommand(page, 'Thoughtscope: Run Experiment');
    await toasts(page).filter({ hasText: 'thoughtscope.yaml:8: techniques[1].params.temperature: must be <= 2' }).first().waitFor({ timeout: SLOW });
    await until('the cursor on line 8', async () => ((await page.locator('.statusbar-item', { hasText: /Ln 8, Col 1/ }).count()) > 0 ? true : undefined));
    assert.equal(server.requests.length, 6);
  });

  scenario('4. a task file as the task: its template (from the workspace’s templates), scorer and data', '4-task-file', async () => {
    await openFile(page, 'units.thoughtscope.yaml');
    await clearNotifications(page);
    await runCommand(page, 'Thoughtscope: Run Experiment');
    await toasts(page).filter({ hasText: 'experiment units passed (1 of 1 threshold checks held)' }).first().waitFor({ timeout: 5 * SLOW });
    const sent = server.requests.slice(6);
    assert.equal(sent.length, 3, 'one request per row of the task file’s data');
    for (const req of sent) assert.match(req.prompt, /^SUMS-TEMPLATE\nWhat is \d+\+\d+\?$/);
    const results = JSON.parse(readFileSync(join(codeServer.workspace, '.thoughtscope', 'experiments', 'units', `io--${MODEL}.json`), 'utf8')) as { meta: { task: string; dataset: string } };
    assert.deepEqual([results.meta.task, results.meta.dataset], ['sums', 'sums.jsonl']);
  });

  scenario('5. a task file that breaks its schema: one message naming both files, the cursor on the task file’s line', '5-task-file-error', async () => {
    await openFile(page, 'units.thoughtscope.yaml');
    await clearNotifications(page);
    writeFileSync(join(codeServer.workspace, 'tasks', 'sums.task.yaml'), TASK_FILE.replace('  tolerance: 0.1', '  tolerence: 0.1'));
    await runCommand(page, 'Thoughtscope: Run Experiment');
    await toasts(page).filter({ hasText: 'units.thoughtscope.yaml:2: task: tasks/sums.task.yaml:7: scorer: unknown field "tolerence"' }).first().waitFor({ timeout: SLOW });
    await page.locator('.tabs-container .tab.active', { hasText: 'sums.task.yaml' }).waitFor({ timeout: SLOW });
    await until('the cursor on line 7', async () => ((await page.locator('.statusbar-item', { hasText: /Ln 7, Col 1/ }).count()) > 0 ? true : undefined));
    assert.equal(server.requests.length, 9, 'nothing more was sent');
  });
});
