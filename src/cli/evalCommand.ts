// `thoughtscope eval`: one technique over a dataset, scored, with a checkpoint and --resume, and with
// --traces each item's run trace.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { DatasetError, loadDataset, loadDatasetRange, loadGame24Range } from '../core/eval/dataset';
import { evalTask, EvalTaskError, ownTaskData, taskData, taskDataItems, type EvalTask } from '../core/eval/evalTask';
import { evaluateWithBatch, type BatchMeta, type BatchProgress } from '../core/eval/batch';
import { evaluate, type EvalProgress } from '../core/eval/evaluate';
import { GOT_DATA_FILES, GOT_SIZES } from '../core/eval/gotDatasets';
import type { ChatModel } from '../core/model/types';
import type { Task } from '../core/tasks/types';
import type { Technique } from '../core/techniques/types';
import { findScorer, scorerIds, type Scorer } from '../core/eval/scorers';
import type { EvalItem, EvalResults } from '../core/eval/types';
import { formatUsd } from '../core/pricing';
import type { TemplateLibrary } from '../core/templates/library';
import { cliTemplates } from './templatesFlag';
import { findTechnique, techniqueIds } from '../core/techniques/registry';
import { parseParamFlags, positiveNumber, UsageError } from './args';
import { defaultPuzzlesPath, packageRoot } from './puzzlesPath';
import { MODEL_OPTIONS, modelSetup, parseFlags, type ModelSetup } from './modelFlags';
import { checkWritable, writeOrRescue } from './outputFiles';
import { interruptible } from './interruptible';
import { stopTracing, tracingFromEnvironment } from './tracing';
import { EVAL_USAGE } from './workbenchUsage';
import { experimentCommand } from './experimentCommand';
import { reasoningEffortFlag } from './runSettingsFlags';
import type { Run } from '../core/run/run';

const EVAL_OPTIONS = {
  ...MODEL_OPTIONS,
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean', default: false },
  task: { type: 'string' },
  technique: { type: 'string', short: 't' },
  param: { type: 'string', short: 'p', multiple: true },
  data: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  puzzles: { type: 'string' },
  size: { type: 'string' },
  // No default here: with -c the experiment file says it, and a flag given beside it is refused.
  concurrency: { type: 'string' },
  out: { type: 'string', short: 'o' },
  checkpoint: { type: 'string' },
  traces: { type: 'string' },
  resume: { type: 'boolean', default: false },
  'max-usd': { type: 'string' },
  batch: { type: 'boolean', default: false },
  'poll-seconds': { type: 'string', default: '30' },
  'batch-discount': { type: 'string', default: '0.5' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function evalCommand(argv: string[]): Promise<number> {
  const args = parseFlags(() => parseArgs({ args: argv, options: EVAL_OPTIONS, strict: true, allowPositionals: false }).values);
  if (args.help) {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  if (args.config !== undefined) {
    const clash = (['task', 'technique', 'param', 'data', 'from', 'to', 'puzzles', 'size', 'concurrency', 'out', 'checkpoint', 'traces', 'max-usd'] as const).find((f) => args[f] !== undefined);
    if (clash) throw new UsageError(`--${clash} does not go with -c: the experiment file says it`);
    if (args.batch) throw new UsageError('--batch does not go with -c: experiments send their requests as they run');
    return experimentCommand({ ...args, config: args.config });
  }
  if (args.json) throw new UsageError('--json is for -c <experiment file>');
  if (!args.task) throw new UsageError(`--task is required; one of ${scorerIds().join(', ')}, a built-in task with a scorer or a task file`);
  const templates = cliTemplates(args.templates);
  const { task, scorer } = taskAndScorer(args.task, templates);
  if (!args.technique) throw new UsageError(`--technique is required; one of ${techniqueIds().join(', ')}`);
  const technique = findTechnique(args.technique);
  if (!technique) throw new UsageError(`unknown technique "${args.technique}"; known: ${techniqueIds().join(', ')}`);
  if (!args.out) throw new UsageError('--out <results.json> is required');
  const concurrency = positiveNumber('concurrency', args.concurrency ?? '4', { integer: true, min: 1 })!;
  const maxUsd = positiveNumber('max-usd', args['max-usd']);
  const reasoningEffort = reasoningEffortFlag(args['reasoning-effort']);

  const params = parseParamFlags(args.param);
  const { items, dataset } = loadItems(args, scorer, task);
  const setup = modelSetup(args);
  if (!setup.defaultModel) throw new UsageError('--model is required (or set THOUGHTSCOPE_MODEL)');
  const model = setup.make(setup.defaultModel);
  const checkpoint = args.checkpoint ?? `${args.out.replace(/\.json$/i, '')}.checkpoint.jsonl`;
  // Before anything is paid for: a path that cannot be written is a typo to fix now.
  checkWritable('out', args.out);
  checkWritable('checkpoint', checkpoint);
  checkWritable('traces', args.traces);

  const tracing = tracingFromEnvironment((m) => process.stderr.write(`\rthoughtscope: ${m}\n`));
  const live = !args.quiet && process.stderr.isTTY;
  // Each item's run as a trace of its own (a batch's as its answers are applied).
  const onRunStart = tracing && ((item: EvalItem, run: Run) => tracing.watch(run, { technique, params, input: item.input, task: task.id, baseUrl: setup.baseUrl, attributes: { 'thoughtscope.eval.item': item.index, ...(args.batch ? { 'thoughtscope.batch': true } : {}) } }));
  const onCancel = args.batch ? 'Stopping; the batch goes on at the provider, its id is in the checkpoint…' : 'Cancelling; finished items are kept in the checkpoint…';
  let results: EvalResults;
  try {
    results = await interruptible(onCancel, live, (signal) =>
      args.batch
        ? evalBatch(args, { technique, task, scorer, items, model, params, dataset, checkpoint, setup, signal, live, onRunStart })
        : evaluate({
            technique,
            task,
            scorer,
            items,
            model,
            params,
            concurrency,
            maxUsd,
            runOptions: { pricing: setup.pricing, retry: setup.retry, reasoningEffort, seed: setup.seed, diskCache: setup.diskCache },
            checkpoint,
            traces: args.traces,
            resume: args.resume,
            dataset,
            signal,
            onItem: live ? (_item, p) => process.stderr.write(`\r\x1b[K${progressText(p)}`) : undefined,
            onRunStart,
          }),
    );
  } finally {
    await stopTracing(tracing, (m) => process.stderr.write(`thoughtscope: ${m}\n`));
  }

  process.stdout.write(`${summaryText(results, scorer)}\n`);
  const unwritten = writeOrRescue('out', args.out, () => [`${JSON.stringify(results, null, 2)}\n`]);
  if (unwritten) process.stderr.write(`thoughtscope: ${unwritten}\n`);
  if (results.meta.unfinished === 0) return unwritten ? 1 : 0;
  const why = results.meta.stopped ?? 'stopped';
  process.stderr.write(`thoughtscope: ${why}; ${results.meta.unfinished} of ${results.meta.requested} items unfinished. Add --resume to the same command to finish them.\n`);
  return 1;
}

/** `--batch`: the unfinished items as one Batch API batch, polled with progress on stderr. */
async function evalBatch(
  args: { 'max-usd'?: string; 'poll-seconds': string; 'batch-discount': string; traces?: string; resume: boolean; quiet: boolean },
  o: { technique: Technique; task: Task; scorer: Scorer; items: EvalItem[]; model: ChatModel; params: Record<string, string>; dataset: string; checkpoint: string; setup: ModelSetup; signal: AbortSignal; live: boolean; onRunStart?: (item: EvalItem, run: Run) => void },
): Promise<EvalResults> {
  if (args['max-usd'] !== undefined) throw new UsageError('--max-usd cannot stop a batch: the provider runs all of it; try a few items first (--from/--to or a smaller --data)');
  const pollMs = positiveNumber('poll-seconds', args['poll-seconds'])! * 1000;
  const discount = positiveNumber('batch-discount', args['batch-discount'])!;
  if (discount > 1) throw new UsageError(`--batch-discount is a fraction from 0 to 1 (0.5: half price), got ${discount}`);
  let last = '';
  return evaluateWithBatch({
    technique: o.technique,
    task: o.task,
    scorer: o.scorer,
    items: o.items,
    model: o.model,
    params: o.params,
    runOptions: { pricing: o.setup.pricing, retry: o.setup.retry, seed: o.setup.seed },
    checkpoint: o.checkpoint,
    traces: args.traces,
    resume: args.resume,
    dataset: o.dataset,
    signal: o.signal,
    client: o.setup.batchClient(),
    pollMs,
    priceFactor: 1 - discount,
    host: { baseDir: process.cwd() },
    onRunStart: o.onRunStart,
    onBatch: args.quiet
      ? undefined
      : (p) => {
          const text = batchProgressText(p);
          // On a terminal the line is rewritten; elsewhere only changes are written, one per line.
          if (o.live) process.stderr.write(`\r\x1b[K${text}`);
          else if (text !== last) process.stderr.write(`${text}\n`);
          last = text;
          if (o.live && p.status !== 'in_progress' && p.status !== 'validating' && p.status !== 'finalizing') process.stderr.write('\n');
        },
  });
}

function batchSummary(b: BatchMeta): string {
  return `Batch ${b.id}: ${b.status}${b.failedItems.length ? `, ${b.failedItems.length} item${b.failedItems.length === 1 ? '' : 's'} without an answer` : ''}`;
}

export function batchProgressText(p: BatchProgress): string {
  const counts = p.total > 0 ? ` · ${p.completed + p.failed}/${p.total} requests done${p.failed ? ` (${p.failed} failed)` : ''}` : '';
  return `batch ${p.batchId}${p.submittedNow ? '' : ' (from the checkpoint)'}: ${p.status}${counts}`;
}


/** --task names a scorer, a built-in task with a scorer or a task file (core/eval/evalTask.ts). */
function taskAndScorer(name: string, templates: TemplateLibrary): EvalTask {
  try {
    return evalTask(name, { templates, baseDir: process.cwd(), label: '--task' });
  } catch (err) {
    if (err instanceof EvalTaskError) throw new UsageError(err.message);
    throw err;
  }
}

function loadItems(args: { data?: string; from?: string; to?: string; puzzles?: string; size?: string }, scorer: Scorer, task: Task): { items: EvalItem[]; dataset: string } {
  const range = args.from !== undefined || args.to !== undefined;
  const own = ownTaskData({ task, scorer });
  if (own && args.data === undefined) {
    try {
      const rows: [number, number] | undefined = range ? [positiveNumber('from', args.from ?? args.to, { integer: true })!, positiveNumber('to', args.to ?? args.from, { integer: true })!] : undefined;
      return taskDataItems(own, scorer.needsExpected, rows);
    } catch (err) {
      if (err instanceof DatasetError) throw new UsageError(err.message);
      throw err;
    }
  }
  const gotFiles = GOT_DATA_FILES[scorer.id];
  if (args.size !== undefined && !GOT_SIZES[scorer.id]) throw new UsageError(`--size is for ${Object.keys(GOT_SIZES).join(' and ')}`);
  try {
    if (gotFiles) return loadGotItems(args, scorer, gotFiles);
    if (args.data !== undefined) {
      if (range) throw new UsageError('give either --data or --from/--to, not both');
      // A user's own file in the task's form (crosswords JSON, one input per line) when the task file names one.
      return { items: loadDataset(args.data, scorer.needsExpected, scorer.id === task.id ? taskData(task)?.format : undefined), dataset: args.data };
    }
    if (!range) throw new UsageError('give the items: --data <file.jsonl|file.csv>, or --from N --to M for game24');
    if (scorer.id !== 'game24') throw new UsageError('--from/--to select Game of 24 puzzles; use --data for other tasks');
    const from = positiveNumber('from', args.from ?? args.to, { integer: true })!;
    const to = positiveNumber('to', args.to ?? args.from, { integer: true })!;
    const csv = args.puzzles ?? defaultPuzzlesPath();
    try {
      return { items: loadGame24Range(csv, from, to), dataset: `24.csv rows ${from}-${to}` };
    } catch (err) {
      if (err instanceof DatasetError && /no such file/.test(err.message)) throw new UsageError(`${err.message}; pass --puzzles <path to 24.csv>`);
      throw err;
    }
  } catch (err) {
    if (err instanceof DatasetError) throw new UsageError(err.message);
    throw err;
  }
}

/** A GoT task's items: the shipped file for --size (or --data), all rows or --from..--to. */
function loadGotItems(args: { data?: string; from?: string; to?: string; size?: string }, scorer: Scorer, file: (size: number) => readonly string[]): { items: EvalItem[]; dataset: string } {
  const sizes = GOT_SIZES[scorer.id];
  const size = args.size === undefined ? (sizes?.[0] ?? 0) : positiveNumber('size', args.size, { integer: true })!;
  if (sizes && !sizes.includes(size)) throw new UsageError(`--size must be one of ${sizes.join(', ')}, got ${size}`);
  const path = args.data ?? join(packageRoot(), ...file(size));
  const label = args.data ?? file(size).join('/');
  if (args.from === undefined && args.to === undefined) return { items: loadDataset(path, scorer.needsExpected), dataset: label };
  const from = positiveNumber('from', args.from ?? args.to, { integer: true })!;
  const to = positiveNumber('to', args.to ?? args.from, { integer: true })!;
  return { items: loadDatasetRange(path, scorer.needsExpected, from, to), dataset: `${label} rows ${from}-${to}` };
}

export function progressText(p: EvalProgress): string {
  const accuracy = p.done === 0 ? 0 : (100 * p.correct) / p.done;
  const perItem = p.doneThisSession > 0 ? p.elapsedMs / p.doneThisSession : undefined;
  const left = perItem === undefined ? '' : ` · ~${Math.ceil(((p.total - p.done) * perItem) / 1000)} s left`;
  return `${p.done}/${p.total} done · ${p.correct} correct (${accuracy.toFixed(0)}%) · ${formatUsd(p.costUsd)}${left}`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export function summaryText(results: EvalResults, taskScorer?: Scorer): string {
  const s = results.summary;
  const m = results.meta;
  const scorer = taskScorer ?? findScorer(m.task);
  const lines = [
    scorer?.judgesCorrectness === false
      ? `${m.technique} on ${m.dataset} (${m.task}, ${m.model}): ${s.total} items scored`
      : `${m.technique} on ${m.dataset} (${m.task}, ${m.model}): ${s.correct}/${s.total} correct = ${percent(s.accuracy)} (95% CI ${percent(s.accuracyCi95[0])}–${percent(s.accuracyCi95[1])})`,
  ];
  if (s.picks?.authors) {
    lines.push(`Final answer: top-valued state ${s.correct}/${s.total} correct; the authors' pick (first final state whose Answer uses the input numbers) ${s.picks.authors.correct}/${s.total}`);
  }
  if (s.metric && s.metric.count > 0) {
    const x = s.metric;
    const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
    lines.push(`${x.name === 'errors' ? 'Errors' : 'Score'} per item (${x.better} is better): median ${f(x.median)}, mean ${f(x.mean)}, quartiles ${f(x.q1)}–${f(x.q3)}, range ${f(x.min)}–${f(x.max)}`);
  }
  if (s.measures) lines.push(`Measures (mean per item): ${Object.entries(s.measures).map(([name, v]) => `${name} ${percent(v)}`).join(' · ')}`);
  if (scorer?.judgesCorrectness !== false) lines.push(`Samples: ${percent(s.sampleAccuracy)} correct; best of k: ${s.anyCorrect}/${s.total}`);
  if (s.replayed) lines.push(`Cache: ${s.replayed.calls} calls answered from earlier runs ($0 now; first paid ${formatUsd(s.replayed.costUsd)})`);
  lines.push(`Tokens: ${s.promptTokens} in / ${s.completionTokens} out · Cost: ${formatUsd(s.costUsd)} · ${m.resumed ? `${m.resumed} items from the checkpoint · ` : ''}Elapsed: ${(m.elapsedMs / 1000).toFixed(1)} s`);
  if (m.unfinishedSpend) lines.push(unfinishedText(m.unfinishedSpend));
  if ('batch' in m && m.batch) lines.push(batchSummary(m.batch as BatchMeta));
  return lines.join('\n');
}

/** Requests answered for items that then stopped: paid, so shown, though they are in no item's result. */
function unfinishedText(u: NonNullable<EvalResults['meta']['unfinishedSpend']>): string {
  return `Also spent on ${u.items} unfinished item${u.items === 1 ? '' : 's'}: ${u.calls} calls · ${u.promptTokens} in / ${u.completionTokens} out · ${formatUsd(u.costUsd)}`;
}
