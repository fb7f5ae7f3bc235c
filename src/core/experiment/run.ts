// runExperiment(): every technique of an experiment on every model, one evaluate() per pair ("a run"),
// one after another, each with its checkpoint, results and traces in the experiment's output folder.
// Then the report (accuracy against cost, the Pareto frontier) and the thresholds: report.md and
// experiment.json. Without `resume` each run starts over (earlier files of the same run are replaced;
// with the response cache, unchanged calls cost nothing); with it, finished items are kept.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { evaluate, type EvalProgress } from '../eval/evaluate';
import { evalPaths } from '../eval/resumable';
import type { EvalResults } from '../eval/types';
import type { ChatModel } from '../model/types';
import { Pricing, formatUsd, type PricingTable } from '../pricing';
import { buildReport, reportMarkdown, type Report } from '../report/pareto';
import type { Run, RunOptions, RunProfile } from '../run/run';
import type { RunMeta } from '../otel/runSpans';
import type { TechniqueHost } from '../techniques/types';
import { markdownTable } from '../compare/table';
import { experimentItems } from './items';
import { modelLabel, type Experiment, type ModelRef } from './load';
import { checkThresholds, runsOf, type ThresholdCheck } from './thresholds';

export interface ExperimentHost {
  /** The model of a matrix entry: a name at the experiment's server, or a profile (the host knows keys). */
  model(ref: ModelRef): ChatModel;
  /** The model to use when the experiment names none. */
  defaultModel: ModelRef;
  /** Profiles runs may call by name (eot participants, frugal stages): the file's and the host's. */
  profiles?: readonly RunProfile[];
  /** Prices besides the built-in ones (settings, --pricing); the experiment's own win. */
  prices?: PricingTable;
  /** Retries, logger, the response cache. */
  runOptions?: Omit<RunOptions, 'model' | 'signal' | 'concurrency' | 'pricing' | 'budget' | 'profiles'>;
  /** The folder holding data/ (shipped datasets). */
  dataRoot: string;
  /** Base folder and storage for techniques reading files (rag, icl); its templates give way to the experiment's (LoadOptions.templates). */
  techniqueHost?: TechniqueHost;
}

export interface ExperimentOptions {
  /** Continue each run's checkpoint instead of starting over. */
  resume?: boolean;
  signal?: AbortSignal;
  /** Before each run starts. */
  onRunStart?(run: { index: number; total: number; label: string; model: string; items: number }): void;
  /** After each item. */
  onItem?(run: { index: number; total: number; label: string; model: string }, progress: EvalProgress): void;
  /** Before each item's run starts (OpenTelemetry export): what it runs, for the trace's attributes. */
  onItemRunStart?(itemRun: Run, meta: RunMeta): void;
}

export interface ExperimentRun {
  label: string;
  technique: string;
  model: string;
  /** `<output>/<file>.json` etc. */
  file: string;
  results?: EvalResults;
  /** Why it did not run (or not to the end), if so. */
  stopped?: string;
}

export interface ExperimentResult {
  name: string;
  file: string;
  output: string;
  dataset: string;
  runs: ExperimentRun[];
  checks: ThresholdCheck[];
  /** Every run finished and every threshold held. */
  passed: boolean;
  /** Why it did not pass, one line each. */
  failures: string[];
  report: Report;
}

/** A file-name-safe name for the run of `label` on `model`. */
export function runFileName(label: string, model: string): string {
  return `${label}--${model}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export async function runExperiment(exp: Experiment, host: ExperimentHost, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const { items, dataset } = experimentItems(exp, host.dataRoot);
  const refs = exp.models.length ? exp.models : [host.defaultModel];
  // Every model is made before anything is sent, so a missing key or profile is found first.
  const models = refs.map((ref) => ({ label: modelLabel(ref), model: host.model(ref) }));
  mkdirSync(exp.output, { recursive: true });
  const pricing = new Pricing({ ...(host.prices ?? {}), ...exp.pricing });
  const pairs = models.flatMap((m) => exp.techniques.map((t) => ({ t, m })));
  const runs: ExperimentRun[] = [];
  let spent = 0;
  let cancelled = false;
  for (const [index, { t, m }] of pairs.entries()) {
    const file = runFileName(t.label, m.label);
    const run: ExperimentRun = { label: t.label, technique: t.technique.id, model: m.label, file };
    runs.push(run);
    const left = exp.maxUsd === undefined ? undefined : exp.maxUsd - spent;
    if (cancelled || options.signal?.aborted) {
      run.stopped = 'cancelled';
      continue;
    }
    if (left !== undefined && left <= 0) {
      run.stopped = `the experiment's budget of $${exp.maxUsd} was spent`;
      continue;
    }
    const paths = evalPaths(exp.output, file);
    if (!options.resume) for (const old of [paths.checkpoint, paths.traces, paths.results]) rmSync(old, { force: true });
    const info = { index, total: pairs.length, label: t.label, model: m.label };
    options.onRunStart?.({ ...info, items: items.length });
    const results = await evaluate({
      technique: t.technique,
      task: exp.task,
      scorer: exp.scorer,
      items,
      model: m.model,
      params: t.params,
      // The experiment's templates (the task is bound to them already); a host's would drop the file's folder.
      host: { ...host.techniqueHost, templates: exp.templates },
      concurrency: exp.concurrency,
      runOptions: { ...host.runOptions, pricing, budget: exp.perRun, profiles: host.profiles },
      maxUsd: left,
      checkpoint: paths.checkpoint,
      traces: exp.traces ? paths.traces : undefined,
      resume: options.resume,
      dataset,
      signal: options.signal,
      onItem: options.onItem ? (_item, p) => options.onItem!(info, p) : undefined,
      onRunStart: options.onItemRunStart
        ? (item, itemRun) =>
            options.onItemRunStart!(itemRun, {
              technique: t.technique,
              params: t.params,
              input: item.input,
              task: exp.task.id,
              attributes: { 'thoughtscope.experiment': exp.name, 'thoughtscope.experiment.run': t.label, 'thoughtscope.eval.item': item.index },
            })
        : undefined,
    });
    writeFileSync(paths.results, `${JSON.stringify(results, null, 2)}\n`);
    run.results = results;
    // What unfinished items paid for counts against the experiment's budget too.
    spent += (results.summary.costUsd ?? 0) + (results.meta.unfinishedSpend?.costUsd ?? 0);
    if (results.meta.unfinished > 0) run.stopped = results.meta.stopped ?? 'stopped';
    if (results.meta.stopped === 'cancelled') cancelled = true;
  }
  return finish(exp, dataset, runs);
}

function finish(exp: Experiment, dataset: string, runs: ExperimentRun[]): ExperimentResult {
  const done = runs.filter((r): r is ExperimentRun & { results: EvalResults } => r.results !== undefined);
  const outcomes = done.map((r) => ({ label: r.label, model: r.model, results: r.results }));
  const checks = checkThresholds(exp.thresholds, outcomes);
  const failures: string[] = [];
  for (const r of runs) {
    if (!r.stopped) continue;
    const finished = r.results ? r.results.items.length : 0;
    failures.push(`${r.label} on ${r.model}: ${finished}/${r.results?.meta.requested ?? '?'} items finished (${r.stopped})`);
  }
  for (const t of exp.thresholds) if (runsOf(t, outcomes).length === 0) failures.push(`"${t.text}" applies to no run that finished`);
  for (const c of checks) if (!c.pass) failures.push(`"${c.threshold}" failed: ${c.detail}`);
  const report = buildReport(done.map((r) => r.results));
  const result: ExperimentResult = { name: exp.name, file: exp.file, output: exp.output, dataset, runs, checks, passed: failures.length === 0, failures, report };
  writeFileSync(join(exp.output, 'report.md'), experimentMarkdown(result));
  writeFileSync(join(exp.output, 'experiment.json'), `${JSON.stringify(experimentJson(result), null, 2)}\n`);
  return result;
}

/** experiment.json: what ran, where its results are, and the verdict. */
function experimentJson(r: ExperimentResult) {
  return {
    name: r.name,
    file: relative(r.output, r.file),
    dataset: r.dataset,
    passed: r.passed,
    failures: r.failures,
    checks: r.checks,
    runs: r.runs.map((run) => ({
      label: run.label,
      technique: run.technique,
      model: run.model,
      results: run.results ? `${run.file}.json` : null,
      ...(run.results ? { accuracy: run.results.summary.accuracy, costUsd: run.results.summary.costUsd, items: run.results.summary.total } : {}),
      ...(run.stopped ? { stopped: run.stopped } : {}),
    })),
  };
}

/** report.md: the verdict and the thresholds first, then the evaluation report of the runs. */
export function experimentMarkdown(r: ExperimentResult): string {
  const checks = r.checks.map((c) => [c.pass ? 'pass' : '**FAIL**', c.threshold, `${c.label} on ${c.model}`, c.detail.split(': ').slice(1).join(': ')]);
  return [
    `# Experiment ${r.name}: ${r.passed ? 'passed' : 'FAILED'}`,
    '',
    ...(r.failures.length ? [...r.failures.map((f) => `- ${f}`), ''] : []),
    ...(checks.length ? [markdownTable(['', 'threshold', 'run', 'measured'], checks), ''] : ['No thresholds.', '']),
    `Runs: ${r.runs.map((run) => `${run.label} on ${run.model}${run.results ? ` (${run.results.summary.correct}/${run.results.summary.total}, ${formatUsd(run.results.summary.costUsd)} spent)` : ''}`).join('; ')}.`,
    '',
    reportMarkdown(r.report).replace(/^# Thoughtscope evaluation report/, '## Report'),
  ].join('\n');
}
