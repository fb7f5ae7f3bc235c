// Section 4, footprint: bundle sizes, the .vsix size, activation time of the extension as packaged
// (the .vsix unpacked, dist/extension.js loaded with a stand-in `vscode` module in fresh processes)
// and peak memory of a 2,103-node run. Expects `npm run package` to have run (npm run bench does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { median, round } from './models';

const ROOT = join(__dirname, '..');
const SHIPPED = ['extension.js', 'o200k.js', 'otel.js', 'webview.js', 'sandbox/runner.mjs'];

/**
 * Unpacks thoughtscope.vsix (made by `npm run package`, which npm run bench runs first) and returns the
 * folder of the extension in it. Measuring what ships, not dist/, which other builds rewrite.
 */
export function unpackVsix(): string {
  const vsix = join(ROOT, 'thoughtscope.vsix');
  if (!existsSync(vsix)) throw new Error('thoughtscope.vsix is missing: run `npm run package` first (npm run bench does)');
  const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-vsix-'));
  execFileSync('unzip', ['-q', vsix, '-d', dir]);
  return join(dir, 'extension');
}

/** The CLI is not in the .vsix: its size built as `npm run package` builds the others (minified). */
async function cliBytes(): Promise<number> {
  const result = await esbuild.build({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, write: false, logLevel: 'silent', legalComments: 'none',
  });
  return result.outputFiles[0].contents.length;
}

function childJson<T>(args: string[]): T {
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

export async function benchFootprint(options: { extensionDir: string; repeats: number; log: (line: string) => void }) {
  const { extensionDir, repeats, log } = options;
  const bundles: Record<string, number> = Object.fromEntries(SHIPPED.map((file) => [file, statSync(join(extensionDir, 'dist', file)).size]));
  bundles['cli.js'] = await cliBytes();
  {
    const runs: Array<{ requireMs: number; activateMs: number; rssBytes: number }> = [];
    for (let i = 0; i < repeats; i++) runs.push(childJson([join(__dirname, 'activateChild.cjs'), extensionDir]));
    log(`  activation: load ${runs.map((r) => Math.round(r.requireMs)).join('/')} ms, activate() ${runs.map((r) => r.activateMs.toFixed(1)).join('/')} ms`);
    const memory = childJson<{ nodes: number; baselineRssBytes: number; peakRssBytes: number; baselineHeapBytes: number; peakHeapBytes: number }>(['--import', 'tsx', join(__dirname, 'memoryChild.ts')]);
    log(`  memory: ${JSON.stringify(memory)}`);
    return {
      bundleBytes: bundles,
      vsixBytes: statSync(join(ROOT, 'thoughtscope.vsix')).size,
      activation: {
        repeats,
        loadMs: round(median(runs.map((r) => r.requireMs))),
        activateMs: round(median(runs.map((r) => r.activateMs)), 2),
        rssAfterActivateBytes: median(runs.map((r) => r.rssBytes)),
      },
      memory,
    };
  }
}
