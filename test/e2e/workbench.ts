// Drives the VS Code workbench served by code-server in headless Debian Chromium, the way a person
// would: mouse clicks on the explorer, the editor's context menu and the panel, the command palette
// and the keyboard. The Thoughtscope panel is a webview: an iframe inside an iframe, found by its DOM.
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { ROOT } from './codeServer';

export const RESULTS = join(ROOT, 'test-results', 'e2e');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Generous: the workbench loads extensions and webviews on a shared 2-core machine. */
export const SLOW = 60_000;

/** User settings for a quiet workbench: no trust prompt, start page, tips, update checks, recommendations or telemetry, no response cache. */
export const QUIET_WORKBENCH_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  // Each scenario counts the requests it causes; runExperiment.test.ts turns the response cache on.
  'thoughtscope.cache.enabled': false,
};

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: SLOW });
  // The explorer lists the workspace once the folder is open; the extension's activity-bar entry
  // appears once code-server has read its manifest.
  await page.locator('.explorer-folders-view').waitFor({ timeout: SLOW });
  await page.locator('.activitybar .action-item a[aria-label^="Thoughtscope"]').waitFor({ timeout: SLOW });
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Run `fn`; when it throws, save a screenshot `<shot>-FAILED` of the page for the report, then rethrow. */
export async function withFailureScreenshot(page: () => Page | undefined, shot: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const current = page();
    if (current) await screenshot(current, `${shot}-FAILED`).catch(() => undefined);
    throw err;
  }
}

/** Open a workspace file: click its editor tab if it is open, else click it in the explorer. */
export async function openFile(page: Page, name: string): Promise<void> {
  const tab = page.locator('.tabs-container .tab', { hasText: name }).first();
  if ((await tab.count()) > 0) {
    await tab.click();
  } else {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    if (!(await row.isVisible())) await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
    await row.click();
    await tab.waitFor({ timeout: SLOW });
  }
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: SLOW });
}

/** Drag the side bar's edge with the mouse so the Thoughtscope view has room for its graph. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** Select the whole editor line that holds `text` with the mouse and keyboard (click, Home, Shift+End). */
export async function selectLine(page: Page, text: string): Promise<Locator> {
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: text }).first();
  await line.click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.locator('.editor-instance .monaco-editor .selected-text').first().waitFor({ timeout: SLOW });
  return line;
}

/** The middle of the selection drawn in the visible editor: where a person right-clicks it. */
export async function selectionCenter(page: Page): Promise<{ x: number; y: number }> {
  // Hidden editors (e.g. one just closed) may still hold selection elements without a box.
  const box = await until('the selection to be drawn', async () => {
    for (const el of await page.locator('.editor-instance .monaco-editor .selected-text').all()) {
      const b = await el.boundingBox();
      if (b && b.width > 0) return b;
    }
    return undefined;
  });
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * Right-click at a point (e.g. on the selection) and choose a context-menu item by its visible title;
 * with `submenu`, the item is in that submenu (e.g. "Thoughtscope"), opened by hovering it first.
 */
export async function contextMenu(page: Page, at: { x: number; y: number }, item: string, submenu?: string): Promise<void> {
  await page.mouse.click(at.x, at.y, { button: 'right' });
  if (submenu) {
    const parent = page.getByRole('menuitem', { name: submenu, exact: true });
    await parent.waitFor({ timeout: SLOW });
    await until(`the context menu's ${submenu} submenu to open`, async () => {
      await parent.hover();
      return page.getByRole('menuitem', { name: item, exact: true }).waitFor({ timeout: 2000 }).then(() => true, () => false);
    });
  }
  const entry = page.getByRole('menuitem', { name: item, exact: true });
  await entry.waitFor({ timeout: SLOW });
  // The workbench ignores a click that lands too soon after the menu opened (so the right button's
  // release cannot pick an item); click again while the menu is still open.
  for (let attempt = 0; attempt < 5 && (await entry.isVisible()); attempt++) {
    await entry.hover();
    await entry.click();
    await entry.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
  }
  if (await entry.isVisible()) throw new Error(`The context menu item "${item}" did not respond to clicks`);
}

/**
 * Run a command from the command palette (F1), typing its title as a person would. The palette lists
 * what is registered when it opens, so while extensions are still loading it is reopened until the
 * command shows up.
 */
export async function runCommand(page: Page, title: string, timeoutMs = SLOW): Promise<void> {
  const input = page.locator('.quick-input-widget input[type="text"], .quick-input-widget input:not([type])').first();
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // With the keyboard focus inside a webview (the graph panel), F1 is the webview's key, not the
    // workbench's: move the focus back to the workbench first, as a person clicking outside it would.
    await page.evaluate(() => {
      const active = document.activeElement;
      if (active instanceof HTMLIFrameElement) active.blur();
    });
    await page.keyboard.press('F1');
    const opened = await input.waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (!opened) {
      if (Date.now() > deadline) throw new Error(`The command palette did not open to run "${title}"`);
      continue;
    }
    await input.fill(`>${title}`);
    const found = await row.waitFor({ timeout: 5000 }).then(() => true, () => false);
    if (found) break;
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`The command "${title}" is not in the command palette`);
  }
  await page.keyboard.press('Enter');
}

/** Choose `label` in the single-choice quick pick titled `title`, by typing to filter it and pressing Enter. */
export async function pickItem(page: Page, title: string, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ timeout: SLOW });
  await widget.locator('input').first().fill(label);
  await widget.locator('.monaco-list-row.focused', { hasText: label }).waitFor({ timeout: SLOW });
  await page.keyboard.press('Enter');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden', timeout: SLOW });
}

/**
 * Choose a file in the open dialog titled `title`. code-server's is VS Code's simple file dialog: a
 * quick input holding a path, listing the folder's files. It writes the folder's path into the box
 * once the folder is listed, so the path is typed after that.
 */
export async function chooseFile(page: Page, title: string, path: string): Promise<void> {
  const dialog = page.locator('.quick-input-widget', { hasText: title });
  await dialog.waitFor({ timeout: SLOW });
  const input = dialog.locator('input').first();
  await until('the dialog to list the folder', async () => (await input.inputValue()) === `${dirname(path)}/` && (await dialog.locator('.monaco-list-row', { hasText: basename(path) }).count()) > 0);
  await input.fill(path);
  if ((await input.inputValue()) !== path) throw new Error(`The open dialog holds ${await input.inputValue()}, not ${path}`);
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden', timeout: SLOW });
}

/** Type into the quick input box that a command opened (e.g. the API key password box) and confirm. */
export async function answerInputBox(page: Page, titleText: string, value: string): Promise<Locator> {
  const widget = page.locator('.quick-input-widget', { hasText: titleText });
  await widget.waitFor({ timeout: SLOW });
  const input = widget.locator('input').first();
  await input.fill(value);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: SLOW });
  return input;
}

/** "Thoughtscope: Set API Key" from the command palette: type `key` into its box; returns the box once the key is saved. */
export async function setApiKey(page: Page, key: string): Promise<Locator> {
  await runCommand(page, 'Thoughtscope: Set API Key');
  const input = await answerInputBox(page, 'Thoughtscope: Set API Key', key);
  await toasts(page).filter({ hasText: 'API key saved in secret storage' }).first().waitFor({ timeout: SLOW });
  return input;
}

/**
 * Replace the user settings the way a person would: open settings.json from the command palette,
 * select all, paste the new JSON, save, close. The workbench applies it to the extension host.
 */
export async function editUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  const tab = page.locator('.tabs-container .tab.active', { hasText: 'settings.json' });
  await tab.waitFor({ timeout: SLOW });
  const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  // insertText types no keys, so the editor's auto-closing of quotes and brackets stays out of the way.
  await page.keyboard.insertText(JSON.stringify(settings, null, 2));
  await runCommand(page, 'File: Save');
  await page.locator('.tabs-container .tab.active.dirty', { hasText: 'settings.json' }).waitFor({ state: 'detached', timeout: SLOW });
  await runCommand(page, 'View: Close Editor');
  await tab.waitFor({ state: 'detached', timeout: SLOW });
}

/** Visible notification toasts. */
export function toasts(page: Page): Locator {
  return page.locator('.notifications-toasts .notification-toast');
}

export function errorToasts(page: Page): Locator {
  return toasts(page).filter({ has: page.locator('.codicon-error') });
}

export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await toasts(page).first().waitFor({ state: 'detached', timeout: SLOW }).catch(() => undefined);
}

/** The frame that holds the Thoughtscope panel's DOM (a webview: an iframe in an iframe). */
export async function panelFrame(page: Page, timeoutMs = SLOW): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator('#app .run-body').count()) > 0) return frame;
      } catch {
        // the frame navigated or went away while we looked
      }
    }
    await page.waitForTimeout(200);
  }
  throw new Error('The Thoughtscope panel did not appear');
}

/** Wait until `check` returns a value that is not undefined/false, polling; fails with `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = SLOW): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}
