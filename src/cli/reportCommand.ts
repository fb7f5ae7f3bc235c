// `thoughtscope report a.json b.json ...`: the accuracy/cost table with the Pareto frontier, as Markdown.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EvalResults } from '../core/eval/types';
import { buildReport, reportMarkdown } from '../core/report/pareto';
import { UsageError } from './args';
import { parseFlags } from './modelFlags';
import { REPORT_USAGE } from './workbenchUsage';

export function reportCommand(argv: string[]): number {
  const { values, positionals } = parseFlags(() =>
    parseArgs({ args: argv, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: true }),
  );
  if (values.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give one or more results files written by "thoughtscope eval --out"');
  const markdown = reportMarkdown(buildReport(positionals.map(readResults)));
  if (values.out) writeFileSync(values.out, markdown);
  else process.stdout.write(markdown);
  return 0;
}

export function readResults(path: string): EvalResults {
  let parsed: EvalResults;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as EvalResults;
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!parsed?.meta?.technique || !parsed.summary || !Array.isArray(parsed.items)) throw new UsageError(`${path} is not a results file of "thoughtscope eval"`);
  return parsed;
}
