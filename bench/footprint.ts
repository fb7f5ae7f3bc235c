// Section 4, footprint: bundle sizes, the .vsix size, activation time of the extension as packaged
// (the .vsix unpacked, dist/extension.js loaded with a stand-in `vscode` module in fresh processes)
// and peak memory of a 2,103-node run. Expects `npm run package` to have run (npm run bench does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, round } from './models';

const ROOT = join(__dirname, '..');
const BUNDLES = ['extension.js', 'webview.js', 'cli.js', 'sandboxWorker.js'];

function childJson<T>(args: string[]): T {
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

export function benchFootprint(options: { repeats: number; log: (line: string) => void }) {
  const { repeats, log } = options;
  const bundles = Object.fromEntries(BUNDLES.map((file) => [file, statSync(join(ROOT, 'dist', file)).size]));
  const vsix = join(ROOT, 'thoughtscope.vsix');
  if (!existsSync(vsix)) throw new Error('thoughtscope.vsix is missing: run `npm run package` first (npm run bench does)');
  const unpacked = mkdtempSync(join(tmpdir(), 'thoughtscope-vsix-'));
  try {
    execFileSync('unzip', ['-q', vsix, '-d', unpacked]);
    const runs: Array<{ requireMs: number; activateMs: number; rssBytes: number }> = [];
    for (let i = 0; i < repeats; i++) runs.push(childJson([join(__dirname, 'activateChild.cjs'), join(unpacked, 'extension')]));
    log(`  activation: load ${runs.map((r) => Math.round(r.requireMs)).join('/')} ms, activate() ${runs.map((r) => r.activateMs.toFixed(1)).join('/')} ms`);
    const memory = childJson<{ nodes: number; baselineRssBytes: number; peakRssBytes: number; baselineHeapBytes: number; peakHeapBytes: number }>(['--import', 'tsx', join(__dirname, 'memoryChild.ts')]);
    log(`  memory: ${JSON.stringify(memory)}`);
    return {
      bundleBytes: bundles,
      vsixBytes: statSync(vsix).size,
      activation: {
        repeats,
        loadMs: round(median(runs.map((r) => r.requireMs))),
        activateMs: round(median(runs.map((r) => r.activateMs)), 2),
        rssAfterActivateBytes: median(runs.map((r) => r.rssBytes)),
      },
      memory,
    };
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
}
