// `thoughtscope compare`: one input through several techniques (and models), a table on stdout.
import { parseArgs } from 'node:util';
import { compareTechniques, type CompareEntry } from '../core/compare/compare';
import { compareText } from '../core/compare/table';
import { findScorer, scorerIds } from '../core/eval/scorers';
import { AUTO_TASK } from '../core/tasks/registry';
import { ParamError } from '../core/techniques/params';
import { findTechnique, techniqueIds } from '../core/techniques/registry';
import type { Technique } from '../core/techniques/types';
import { parseParamFlags, positiveNumber, UsageError } from './args';
import { inputFlags } from './fileFlags';
import { checkWritable, writeOrRescue } from './outputFiles';
import { MODEL_OPTIONS, modelSetup, parseFlags } from './modelFlags';
import { stopTracing, tracingFromEnvironment } from './tracing';
import { cliTask, cliTemplates } from './templatesFlag';
import { COMPARE_USAGE } from './workbenchUsage';
import { reasoningEffortsFlag } from './runSettingsFlags';

const COMPARE_OPTIONS = {
  ...MODEL_OPTIONS,
  techniques: { type: 'string', short: 't' },
  models: { type: 'string' },
  task: { type: 'string', default: AUTO_TASK },
  param: { type: 'string', short: 'p', multiple: true },
  input: { type: 'string', short: 'i' },
  'input-file': { type: 'string' },
  'max-input-mb': { type: 'string' },
  expected: { type: 'string' },
  score: { type: 'string', default: 'exact' },
  concurrency: { type: 'string', default: '4' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function compareCommand(argv: string[]): Promise<number> {
  const args = parseFlags(() => parseArgs({ args: argv, options: COMPARE_OPTIONS, strict: true, allowPositionals: false }).values);
  if (args.help) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return 0;
  }
  const techniques = list(args.techniques, '--techniques').map((id) => {
    const technique = findTechnique(id);
    if (!technique) throw new UsageError(`unknown technique "${id}"; known: ${techniqueIds().join(', ')}`);
    return technique;
  });
  const input = inputFlags(args);
  const task = cliTask(args.task, input, cliTemplates(args.templates));
  const scorer = findScorer(args.score ?? 'exact');
  if (!scorer || !scorer.needsExpected) throw new UsageError(`--score must be one of ${scorerIds().filter((id) => findScorer(id)!.needsExpected).join(', ')}`);
  const concurrency = positiveNumber('concurrency', args.concurrency, { integer: true, min: 1 })!;
  const setup = modelSetup(args);
  const modelNames = args.models !== undefined ? list(args.models, '--models') : setup.defaultModel ? [setup.defaultModel] : [];
  if (modelNames.length === 0) throw new UsageError('--model or --models is required (or set THOUGHTSCOPE_MODEL)');
  const models = modelNames.map((name) => setup.make(name));
  const params = splitParams(parseParamFlags(args.param), techniques);
  const efforts = reasoningEffortsFlag(args['reasoning-effort']);
  const entries: CompareEntry[] = models.flatMap((model) => efforts.flatMap((reasoningEffort) => techniques.map((technique) => ({ technique, model, params: params.get(technique.id), ...(reasoningEffort ? { reasoningEffort } : {}) }))));
  checkWritable('out', args.out);

  const tracing = tracingFromEnvironment((m) => process.stderr.write(`thoughtscope: ${m}\n`));
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await compareTechniques({ input, task, entries, expected: args.expected, scorer: args.expected !== undefined ? scorer : undefined, concurrency, runOptions: { pricing: setup.pricing, retry: setup.retry, seed: setup.seed, diskCache: setup.diskCache }, signal: controller.signal,
      onRunStart: tracing && ((i, run) => tracing.watch(run, { technique: entries[i].technique, params: entries[i].params, input, task: task.id, baseUrl: setup.baseUrl })),
    });
  } catch (err) {
    if (err instanceof ParamError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await stopTracing(tracing, (m) => process.stderr.write(`thoughtscope: ${m}\n`));
  }
  if (args.json) process.stdout.write(`${JSON.stringify(result.rows.map(({ trace: _trace, ...row }) => row), null, 2)}\n`);
  else process.stdout.write(`${compareText(result)}\n`);
  const unwritten = args.out ? writeOrRescue('out', args.out, () => [`${JSON.stringify(result, null, 2)}\n`]) : undefined;
  if (unwritten) process.stderr.write(`thoughtscope: ${unwritten}\n`);
  const failed = result.rows.filter((r) => r.outcome !== 'done');
  for (const r of failed) process.stderr.write(`thoughtscope: ${r.technique} (${r.model}): ${r.message ?? r.outcome}\n`);
  return failed.length === 0 && !unwritten ? 0 : 1;
}

function list(raw: string | undefined, flag: string): string[] {
  const items = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} is required: a comma-separated list, e.g. ${flag === '--models' ? 'gpt-4o-mini,gpt-4o' : 'io,cot,tot'}`);
  return [...new Set(items)];
}

/**
 * `--param tot.breadth=3` goes to tot only; `--param samples=3` to every chosen technique that has a
 * "samples" parameter (and is an error when none has it).
 */
export function splitParams(raw: Record<string, string>, techniques: readonly Technique[]): Map<string, Record<string, string>> {
  const out = new Map(techniques.map((t) => [t.id, {} as Record<string, string>]));
  for (const [name, value] of Object.entries(raw)) {
    const dot = name.indexOf('.');
    if (dot > 0) {
      const id = name.slice(0, dot);
      if (!out.has(id)) throw new UsageError(`--param ${name}: "${id}" is not one of the compared techniques (${techniques.map((t) => t.id).join(', ')})`);
      out.get(id)![name.slice(dot + 1)] = value;
      continue;
    }
    const takers = techniques.filter((t) => t.params.some((p) => p.name === name));
    if (takers.length === 0) throw new UsageError(`--param ${name}: none of ${techniques.map((t) => t.id).join(', ')} has a parameter "${name}"`);
    for (const t of takers) out.get(t.id)![name] = value;
  }
  return out;
}
