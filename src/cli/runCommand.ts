// `thoughtscope run`: one technique on one input; prints the answer and totals, writes trace/Mermaid.
import { runTechnique, type RunReport } from '../core/engine';
import type { GrowthLimits } from '../core/graph/growth';
import type { RunTotals } from '../core/graph/types';
import { OpenAIChatModel } from '../core/model/openaiModel';
import type { ChatModel } from '../core/model/types';
import { Pricing, formatUsd } from '../core/pricing';
import { cachedNote } from '../core/run/cachedNote';
import { collapsePruned } from '../core/render/collapse';
import { renderMermaid } from '../core/render/mermaid';
import { UnpricedBudgetError } from '../core/run/budget';
import { Run } from '../core/run/run';
import { ParamError } from '../core/techniques/params';
import { findTechnique, techniqueIds } from '../core/techniques/registry';
import { toTrace, traceJsonChunks } from '../core/trace';
import { inputFlags, readPricingFile } from './fileFlags';
import { checkWritable, writeOrRescue } from './outputFiles';
import { USAGE } from './usage';
import { stopTracing, tracingFromEnvironment } from './tracing';
import { cliStorageDir } from './storageDir';
import { cliTask, cliTemplates } from './templatesFlag';
import { runDiskCache } from './responseCache';
import { cliRunProfiles, profileModel, readProfilesFile } from './profilesFlag';
import { parseParamFlags, parseRunArgs, positiveNumber, timeoutFlags, UsageError, type RunArgs } from './args';
import { reasoningEffortFlag, seedFlag } from './runSettingsFlags';
import { sampleCommand } from './sampleCommand';

export const OLLAMA_DEFAULT_URL = 'http://localhost:11434/v1';
const OLLAMA_DEFAULT_MODEL = 'llama3.2';

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.sample) return sampleCommand(args);
  if (!args.technique) throw new UsageError(`--technique is required; one of ${techniqueIds().join(', ')}`);
  const technique = findTechnique(args.technique);
  if (!technique) throw new UsageError(`unknown technique "${args.technique}"; known: ${techniqueIds().join(', ')}`);
  const input = inputFlags(args);
  const templates = cliTemplates(args.templates);
  const task = cliTask(args.task, input, templates);

  const envUrl = process.env.OPENAI_BASE_URL?.trim();
  const baseUrl = args['base-url'] ?? (envUrl || OLLAMA_DEFAULT_URL);
  const usingOllamaDefault = !args['base-url'] && !envUrl;
  const modelName = args.model || process.env.THOUGHTSCOPE_MODEL?.trim() || (baseUrl === OLLAMA_DEFAULT_URL ? OLLAMA_DEFAULT_MODEL : undefined);
  if (!modelName) throw new UsageError('--model is required (or set THOUGHTSCOPE_MODEL)');
  const apiKey = args['api-key'] ?? process.env.OPENAI_API_KEY;

  const concurrency = positiveNumber('concurrency', args.concurrency, { integer: true, min: 1 })!;
  const timeouts = timeoutFlags(args);
  const retries = positiveNumber('retries', args.retries, { integer: true })!;
  const budget = {
    maxCalls: positiveNumber('max-calls', args['max-calls'], { integer: true, min: 1 }),
    maxTokens: positiveNumber('max-tokens', args['max-tokens'], { integer: true, min: 1 }),
    maxUsd: positiveNumber('max-usd', args['max-usd']),
  };
  const growth = growthFlags(args);
  const pricing = new Pricing(args.pricing ? readPricingFile(args.pricing) : {}, { source: `--pricing ${args.pricing}` });
  const reasoningEffort = reasoningEffortFlag(args['reasoning-effort']);
  const seed = seedFlag(args.seed);
  const rawParams = parseParamFlags(args.param);
  // Before anything is paid for: a path that cannot be written is a typo to fix now.
  checkWritable('out', args.out);
  checkWritable('mermaid', args.mermaid);

  let model: ChatModel;
  try {
    model = new OpenAIChatModel({ baseUrl, model: modelName, apiKey, ...timeouts, stream: args.stream });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (args.profile && !args.profiles) throw new UsageError('--profile needs --profiles <file.json>');
  const profiles = args.profiles
    ? cliRunProfiles(readProfilesFile(args.profiles), { ...timeouts, stream: args.stream, warn: (m) => args.quiet || process.stderr.write(`thoughtscope: ${m}\n`) })
    : [];
  if (args.profile) model = profileModel(profiles, args.profile);
  const progress = args.quiet || !process.stderr.isTTY ? undefined : new Progress();
  const diskCache = runDiskCache(args['no-cache'], (m) => args.quiet || process.stderr.write(`thoughtscope: ${m}\n`));
  const run = new Run({
    model,
    profiles,
    diskCache,
    pricing,
    reasoningEffort,
    seed,
    concurrency,
    budget,
    growth,
    retry: { maxRetries: retries, baseDelayMs: 500, maxDelayMs: 30_000 },
    logger: {
      info: () => {},
      warn: (m) => progress?.note(m),
      error: () => {},
    },
  });
  if (progress) run.graph.on((event) => progress.show(run.totals(), event.type === 'nodeUpdated' ? event.node.live : undefined));
  const tracing = tracingFromEnvironment((m) => (progress ? progress.note(`thoughtscope: ${m}`) : process.stderr.write(`thoughtscope: ${m}\n`)));
  tracing?.watch(run, { technique, params: rawParams, input, task: task.id, baseUrl });
  const onSigint = () => {
    process.stderr.write('\nCancelling…\n');
    run.cancel();
  };
  process.once('SIGINT', onSigint);

  let report: RunReport;
  try {
    report = await runTechnique({ technique, task, input, params: rawParams, run, host: { baseDir: process.cwd(), storageDir: cliStorageDir(), templates } });
  } catch (err) {
    // Refused before any call: a parameter, or a USD budget on a model with no price.
    if (err instanceof ParamError || err instanceof UnpricedBudgetError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress?.clear();
    await stopTracing(tracing, (m) => process.stderr.write(`thoughtscope: ${m}\n`));
  }

  // The answer first, then the files: a file that cannot be written loses nothing.
  const { summary } = report;
  const correct = summary.answer !== undefined && task.judge ? task.judge(input, summary.answer) : undefined;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ outcome: summary.outcome, answer: summary.answer ?? null, correct: correct ?? null, confidence: summary.confidence ?? null, message: summary.message, notes: summary.notes ?? [], candidates: report.candidates, totals: summary.totals }, null, 2)}\n`);
  } else {
    if (summary.answer !== undefined) process.stdout.write(`Answer: ${summary.answer}\n`);
    if (summary.confidence !== undefined) process.stdout.write(`Confidence: ${Math.round(summary.confidence * 100)}% of the samples agree\n`);
    if (correct !== undefined) process.stdout.write(`Judged: ${correct ? 'correct' : 'incorrect'} (${task.id})\n`);
    process.stdout.write(`${formatTotals(summary.totals)}\n`);
    for (const note of summary.notes ?? []) process.stdout.write(`Note: ${note}\n`);
  }
  const unwritten = writeOutputs(args, report, run);
  for (const line of unwritten) process.stderr.write(`thoughtscope: ${line}\n`);
  if (summary.outcome === 'done') return unwritten.length > 0 ? 1 : 0;
  let message = summary.message ?? summary.outcome;
  if (usingOllamaDefault && /Cannot reach/.test(message)) {
    message += '. No model answered at Ollama\'s default URL: start Ollama and pull a model (ollama pull llama3.2), or set OPENAI_BASE_URL and OPENAI_API_KEY';
  }
  process.stderr.write(`thoughtscope: ${message}\n`);
  return 1;
}

/** --max-nodes, --max-depth, --max-memory-mb: the run's growth limits (defaults when not given). */
function growthFlags(args: RunArgs): Partial<GrowthLimits> {
  const maxNodes = positiveNumber('max-nodes', args['max-nodes'], { integer: true, min: 1 });
  const maxDepth = positiveNumber('max-depth', args['max-depth'], { integer: true, min: 1 });
  const memoryMb = positiveNumber('max-memory-mb', args['max-memory-mb'], { min: 1, max: 65536 });
  return {
    ...(maxNodes !== undefined ? { maxNodes } : {}),
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(memoryMb !== undefined ? { maxMemoryBytes: memoryMb * 1024 * 1024 } : {}),
  };
}

/** Whatever the outcome, what was computed is written out; returns a line per output saved elsewhere. */
function writeOutputs(args: RunArgs, report: RunReport, run: Run): string[] {
  const lines: Array<string | undefined> = [];
  if (args.out) lines.push(writeOrRescue('out', args.out, () => traceJsonChunks(toTrace(report, run.graph))));
  // What the panel draws by default: pruned subtrees collapsed above 150 nodes (--show-pruned: all).
  if (args.mermaid) lines.push(writeOrRescue('mermaid', args.mermaid, () => [renderMermaid(collapsePruned(run.graph.snapshot(), { mode: args['show-pruned'] ? 'never' : 'auto' }))]));
  return lines.filter((l): l is string => l !== undefined);
}

export function formatTotals(t: RunTotals): string {
  const approx = t.estimated ? '~' : '';
  const parts = [t.cachedPromptTokens ? `${t.cachedPromptTokens} in from the prompt cache` : '', t.reasoningTokens ? `${t.reasoningTokens} reasoning` : ''].filter(Boolean);
  const details = parts.length ? ` (${parts.join(', ')})` : '';
  return `Calls: ${t.calls}${cachedNote(t)} · Tokens: ${approx}${t.promptTokens} in / ${approx}${t.completionTokens} out${details} · Cost: ${formatUsd(t.costUsd)} · Wall: ${(t.wallMs / 1000).toFixed(1)} s`;
}

/** One live status line on stderr while the run goes (TTY only): the totals, then the text streaming in. */
class Progress {
  private last = 0;
  private live = '';
  show(t: RunTotals, live?: string): void {
    if (live) this.live = live.replace(/\s+/g, ' ').trim();
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const line = formatTotals(t);
    const room = (process.stderr.columns ?? 100) - line.length - 4;
    const tail = this.live && room > 10 ? ` · ${this.live.length > room ? `…${this.live.slice(-(room - 1))}` : this.live}` : '';
    process.stderr.write(`\r\x1b[K${line}${tail}`);
  }
  note(message: string): void {
    process.stderr.write(`\r\x1b[K${message}\n`);
  }
  clear(): void {
    process.stderr.write('\r\x1b[K');
  }
}
