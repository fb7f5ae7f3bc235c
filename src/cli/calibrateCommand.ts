// `thoughtscope calibrate`: choose a FrugalGPT cascade — which profiles, in what order, and their
// thresholds — on the training part of a labelled JSONL/CSV file, report it on the held-out part, and
// optionally save it as a profile in the --profiles file. Prompts come from the task (an id, "auto" or a
// task file) and the templates (built-in, ./.thoughtscope/templates, --templates DIR), as for `run`.
import { parseArgs } from 'node:util';
import { DatasetError, loadDataset } from '../core/eval/dataset';
import { formatUsd } from '../core/pricing';
import { splitNames } from '../core/profiles';
import { Run } from '../core/run/run';
import { AUTO_TASK } from '../core/tasks/registry';
import type { Task } from '../core/tasks/types';
import { TemplateError } from '../core/templates/errors';
import type { TemplateLibrary } from '../core/templates/library';
import { calibrateCascade, cascadeProfile, checkCalibrationPrompts, describeCalibration } from '../core/techniques/frugal/calibrate';
import type { Scorer } from '../core/techniques/frugal/stage';
import { positiveNumber, timeoutFlags, UsageError } from './args';
import { parseFlags } from './modelFlags';
import { cliRunProfiles, profileModel, readProfilesFile, writeProfilesFile } from './profilesFlag';
import { cliTask, cliTemplates } from './templatesFlag';

export const CALIBRATE_USAGE = `Usage:
  thoughtscope calibrate --profiles <file.json> --stages <a,b,c> --data <labelled.jsonl|.csv> [options]

  --stages a,b,c            candidate model profiles (with --order given: the cascade, cheapest first)
  --data <file>             JSONL lines {"input": ..., "expected": ...} (or a CSV with input,expected columns)
  --order search|given      search which candidates to chain and in what order, up to --max-length
                            (default search, as the paper's optimiser), or keep --stages as given
  --max-length <L>          longest cascade the search tries (default 3)
  --budget <usd>            mean USD per item: the most accurate cascade within it (the paper's objective);
                            without it, the cheapest cascade within --tolerance of the best single profile
  --tolerance <x>           accuracy may fall this far below the best single profile (default 0.02 = 2 points)
  --test-share <x>          share of the items held out to report on (default 0.5; 0: fit and report on all)
  --seed <n>                seed of the train/test split (default 0)
  --scorer agreement|judge  agreement among --samples answers (default), or a judge profile's 0-10 score
  --judge <profile>         scorer=judge: the judge, a cheap profile (required with --scorer judge)
  --samples <n>             scorer=agreement: answers per stage (default 3)
  --task <id|file>          the task: its prompts and how answers are read; auto (default: game24 for four
                            numbers, else generic), a built-in task or a task file (my.task.yaml)
  --templates <dir>         templates that override the built-in ones by name: <dir>/<name>.liquid (after
                            ./.thoughtscope/templates, which is always read)
  --concurrency <n>         requests in flight at once (default 4); --max-usd <usd> stops the calibration
  --save-profile <name>     add the chosen cascade to the --profiles file as a "cascade" profile
  --json                    print the result as JSON`;

const OPTIONS = {
  profiles: { type: 'string' },
  stages: { type: 'string' },
  data: { type: 'string' },
  scorer: { type: 'string', default: 'agreement' },
  judge: { type: 'string' },
  samples: { type: 'string', default: '3' },
  tolerance: { type: 'string', default: '0.02' },
  order: { type: 'string', default: 'search' },
  'max-length': { type: 'string', default: '3' },
  budget: { type: 'string' },
  'test-share': { type: 'string', default: '0.5' },
  seed: { type: 'string', default: '0' },
  temperature: { type: 'string', default: '0.7' },
  task: { type: 'string', default: AUTO_TASK },
  templates: { type: 'string' },
  concurrency: { type: 'string', default: '4' },
  'max-usd': { type: 'string' },
  timeout: { type: 'string', default: '120' },
  'save-profile': { type: 'string' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function calibrateCommand(argv: string[]): Promise<number> {
  const args = parseFlags(() => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values);
  if (args.help) {
    process.stdout.write(`${CALIBRATE_USAGE}\n`);
    return 0;
  }
  if (!args.profiles) throw new UsageError('--profiles <file.json> is required (the stages are profiles in it)');
  if (!args.data) throw new UsageError('--data <labelled.jsonl> is required');
  const names = splitNames(args.stages ?? '');
  if (names.length < 2) throw new UsageError('--stages needs at least two profile names, cheapest first, e.g. --stages mini,big');
  if (args.scorer !== 'agreement' && args.scorer !== 'judge') throw new UsageError(`--scorer must be agreement or judge, got "${args.scorer}"`);
  if (args.scorer === 'judge' && !args.judge) throw new UsageError('--scorer judge needs --judge <profile>, a cheap one: it rates every answer');
  if (args.order !== 'search' && args.order !== 'given') throw new UsageError(`--order must be search or given, got "${args.order}"`);
  const maxLength = positiveNumber('max-length', args['max-length'], { integer: true, min: 1 })!;
  const budgetUsd = positiveNumber('budget', args.budget);
  const testShare = positiveNumber('test-share', args['test-share'])!;
  if (testShare >= 1) throw new UsageError(`--test-share is the share of items held out, from 0 to below 1, got ${testShare}`);
  const seed = positiveNumber('seed', args.seed, { integer: true })!;
  const samples = positiveNumber('samples', args.samples, { integer: true, min: 1 })!;
  const tolerance = positiveNumber('tolerance', args.tolerance)!;
  if (tolerance > 1) throw new UsageError(`--tolerance is a share of accuracy from 0 to 1, got ${tolerance}`);
  const temperature = positiveNumber('temperature', args.temperature)!;
  const concurrency = positiveNumber('concurrency', args.concurrency, { integer: true, min: 1 })!;
  const maxUsd = positiveNumber('max-usd', args['max-usd']);
  const { timeoutMs } = timeoutFlags(args);
  const { taskFor, fixed } = calibrationTasks(args.task ?? AUTO_TASK, cliTemplates(args.templates));

  let items;
  try {
    // Items need an expected answer unless one task judges them all (game24).
    items = loadDataset(args.data, fixed?.judge === undefined);
  } catch (err) {
    if (err instanceof DatasetError) throw new UsageError(err.message);
    throw err;
  }
  if (testShare > 0 && items.length < 2) throw new UsageError(`--data has ${items.length} item; a train/test split needs at least 2 (or --test-share 0)`);
  try {
    checkCalibrationPrompts(taskFor, items, args.scorer as Scorer);
  } catch (err) {
    if (err instanceof TemplateError) throw new UsageError(err.message);
    throw err;
  }
  const definitions = readProfilesFile(args.profiles);
  const profiles = cliRunProfiles(definitions, { timeoutMs, warn: (m) => args.quiet || process.stderr.write(`thoughtscope: ${m}\n`) });
  const stages = names.map((name) => ({ name, model: profileModel(profiles, name) }));
  const judge = args.judge ? profileModel(profiles, args.judge) : undefined;

  const run = new Run({ model: stages[0].model, profiles, concurrency, budget: { maxUsd }, retry: { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 } });
  const onSigint = () => run.cancel();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await calibrateCascade(run, taskFor, items, { stages, scorer: args.scorer as Scorer, samples, temperature, judge, tolerance, budgetUsd, maxLength: args.order === 'search' ? maxLength : 0, testShare, seed }, (done) => {
      if (!args.quiet && process.stderr.isTTY) process.stderr.write(`\r\x1b[Kcalibrating: ${done} of ${items.length} items, ${formatUsd(run.totals().costUsd)}`);
    });
  } catch (err) {
    process.stderr.write(`\nthoughtscope: calibration stopped: ${run.budgetStop ?? (err as Error).message} (${formatUsd(run.totals().costUsd)} spent)\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (!args.quiet && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  }

  const saveAs = args['save-profile'];
  if (saveAs) {
    const profile = cascadeProfile(saveAs, names, result, args.scorer as Scorer, samples);
    const kept = definitions.filter((p) => p.name !== saveAs);
    if (kept.length !== definitions.length && definitions.find((p) => p.name === saveAs)?.provider !== 'cascade') {
      throw new UsageError(`--save-profile "${saveAs}" would replace a model profile; choose another name`);
    }
    writeProfilesFile(args.profiles, [...kept, profile]);
  }
  if (args.json) {
    const cascade = result.best.chain.map((i) => names[i]);
    process.stdout.write(`${JSON.stringify({ candidates: names, cascade, ...result, savedAs: saveAs ?? null, spentUsd: run.totals().costUsd }, null, 2)}\n`);
  } else {
    process.stdout.write(`Calibrated on ${items.length} items (${formatUsd(run.totals().costUsd)} spent).\n${describeCalibration(names, result).join('\n')}\n`);
    if (saveAs) process.stdout.write(`Saved as cascade profile "${saveAs}" in ${args.profiles}: --technique frugal --param stages=${saveAs}\n`);
  }
  return 0;
}

/** Each item's task, rendering from `templates`: one task for all (`fixed`), or with "auto" the built-in task its input matches. */
function calibrationTasks(name: string, templates: TemplateLibrary): { taskFor: (input: string) => Task; fixed?: Task } {
  if (name === AUTO_TASK) return { taskFor: (input) => cliTask(AUTO_TASK, input, templates) };
  const fixed = cliTask(name, '', templates);
  return { taskFor: () => fixed, fixed };
}
