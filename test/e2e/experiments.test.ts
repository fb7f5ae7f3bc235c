// End to end in a real VS Code (code-server 4.100.3): the experiments workbench driven like a person
// would, against a loopback OpenAI-compatible server that answers a small question set. Evaluate on
// Dataset is cancelled part-way (the server holds the later items until the test has cancelled) and
// resumed from the result message; Compare Techniques runs io and cot on a selection; the Runs view
// reopens a run without a model call, and lists the evaluation, whose items open their graphs (kept in
// <name>.traces.jsonl) without a model call. Screenshots go to test-results/e2e/experiments-*.png.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import type { EvalResults } from '../../src/core/eval/types';
import { formatUsd } from '../../src/core/pricing';
import { defaultUsage, startFakeServer, type FakeRequest, type FakeServer } from '../support/fakeOpenAI';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlpReceiver';
import { startCodeServer, type CodeServer } from './codeServer';
import { drawnNodes, outcome, settledNodeCount } from './panel';
import {
  answerInputBox,
  chooseFile,
  clearNotifications,
  launchBrowser,
  openFile,
  openWorkbench,
  panelFrame,
  pickItem,
  QUIET_WORKBENCH_SETTINGS,
  RESULTS,
  runCommand,
  screenshot,
  selectLine,
  setApiKey,
  SLOW,
  toasts,
  until,
  widenSideBar,
  withFailureScreenshot,
} from './workbench';

const API_KEY = 'sk-e2e-experiments';
const MODEL = 'e2e-qa';
/** USD per million tokens, set through thoughtscope.pricing. */
const PRICE = { input: 2, output: 8 };

/** The evaluation's data: the model answers every question right except the spider's legs. */
const ITEMS = [
  { input: 'What is 2 + 3?', expected: '5', reply: '5' },
  { input: 'What is the capital of France?', expected: 'Paris', reply: 'Paris' },
  { input: 'What is 7 * 6?', expected: '42', reply: '42' },
  { input: 'How many legs does a spider have?', expected: '8', reply: '6' },
  { input: 'Which colour do blue and yellow make?', expected: 'green', reply: 'Green' },
  { input: 'What is 100 / 4?', expected: '25', reply: '25' },
];
const DATA_FILE = 'qa.jsonl';
const DATA_TEXT = ITEMS.map(({ input, expected }) => JSON.stringify({ input, expected })).join('\n') + '\n';
/** Items the first session finishes before the test cancels; the rest are held by the server. */
const FINISHED_BEFORE_CANCEL = 2;

/** Compare Techniques: io answers wrong, cot right. */
const QUESTION = 'What is 17 * 23?';
const QUESTION_FILE = 'question.txt';
const COMPARE_REPLY = { io: 'Answer: 401', cot: '17 * 23 = 17 * 20 + 17 * 3 = 340 + 51 = 391.\nAnswer: 391' };

/** Which question a prompt asks, and with which technique's prompt. */
function classify(prompt: string): { question: string; technique: 'io' | 'cot' } {
  const technique = prompt.includes('Think step by step') ? 'cot' : 'io';
  const question = [...ITEMS.map((i) => i.input), QUESTION].find((q) => prompt.includes(q));
  if (!question) throw new Error(`experiments model: unknown prompt ${JSON.stringify(prompt.slice(0, 200))}`);
  return { question, technique };
}

/** The scripted model's reply to a prompt. */
function reply(prompt: string): string {
  const { question, technique } = classify(prompt);
  if (question === QUESTION) return COMPARE_REPLY[technique];
  const answer = ITEMS.find((i) => i.input === question)!.reply;
  return technique === 'cot' ? `Thinking it through.\nAnswer: ${answer}` : `Answer: ${answer}`;
}

const itemOf = (req: FakeRequest) => ITEMS.findIndex((i) => i.input === classify(req.prompt).question);

/** What the server charged for a request it answered, at PRICE. */
function requestCost(req: FakeRequest): number {
  const usage = defaultUsage(req, [reply(req.prompt)]);
  return (usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1e6;
}

let server: FakeServer;
/** thoughtscope.otel.endpoint: every run of an evaluation or a comparison is exported as a trace. */
let receiver: OtlpReceiver;
let codeServer: CodeServer;
let browser: Browser;
let page: Page;
/** While set, requests for the evaluation's later items wait for it before being answered. */
let held: Promise<void> | undefined;
/** Compare Techniques' request per technique, for the Runs view. */
const compared: Partial<Record<'io' | 'cot', FakeRequest>> = {};

function settings(): Record<string, unknown> {
  return {
    ...QUIET_WORKBENCH_SETTINGS,
    'thoughtscope.baseUrl': server.baseUrl,
    'thoughtscope.model': MODEL,
    'thoughtscope.task': 'generic',
    'thoughtscope.pricing': { [MODEL]: PRICE },
    // Two items at a time: the first two finish, the next two are in flight when the test cancels.
    'thoughtscope.concurrency': 2,
    'thoughtscope.otel.endpoint': receiver.endpoint,
    'thoughtscope.otel.protocol': 'http/json',
  };
}

/** The root spans (one per run) the receiver has, once `check` holds for them. */
async function runSpansWhere(what: string, check: (roots: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  return until(what, async () => {
    const roots = receiver.spans.filter((span) => span.parentSpanId === '' && span.name.startsWith('invoke_workflow '));
    return check(roots) ? roots : undefined;
  });
}

/**
 * The Runs view, expanded and with the side bar's height: it starts collapsed under the Thought Graph
 * view, so the Thought Graph pane is collapsed (opening a run's graph shows it again).
 */
async function runsWithRoom(): Promise<Locator> {
  const pane = (title: string) => page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: title }) });
  const runs = pane('Runs');
  await runs.waitFor({ timeout: SLOW });
  const graphHeader = pane('Thought Graph').locator('.pane-header');
  if ((await graphHeader.getAttribute('aria-expanded')) === 'true') await graphHeader.click();
  const header = runs.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  await until('the Runs view to have the side bar', async () => ((await runs.boundingBox())?.height ?? 0) > 400);
  return runs;
}

/** A scenario that leaves a screenshot of the workbench when it fails, for the test report. */
function scenario(name: string, shot: string, fn: () => Promise<void>): void {
  test(name, () => withFailureScreenshot(() => page, `experiments-${shot}`, fn));
}

/** The frame of a workbench panel (Compare, Evaluation Report) whose heading is `heading` and that passes `check`. */
async function workbenchFrame(heading: string, check: (frame: Frame) => Promise<boolean> = async () => true): Promise<Frame> {
  return until(`the "${heading}" panel`, async () => {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator('#app > h2', { hasText: heading }).count()) > 0 && (await check(frame))) return frame;
      } catch {
        // the frame navigated or went away while we looked
      }
    }
    return undefined;
  });
}

/** The Thought Graph view once it shows a finished run whose answer is `answer`, drawn. */
async function graphWithAnswer(answer: string): Promise<Frame> {
  return until(`the run answering ${answer} drawn in the Thought Graph view`, async () => {
    const view = await panelFrame(page, 5000);
    if ((await outcome(view)) !== 'done' || (await view.locator('section.answer pre.answer-text').textContent()) !== answer) return undefined;
    return ((await settledNodeCount(view)) ?? 0) > 0 ? view : undefined;
  });
}

/** The cells of a workbench panel's table, row by row. */
async function tableRows(frame: Frame): Promise<string[][]> {
  return frame.locator('table.wb-table tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.textContent ?? '')));
}

/** The evaluation's files in the workspace's .thoughtscope/evals: its one results file. */
function evalResults(): { name: string; results: EvalResults } {
  const dir = join(codeServer.workspace, '.thoughtscope', 'evals');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.source.json'));
  assert.equal(files.length, 1, `one results file in ${dir}: ${files.join(', ')}`);
  return { name: files[0].slice(0, -'.json'.length), results: JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as EvalResults };
}

before(async () => {
  server = await startFakeServer(async (req) => {
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return { status: 401 };
    if (held && itemOf(req) >= FINISHED_BEFORE_CANCEL) await held;
    return { choices: [reply(req.prompt)], delayMs: 100 };
  });
  receiver = await startOtlpReceiver();
  browser = await launchBrowser();
  codeServer = await startCodeServer({ settings: settings(), files: { [DATA_FILE]: DATA_TEXT, [QUESTION_FILE]: `A question to compare on\n${QUESTION}\n` } });
  page = await openWorkbench(browser, codeServer.url);
  await widenSideBar(page, 640);
});

after(async () => {
  await page?.context().close();
  await codeServer?.stop(join(RESULTS, 'logs-experiments'));
  await browser?.close();
  await server?.close();
  await receiver?.close();
});

describe('The experiments workbench in code-server', { timeout: 15 * 60_000 }, () => {
  scenario('1. Evaluate on Dataset: cancelled part-way, Resume runs only the unfinished items, the report opens', '1-evaluate', async () => {
    await setApiKey(page, API_KEY);
    await clearNotifications(page);

    let release = () => {};
    held = new Promise<void>((resolve) => (release = resolve));
    await runCommand(page, 'Thoughtscope: Evaluate on Dataset');
    await pickItem(page, 'Evaluate on Dataset (1/3): technique', 'IO (direct answer)');
    await pickItem(page, 'Evaluate on Dataset (2/3): how to score answers', 'exact');
    await chooseFile(page, 'Evaluate on Dataset (3/3)', join(codeServer.workspace, DATA_FILE));

    // The first two items finish; the next two are asked and held; the progress says 2/6.
    const progress = toasts(page).filter({ hasText: `Thoughtscope: IO (direct answer) on ${DATA_FILE}` });
    await progress.filter({ hasText: '2/6 · 100% correct' }).waitFor({ timeout: SLOW });
    await until('the next two items to be asked and held', async () => server.open === 2 && server.requests.length === 4);
    assert.deepEqual(server.requests.slice(0, 2).map(itemOf).sort(), [0, 1], 'two items at a time');
    assert.deepEqual(server.requests.slice(2).map(itemOf).sort(), [2, 3], 'the next two once the first two are done');
    await screenshot(page, 'experiments-1-evaluate-running');

    await progress.getByRole('button', { name: 'Cancel' }).click();
    await until('the held requests to be aborted', async () => server.open === 0);
    const cancelled = toasts(page).filter({ hasText: 'Thoughtscope: IO (direct answer): 2/2 correct (100.0%)' });
    await cancelled.waitFor({ timeout: SLOW });
    const cancelledText = (await cancelled.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(cancelledText, /4 items unfinished \(cancelled\); Resume runs only those\.$/);
    const first = evalResults();
    assert.deepEqual(first.results.items.map((i) => i.index), [0, 1]);
    assert.equal(first.results.meta.unfinished, 4);
    assert.equal(first.results.meta.stopped, 'cancelled');
    await screenshot(page, 'experiments-1-evaluate-cancelled');

    // Resume: the server now answers at once; only the four unfinished items are asked, once each.
    held = undefined;
    release();
    const sentBefore = server.requests.length;
    await cancelled.getByRole('button', { name: 'Resume' }).click();
    const done = toasts(page).filter({ hasText: 'Thoughtscope: IO (direct answer): 5/6 correct (83.3%)' });
    await done.waitFor({ timeout: SLOW });
    const resumed = server.requests.slice(sentBefore);
    assert.deepEqual(resumed.map(itemOf).sort(), [2, 3, 4, 5], 'each unfinished item asked once, no finished one again');
    assert.equal(await done.getByRole('button', { name: 'Resume' }).count(), 0, 'nothing left to resume');
    assert.doesNotMatch((await done.textContent()) ?? '', /unfinished/);

    // The results file holds all six items, under the same name.
    const { name, results } = evalResults();
    assert.equal(name, first.name);
    // Each item's trace was kept once: two lines from the first session, four from the resume.
    const traces = readFileSync(join(codeServer.workspace, '.thoughtscope', 'evals', `${name}.traces.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; trace: { input: string } });
    assert.deepEqual(traces.map((l) => l.index).sort(), [0, 1, 2, 3, 4, 5], 'one trace line per item');
    for (const { index, trace } of traces) assert.equal(trace.input, ITEMS[index].input);
    assert.deepEqual(results.items.map((i) => [i.index, i.answer, i.correct]), ITEMS.map((item, index) => [index, item.reply, index !== 3]));
    assert.equal(results.meta.unfinished, 0);
    assert.equal(results.meta.resumed, 2);
    assert.equal(results.summary.correct, 5);
    // Its cost: the answered requests (the first two and the resumed four), at the configured price.
    const answered = [...server.requests.slice(0, FINISHED_BEFORE_CANCEL), ...resumed];
    const cost = answered.reduce((sum, req) => sum + requestCost(req), 0);
    assert.ok(results.summary.costUsd !== null && Math.abs(results.summary.costUsd - cost) < 1e-12, `cost ${results.summary.costUsd} = ${cost}`);
    assert.match((await done.textContent()) ?? '', new RegExp(`5/6 correct \\(83\\.3%\\), ${formatUsd(cost).replace(/[$.]/g, '\\$&')}\\.`));

    // The Evaluation Report panel: one row, io on the six items, 83.3%, the cost per item.
    const report = await workbenchFrame('Evaluation report', async (frame) => (await tableRows(frame)).some((r) => r[2] === '6'));
    assert.equal(await report.locator('#app p').first().textContent(), `Data: exact on ${DATA_FILE}`);
    const rows = await tableRows(report);
    assert.equal(rows.length, 1, 'one evaluation of this data');
    const [technique, model, items, accuracy, , bestOfK, costPerItem, , frontier] = rows[0];
    assert.deepEqual([technique, model, items, accuracy, bestOfK, costPerItem, frontier], ['io', MODEL, '6', '83.3%', '5/6', formatUsd(cost / 6), 'yes']);
    assert.equal(await report.locator('.wb-chart canvas').count(), 1, 'the accuracy/cost chart is drawn');
    await page.locator('.tabs-container .tab.active', { hasText: 'Thoughtscope: Evaluation Report' }).waitFor({ timeout: SLOW });
    await screenshot(page, 'experiments-1-evaluate-report');

    // Every item's run went to the OpenTelemetry receiver as a trace of its own, named by its item.
    const itemsDone = (roots: ReceivedSpan[]) => new Set(roots.filter((r) => r.attributes['thoughtscope.outcome'] === 'done').map((r) => r.attributes['thoughtscope.eval.item']));
    const roots = await runSpansWhere('a done run span for each of the six items', (r) => itemsDone(r).size === 6);
    assert.deepEqual([...itemsDone(roots)].map(Number).sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(roots.every((r) => r.attributes['thoughtscope.technique'] === 'io' && r.attributes['thoughtscope.model'] === MODEL));
  });

  scenario('2. Compare Techniques on a selection: one row per run with the server\'s answers and costs; a row opens its graph', '2-compare', async () => {
    await clearNotifications(page);
    await openFile(page, QUESTION_FILE);
    await selectLine(page, QUESTION);
    const sentBefore = server.requests.length;
    await runCommand(page, 'Thoughtscope: Compare Techniques');
    // A multi-select, io and cot already ticked (the first-time choice): confirm it.
    const quickPick = page.locator('.quick-input-widget', { hasText: 'Thoughtscope: Compare Techniques' });
    await quickPick.waitFor({ timeout: SLOW });
    const ticked = await until('the ticked techniques', async () => {
      const rows = await quickPick.locator('.monaco-list-row[aria-checked="true"]').allTextContents();
      return rows.length > 0 ? rows : undefined;
    });
    assert.equal(ticked.length, 2, `two techniques ticked: ${ticked.join(' | ')}`);
    assert.match(ticked[0], /IO \(direct answer\)/);
    assert.match(ticked[1], /Chain of Thought/);
    await page.keyboard.press('Enter');
    await answerInputBox(page, 'Expected answer (optional)', '391');

    const frame = await workbenchFrame('Compare techniques');
    await until('both rows', async () => (await tableRows(frame)).length === 2);
    assert.equal(await frame.locator('#app .wb-input').textContent(), QUESTION);
    const sent = server.requests.slice(sentBefore);
    assert.equal(sent.length, 2, 'one request per technique');
    const rows = await tableRows(frame);
    for (const technique of ['io', 'cot'] as const) {
      const req = sent.find((r) => classify(r.prompt).technique === technique)!;
      compared[technique] = req;
      const usage = defaultUsage(req, [reply(req.prompt)]);
      const row = rows.find((r) => r[0] === technique);
      assert.ok(row, `a row for ${technique}`);
      const [, model, effort, answer, agree, correct, calls, tokensIn, tokensOut, cost] = row;
      assert.deepEqual(
        [model, effort, answer, agree, correct, calls, tokensIn, tokensOut, cost],
        [MODEL, '–', technique === 'io' ? '401' : '391', '0%', technique === 'io' ? 'no' : 'yes', '1', String(usage.prompt_tokens), String(usage.completion_tokens), formatUsd(requestCost(req))],
      );
    }
    assert.equal(await frame.locator('.wb-chart canvas').count(), 1, 'the cost/correctness scatter is drawn');
    await screenshot(page, 'experiments-2-compare');
    // Each row's run was exported too: one trace per technique, not part of an evaluation.
    const compareRuns = (roots: ReceivedSpan[]) => roots.filter((r) => r.attributes['thoughtscope.eval.item'] === undefined);
    const exported = compareRuns(await runSpansWhere('a run span per compared technique', (r) => compareRuns(r).length === 2));
    assert.deepEqual(exported.map((r) => r.attributes['thoughtscope.technique']).sort(), ['cot', 'io']);

    // Clicking the cot row opens its graph in the Thoughtscope view, without asking the model again.
    await frame.locator('table.wb-table tbody tr', { hasText: 'cot' }).click();
    const graph = await graphWithAnswer('391');
    const nodes = await drawnNodes(graph);
    assert.ok(nodes.some((n) => n.text.startsWith(QUESTION)), `the question is drawn: ${nodes.map((n) => n.text).join(' | ')}`);
    assert.ok(nodes.some((n) => n.text.includes('391')), 'the answer is drawn');
    assert.equal(server.requests.length, sentBefore + 2, 'no model call to show it');
    await screenshot(page, 'experiments-2-compare-graph');
  });

  scenario('3. the Runs view lists the runs; opening one shows its graph without a model call', '3-runs', async () => {
    const sentBefore = server.requests.length;
    // From the Explorer to the Thoughtscope container in the activity bar.
    await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
    await page.locator('.explorer-folders-view').waitFor({ timeout: SLOW });
    await page.locator('.activitybar .action-item a[aria-label^="Thoughtscope"]').click();
    await page.locator('.part.sidebar .composite.title', { hasText: /thoughtscope/i }).waitFor({ timeout: SLOW });
    const runsPane = await runsWithRoom();
    const rows = runsPane.locator('.monaco-list-row');
    await until('the evaluation and the two compared runs in the Runs view', async () => (await rows.count()) === 3);
    // The evaluation first (collapsed: its items are not runs of the history); then each run: technique · input, then answer · cost · date.
    const texts = await rows.allTextContents();
    assert.ok(texts[0].startsWith(`io · ${MODEL} · ${DATA_FILE} · 5/6 correct`), texts[0]);
    for (const [technique, answer] of [['io', '401'], ['cot', '391']] as const) {
      const row = texts.find((t) => t.startsWith(`${technique} · ${QUESTION}`));
      assert.ok(row, `a row for the ${technique} run: ${texts.join(' | ')}`);
      assert.ok(row.includes(`${answer} · ${formatUsd(requestCost(compared[technique]!))} · `), row);
    }
    await screenshot(page, 'experiments-3-runs');

    await rows.filter({ hasText: `io · ${QUESTION}` }).click();
    const graph = await graphWithAnswer('401');
    assert.ok((await drawnNodes(graph)).some((n) => n.text.startsWith(QUESTION)), 'its graph is drawn');
    await page.waitForTimeout(1000);
    assert.equal(server.requests.length, sentBefore, 'no model call to reopen a saved run');
    await screenshot(page, 'experiments-3-runs-graph');
  });

  scenario('4. the Runs view lists the evaluation; expanded, an item opens its graph without a model call', '4-eval-items', async () => {
    const sentBefore = server.requests.length;
    const { results } = evalResults();
    const runsPane = await runsWithRoom();
    const rows = runsPane.locator('.monaco-list-row');
    const evaluation = rows.filter({ hasText: `io · ${MODEL} · ${DATA_FILE} · 5/6 correct` });
    assert.ok(((await evaluation.textContent()) ?? '').includes(`5/6 correct${formatUsd(results.summary.costUsd)} · `), 'its cost beside it');
    await evaluation.click();
    // Its six items under it, then the two runs: ✓/✗, index, answer, then cost and the input.
    await until('the evaluation\'s six items', async () => (await rows.count()) === 9);
    const texts = await rows.allTextContents();
    for (const [index, item] of ITEMS.entries()) {
      const result = results.items.find((i) => i.index === index)!;
      const expected = `${index === 3 ? '✗' : '✓'} ${index} · ${item.reply}${formatUsd(result.costUsd)} · ${item.input}`;
      assert.equal(texts[1 + index], expected);
    }
    await screenshot(page, 'experiments-4-eval-items');

    // The spider's item, answered wrong: its graph, drawn from the kept trace.
    await rows.filter({ hasText: `✗ 3 · 6` }).click();
    const graph = await graphWithAnswer('6');
    const nodes = await drawnNodes(graph);
    assert.ok(nodes.some((n) => n.text.startsWith(ITEMS[3].input)), `the question is drawn: ${nodes.map((n) => n.text).join(' | ')}`);
    await page.waitForTimeout(1000);
    assert.equal(server.requests.length, sentBefore, 'no model call to open an evaluated item');
    await screenshot(page, 'experiments-4-eval-item-graph');
  });
});
