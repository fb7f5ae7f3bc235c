// `thoughtscope run --sample`: the recorded sample run (core/history/sample.ts) without any model: its
// answer, whether the Game of 24 judge accepts it, its totals, and its graph as Mermaid source (to
// --mermaid, default thoughtscope-sample.mmd) as the panel draws it; --out writes its trace.
import { writeFileSync } from 'node:fs';
import { reportFromTrace, snapshotFromTrace } from '../core/history/restore';
import { SAMPLE_NOTE, SAMPLE_TRACE } from '../core/history/sample';
import { collapsePruned } from '../core/render/collapse';
import { renderMermaid } from '../core/render/mermaid';
import { resolveTask } from '../core/tasks/registry';
import type { RunArgs } from './args';
import { formatTotals } from './runCommand';

export const SAMPLE_MERMAID = 'thoughtscope-sample.mmd';

export function sampleCommand(args: RunArgs): number {
  const trace = SAMPLE_TRACE;
  const { summary } = reportFromTrace(trace);
  const mermaid = args.mermaid ?? SAMPLE_MERMAID;
  writeFileSync(mermaid, renderMermaid(collapsePruned(snapshotFromTrace(trace), { mode: args['show-pruned'] ? 'never' : 'auto' })));
  if (args.out) writeFileSync(args.out, `${JSON.stringify(trace, null, 2)}\n`);
  const task = resolveTask(trace.task, trace.input);
  const correct = summary.answer !== undefined && task?.judge ? task.judge(trace.input, summary.answer) : undefined;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ sample: SAMPLE_NOTE, input: trace.input, outcome: summary.outcome, answer: summary.answer ?? null, correct: correct ?? null, totals: summary.totals, mermaid }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${SAMPLE_NOTE}\n`);
  process.stdout.write(`Input: ${trace.input} (${trace.technique}, ${trace.nodes.length} nodes)\n`);
  if (summary.answer !== undefined) process.stdout.write(`Answer: ${summary.answer}\n`);
  if (correct !== undefined) process.stdout.write(`Judged: ${correct ? 'correct' : 'incorrect'} (${trace.task})\n`);
  process.stdout.write(`${formatTotals(summary.totals)}\n`);
  process.stdout.write(`Mermaid source: ${mermaid}\n`);
  return 0;
}
