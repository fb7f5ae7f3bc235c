// `thoughtscope diff a.json b.json`: what changed between two run traces (`run --out`, Export trace,
// a line of an evaluation's traces file): run, parameters, models, totals, templates, and per node kind
// the calls, tokens, cost and prompts (core/history/traceDiff.ts).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isTrace } from '../core/eval/traceLog';
import { diffTraces, traceDiffText } from '../core/history/traceDiff';
import type { Trace } from '../core/trace';
import { positiveNumber, UsageError } from './args';
import { parseFlags } from './modelFlags';

export const DIFF_USAGE = `Usage:
  thoughtscope diff <a.json> <b.json> [--prompts N] [--lines N] [--json]

What changed from trace a to trace b (as "thoughtscope run --out" or Export trace writes them): the run
(technique, task, model, input, outcome, answer), the parameters, the models called, the totals; per
template, its source (built-in, workspace, user) and text hash in each run, whether the text changed,
how many of its prompts changed, one of them as a unified diff and the variables that differ; and per
node kind and call role the calls, tokens, cost and the prompts: the same, changed (as unified diffs),
only in a, only in b. Changed prompts pair by the template that made them, in order (prompts of traces
written before templates were recorded: most alike first). --prompts N shows N changed prompts per role
(default 3), --lines N lines of each (default 40); --json prints everything.`;

export function diffCommand(argv: string[]): number {
  const { values, positionals } = parseFlags(() =>
    parseArgs({
      args: argv,
      options: { prompts: { type: 'string' }, lines: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help) {
    process.stdout.write(`${DIFF_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`diff takes two trace files, got ${positionals.length}`);
  const [a, b] = positionals.map(readTrace);
  const diff = diffTraces(a, b);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
    return 0;
  }
  const prompts = positiveNumber('prompts', values.prompts, { integer: true });
  const lines = positiveNumber('lines', values.lines, { integer: true, min: 1 });
  process.stdout.write(`a: ${positionals[0]}\nb: ${positionals[1]}\n${traceDiffText(diff, { prompts, lines })}\n`);
  return 0;
}

function readTrace(path: string): Trace {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0]}`);
  }
  // A line of an evaluation's traces file holds {"index", "trace"}.
  const trace = isTrace(parsed) ? parsed : isTrace((parsed as { trace?: unknown })?.trace) ? (parsed as { trace: Trace }).trace : undefined;
  if (!trace) throw new UsageError(`${path} is not a run trace (thoughtscope run --out, or Export trace in VS Code)`);
  return trace;
}
