// The side panel in real headless Chromium, for the webview tests: the real HTML (with its CSP), the
// real webview bundle built here with esbuild, a stub acquireVsCodeApi that records what the panel
// posts, and host messages fed with window.postMessage. Importing this registers the before/after
// hooks of the importing test file (build and serve the bundle, start and stop Chromium).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { GraphViewSettings, HostToWebview } from '../../../src/shared/messages';
import { makeNonce, webviewHtml } from '../../../src/shared/webviewHtml';
import { mermaidConfigCache } from '../../../scripts/mermaidConfigCache.mjs';

const ROOT = join(__dirname, '..', '..', '..');


let server: Server;
let browser: Browser;
let bundleDir: string;
/** The loopback origin serving the panel, and the nonce of the last page it served. */
export const harness = { baseUrl: '', nonce: '' };

before(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'thoughtscope-webview-'));
  // The same options scripts/build.mjs uses for the webview bundle.
  await esbuild.build({
    entryPoints: [join(ROOT, 'webview', 'main.ts')],
    outfile: join(bundleDir, 'webview.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [mermaidConfigCache],
  });
  const script = readFileSync(join(bundleDir, 'webview.js'));
  const style = readFileSync(join(ROOT, 'media', 'webview.css'));
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      harness.nonce = makeNonce();
      const origin = `http://${req.headers.host}`;
      const html = webviewHtml({ cspSource: origin, nonce: harness.nonce, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/webview.css` });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (path === '/webview.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (path === '/webview.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(style);
    } else if (path === '/favicon.ico') {
      res.writeHead(204).end(); // the browser asks on its own; VS Code webviews do not
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

export interface Panel {
  page: Page;
  problems: string[];
  send(message: HostToWebview): Promise<void>;
  posted(): Promise<unknown[]>;
  waitForGraph(nodes: number): Promise<void>;
  close(): Promise<void>;
}

/** A few of the variables VS Code's Light Modern theme defines on <html>. */
const LIGHT_THEME_VARS =
  '--vscode-editor-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-sideBar-background:#f8f8f8;' +
  '--vscode-descriptionForeground:#616161;--vscode-panel-border:#e5e5e5;--vscode-textCodeBlock-background:#f0f0f0;' +
  '--vscode-charts-green:#388a34;--vscode-charts-red:#e51400;--vscode-charts-blue:#1a85ff;--vscode-charts-yellow:#bf8803;' +
  '--vscode-charts-orange:#d18616;--vscode-charts-purple:#652d90;--vscode-focusBorder:#005fb8';

/**
 * A fresh page with the panel, at this size. `settings`: the graph settings the host sends after
 * `ready` (none: the panel's defaults, as before the host's first viewSettings).
 */
export async function openPanel(
  viewport = { width: 520, height: 1000 },
  theme: 'vscode-dark' | 'vscode-light' = 'vscode-dark',
  settings?: Partial<GraphViewSettings>,
): Promise<Panel> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (process.env.PANEL_CONSOLE) console.error('[page]', msg.type(), text.slice(0, 200));
    if (msg.type() === 'error' || /Content.Security.Policy|Refused to/i.test(text)) problems.push(`console ${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  // A string, not a function: tsx compiles functions in this file with helpers (__name) the page lacks.
  await page.addInitScript(`
    (() => {
      const posted = [];
      let state;
      let acquired = false;
      window.__posted = posted;
      window.__csp = [];
      window.evil = () => { window.__pwned = 3; };
      window.acquireVsCodeApi = () => {
        if (acquired) throw new Error('acquireVsCodeApi called twice');
        acquired = true;
        return {
          postMessage: (m) => { posted.push(JSON.parse(JSON.stringify(m))); },
          getState: () => state,
          setState: (s) => { state = s; },
        };
      };
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
      // VS Code puts the theme class on <body> before any script runs.
      new MutationObserver((_, observer) => {
        if (document.body) {
          if (${JSON.stringify(theme)} === 'vscode-light') document.documentElement.setAttribute('style', ${JSON.stringify(LIGHT_THEME_VARS)});
          document.body.classList.add(${JSON.stringify(theme)});
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
      // Callbacks passed to page.evaluate are compiled by tsx, which may wrap inner functions in __name().
      window.__name = (fn) => fn;
    })();
  `);
  await page.goto(`${harness.baseUrl}/`);
  try {
    await page.waitForFunction(() => ((window as unknown as { __posted: unknown[] }).__posted ?? []).length > 0, undefined, { timeout: 15_000 });
  } catch (err) {
    throw new Error(`the panel never posted 'ready': ${problems.join('\n') || String(err)}`);
  }
  if (settings) {
    const message: HostToWebview = { type: 'viewSettings', settings: { orientation: 'auto', focus: 'auto', surface: 'sidebar', ...settings } };
    await page.evaluate((m) => window.postMessage(m, '*'), message);
  }
  return {
    page,
    problems,
    send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted),
    waitForGraph: async (nodes) => {
      await page.waitForFunction(
        (n) => {
          const host = document.querySelector<HTMLElement>('.graph');
          return host?.dataset.pending === 'false' && host.dataset.nodes === String(n) && host.querySelectorAll('svg g.node').length === n;
        },
        nodes,
        { timeout: 60_000 },
      );
    },
    close: () => context.close(),
  };
}
