// `thoughtscope eval -c thoughtscope.yaml`: an experiment file's whole matrix (core/experiment), with
// checkpoints (--resume continues them), report.md and experiment.json in its output folder, and an
// exit code for CI: 0 when every run finished and every threshold held, 1 when not, 2 for a bad file.
import { ExperimentError, loadExperiment, type Experiment, type ModelRef } from '../core/experiment/load';
import { runExperiment, type ExperimentResult } from '../core/experiment/run';
import type { ChatModel } from '../core/model/types';
import { formatUsd } from '../core/pricing';
import { UsageError } from './args';
import { progressText, summaryText } from './evalCommand';
import { modelSetup, type ModelFlagValues } from './modelFlags';
import { readPricingFile } from './fileFlags';
import { reasoningEffortFlag } from './runSettingsFlags';
import { cliRunProfiles } from './profilesFlag';
import { packageRoot } from './puzzlesPath';
import { cliStorageDir } from './storageDir';
import { interruptible } from './interruptible';
import { cliTemplates } from './templatesFlag';
import { stopTracing, tracingFromEnvironment } from './tracing';

export interface ExperimentFlags extends ModelFlagValues {
  config: string;
  templates?: string;
  resume?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export async function experimentCommand(args: ExperimentFlags): Promise<number> {
  let exp: Experiment;
  try {
    // Templates as for `eval`: built-in, ./.thoughtscope/templates, --templates; the file's own folder goes over them.
    exp = loadExperiment(args.config, { templates: cliTemplates(args.templates) });
  } catch (err) {
    if (err instanceof ExperimentError) throw new UsageError(err.message);
    throw err;
  }
  const warn = (m: string) => args.quiet || process.stderr.write(`thoughtscope: ${m}\n`);
  // The file's server wins over the flags and the environment; its key comes from the variable it names.
  const keyEnv = exp.server.apiKeyEnv;
  if (keyEnv && !process.env[keyEnv]?.trim()) warn(`$${keyEnv} (server.apiKeyEnv in ${args.config}) is not set; requests are sent without a key`);
  const setup = modelSetup({ ...args, 'base-url': exp.server.baseUrl ?? args['base-url'], 'api-key': keyEnv ? (process.env[keyEnv]?.trim() ?? '') : args['api-key'] });
  const timeoutMs = Number(args.timeout ?? 120) * 1000;
  const profiles = exp.profiles.length ? cliRunProfiles(exp.profiles, { timeoutMs, stream: args.stream, warn }) : [];
  const model = (ref: ModelRef): ChatModel => {
    if ('name' in ref) return setup.make(ref.name);
    const found = profiles.find((p) => p.name === ref.profile)?.model;
    if (!found) throw new UsageError(`${args.config}: profile "${ref.profile}" is not available in the CLI (vscode-lm profiles need VS Code)`);
    return found;
  };
  if (exp.models.length === 0 && !setup.defaultModel) throw new UsageError(`${args.config} names no models: add "models:", or pass --model (or set THOUGHTSCOPE_MODEL)`);

  const live = !args.quiet && process.stderr.isTTY;
  // OTEL_EXPORTER_OTLP_*: every item's run is exported, named by its experiment, run and item.
  const tracing = tracingFromEnvironment((m) => process.stderr.write(`\rthoughtscope: ${m}\n`));
  const result: ExperimentResult = await interruptible('Cancelling; finished items are kept in the checkpoints (--resume continues)…', live, (signal) =>
    runExperiment(
      exp,
      {
        model,
        defaultModel: { name: setup.defaultModel ?? '' },
        profiles,
        prices: args.pricing ? readPricingFile(args.pricing) : {},
        runOptions: { retry: setup.retry, reasoningEffort: reasoningEffortFlag(args['reasoning-effort']), seed: setup.seed, diskCache: setup.diskCache, logger: { info() {}, warn: (m) => live && process.stderr.write(`\r\x1b[K${m}\n`), error() {} } },
        dataRoot: packageRoot(),
        techniqueHost: { baseDir: exp.dir, storageDir: cliStorageDir() },
      },
      {
        resume: args.resume,
        signal,
        onRunStart: (r) => args.quiet || process.stderr.write(`${live ? '\r\x1b[K' : ''}[${r.index + 1}/${r.total}] ${r.label} on ${r.model}: ${r.items} items\n`),
        onItem: live ? (r, p) => process.stderr.write(`\r\x1b[K[${r.index + 1}/${r.total}] ${r.label}: ${progressText(p)}`) : undefined,
        onItemRunStart: tracing && ((run, meta) => tracing.watch(run, meta)),
      },
    ),
  ).finally(() => stopTracing(tracing, (m) => process.stderr.write(`thoughtscope: ${m}\n`)));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ passed: result.passed, failures: result.failures, checks: result.checks, output: result.output }, null, 2)}\n`);
  } else {
    process.stdout.write(`${resultText(result)}\n`);
  }
  if (!result.passed) for (const f of result.failures) process.stderr.write(`thoughtscope: ${f}\n`);
  if (result.runs.some((r) => r.stopped) && !args.quiet) process.stderr.write('thoughtscope: add --resume to the same command to finish the unfinished items.\n');
  return result.passed ? 0 : 1;
}

function resultText(r: ExperimentResult): string {
  const lines: string[] = [];
  for (const run of r.runs) {
    if (run.results) lines.push(summaryText(run.results), '');
    else lines.push(`${run.label} on ${run.model}: not run (${run.stopped ?? 'skipped'})`, '');
  }
  for (const c of r.checks) lines.push(`${c.pass ? 'PASS' : 'FAIL'}  ${c.threshold}  (${c.detail})`);
  const spent = r.runs.reduce((s, run) => s + (run.results?.summary.costUsd ?? 0), 0);
  lines.push(`Experiment ${r.name}: ${r.passed ? 'passed' : 'FAILED'} · spent ${formatUsd(spent)} · report: ${r.output}/report.md`);
  return lines.join('\n');
}
