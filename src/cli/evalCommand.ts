// `thoughtscope eval`: one technique over a dataset, scored, with a checkpoint and --resume, and with
// --traces each item's run trace.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DatasetError, loadDataset, loadGame24Range } from '../core/eval/dataset';
import { evaluateWithBatch, type BatchMeta, type BatchProgress } from '../core/eval/batch';
import { evaluate, type EvalProgress } from '../core/eval/evaluate';
import type { ChatModel } from '../core/model/types';
import type { Task } from '../core/tasks/types';
import type { Technique } from '../core/techniques/types';
import type { Scorer } from '../core/eval/scorers';
import { findScorer, scorerIds } from '../core/eval/scorers';
import type { EvalItem, EvalResults } from '../core/eval/types';
import { formatUsd } from '../core/pricing';
import { findTask } from '../core/tasks/registry';
import { ParamError } from '../core/techniques/params';
import { findTechnique, techniqueIds } from '../core/techniques/registry';
import { parseParamFlags, positiveNumber, UsageError } from './args';
import { defaultPuzzlesPath } from './puzzlesPath';
import { MODEL_OPTIONS, modelSetup, parseFlags, type ModelSetup } from './modelFlags';
import { stopTracing, tracingFromEnvironment } from './tracing';
import { EVAL_USAGE } from './workbenchUsage';

const EVAL_OPTIONS = {
  ...MODEL_OPTIONS,
  task: { type: 'string' },
  technique: { type: 'string', short: 't' },
  param: { type: 'string', short: 'p', multiple: true },
  data: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  puzzles: { type: 'string' },
  concurrency: { type: 'string', default: '4' },
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
  if (!args.task) throw new UsageError(`--task is required; one of ${scorerIds().join(', ')}`);
  const scorer = findScorer(args.task);
  if (!scorer) throw new UsageError(`unknown --task "${args.task}"; known: ${scorerIds().join(', ')}`);
  const task = findTask(scorer.taskId);
  if (!task) throw new UsageError(`the "${scorer.taskId}" task is not available in this build`);
  if (!args.technique) throw new UsageError(`--technique is required; one of ${techniqueIds().join(', ')}`);
  const technique = findTechnique(args.technique);
  if (!technique) throw new UsageError(`unknown technique "${args.technique}"; known: ${techniqueIds().join(', ')}`);
  if (!args.out) throw new UsageError('--out <results.json> is required');
  const concurrency = positiveNumber('concurrency', args.concurrency, { integer: true, min: 1 })!;
  const maxUsd = positiveNumber('max-usd', args['max-usd']);

  const { items, dataset } = loadItems(args, scorer.id, scorer.needsExpected);
  const setup = modelSetup(args);
  if (!setup.defaultModel) throw new UsageError('--model is required (or set THOUGHTSCOPE_MODEL)');
  const model = setup.make(setup.defaultModel);
  const checkpoint = args.checkpoint ?? `${args.out.replace(/\.json$/i, '')}.checkpoint.jsonl`;

  const params = parseParamFlags(args.param);
  const tracing = tracingFromEnvironment((m) => process.stderr.write(`\rthoughtscope: ${m}\n`));
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write(args.batch ? '\nStopping; the batch goes on at the provider, its id is in the checkpoint…\n' : '\nCancelling; finished items are kept in the checkpoint…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const live = !args.quiet && process.stderr.isTTY;
  let results: EvalResults;
  try {
    results = args.batch
      ? await evalBatch(args, { technique, task, scorer, items, model, params, dataset, checkpoint, setup, signal: controller.signal, live })
      : await evaluate({
          technique,
          task,
          scorer,
          items,
          model,
          params,
          concurrency,
          maxUsd,
          runOptions: { pricing: setup.pricing, retry: setup.retry },
          checkpoint,
          traces: args.traces,
          resume: args.resume,
          dataset,
          signal: controller.signal,
          onItem: live ? (_item, p) => process.stderr.write(`\r\x1b[K${progressText(p)}`) : undefined,
          onRunStart: tracing && ((item, run) => tracing.watch(run, { technique, params, input: item.input, task: task.id, baseUrl: setup.baseUrl, attributes: { 'thoughtscope.eval.item': item.index } })),
        });
  } catch (err) {
    if (err instanceof ParamError || err instanceof DatasetError || err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (live) process.stderr.write('\r\x1b[K');
    await stopTracing(tracing, (m) => process.stderr.write(`thoughtscope: ${m}\n`));
  }

  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${summaryText(results)}\n`);
  if (results.meta.unfinished === 0) return 0;
  const why = results.meta.stopped ?? 'stopped';
  process.stderr.write(`thoughtscope: ${why}; ${results.meta.unfinished} of ${results.meta.requested} items unfinished. Add --resume to the same command to finish them.\n`);
  return 1;
}

/** `--batch`: the unfinished items as one Batch API batch, polled with progress on stderr. */
async function evalBatch(
  args: { 'max-usd'?: string; 'poll-seconds': string; 'batch-discount': string; traces?: string; resume: boolean; quiet: boolean },
  o: { technique: Technique; task: Task; scorer: Scorer; items: EvalItem[]; model: ChatModel; params: Record<string, string>; dataset: string; checkpoint: string; setup: ModelSetup; signal: AbortSignal; live: boolean },
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
    runOptions: { pricing: o.setup.pricing, retry: o.setup.retry },
    checkpoint: o.checkpoint,
    traces: args.traces,
    resume: args.resume,
    dataset: o.dataset,
    signal: o.signal,
    client: o.setup.batchClient(),
    pollMs,
    priceFactor: 1 - discount,
    host: { baseDir: process.cwd() },
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

function loadItems(args: { data?: string; from?: string; to?: string; puzzles?: string }, scorerId: string, needExpected: boolean): { items: EvalItem[]; dataset: string } {
  const range = args.from !== undefined || args.to !== undefined;
  try {
    if (args.data !== undefined) {
      if (range) throw new UsageError('give either --data or --from/--to, not both');
      return { items: loadDataset(args.data, needExpected), dataset: args.data };
    }
    if (!range) throw new UsageError('give the items: --data <file.jsonl|file.csv>, or --from N --to M for game24');
    if (scorerId !== 'game24') throw new UsageError('--from/--to select Game of 24 puzzles; use --data for other tasks');
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

export function progressText(p: EvalProgress): string {
  const accuracy = p.done === 0 ? 0 : (100 * p.correct) / p.done;
  const perItem = p.doneThisSession > 0 ? p.elapsedMs / p.doneThisSession : undefined;
  const left = perItem === undefined ? '' : ` · ~${Math.ceil(((p.total - p.done) * perItem) / 1000)} s left`;
  return `${p.done}/${p.total} done · ${p.correct} correct (${accuracy.toFixed(0)}%) · ${formatUsd(p.costUsd)}${left}`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export function summaryText(results: EvalResults): string {
  const s = results.summary;
  const m = results.meta;
  return [
    `${m.technique} on ${m.dataset} (${m.task}, ${m.model}): ${s.correct}/${s.total} correct = ${percent(s.accuracy)} (95% CI ${percent(s.accuracyCi95[0])}–${percent(s.accuracyCi95[1])})`,
    `Samples: ${percent(s.sampleAccuracy)} correct; best of k: ${s.anyCorrect}/${s.total}`,
    `Tokens: ${s.promptTokens} in / ${s.completionTokens} out · Cost: ${formatUsd(s.costUsd)} · ${m.resumed ? `${m.resumed} items from the checkpoint · ` : ''}Elapsed: ${(m.elapsedMs / 1000).toFixed(1)} s`,
    ...('batch' in m && m.batch ? [batchSummary(m.batch as BatchMeta)] : []),
  ].join('\n');
}
