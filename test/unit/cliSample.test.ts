// `thoughtscope run --sample` as built (dist/cli.js): the recorded sample run with no model anywhere.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reportFromTrace, snapshotFromTrace } from '../../src/core/history/restore';
import { collapsePruned } from '../../src/core/render/collapse';
import { renderMermaid } from '../../src/core/render/mermaid';
import type { Trace } from '../../src/core/trace';
import { formatTotals } from '../../src/cli/runCommand';
import { SAMPLE_NOTE } from '../../src/core/history/sample';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // No URL, key or model in the environment: the sample must not need one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI_|THOUGHTSCOPE_)/.test(k)));
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('run --sample prints the recorded run’s answer and totals and writes its Mermaid source, calling no model', async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  const trace = JSON.parse(readFileSync(join(ROOT, 'media', 'sample', 'tot-game24.json'), 'utf8')) as Trace;
  const summary = reportFromTrace(trace).summary;
  const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-sample-'));
  try {
    const text = await cli(['run', '--sample'], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.startsWith(`${SAMPLE_NOTE}\n`), text.stdout);
    assert.ok(text.stdout.includes(`Answer: ${summary.answer}\n`));
    assert.ok(text.stdout.includes('Judged: correct (game24)\n'));
    assert.ok(text.stdout.includes(`${formatTotals(summary.totals)}\n`));
    assert.ok(text.stdout.includes('Mermaid source: thoughtscope-sample.mmd\n'));
    assert.equal(readFileSync(join(dir, 'thoughtscope-sample.mmd'), 'utf8'), renderMermaid(collapsePruned(snapshotFromTrace(trace))));

    const json = await cli(['run', '--sample', '--json', '--mermaid', 'all.mmd', '--show-pruned', '--out', 'trace.json'], dir);
    assert.equal(json.code, 0, json.stderr);
    const printed = JSON.parse(json.stdout) as { answer: string; correct: boolean; totals: unknown; mermaid: string };
    assert.equal(printed.answer, summary.answer);
    assert.equal(printed.correct, true);
    assert.deepEqual(printed.totals, summary.totals);
    assert.equal(readFileSync(join(dir, 'all.mmd'), 'utf8'), renderMermaid(snapshotFromTrace(trace)));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')), trace);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
