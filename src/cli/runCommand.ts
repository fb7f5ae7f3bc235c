// `thoughtscope run`: one technique on one input; prints the answer and totals, writes trace/Mermaid.
import { writeFileSync } from 'node:fs';
import { runTechnique, type RunReport } from '../core/engine';
import type { RunTotals } from '../core/graph/types';
import { OpenAIChatModel } from '../core/model/openaiModel';
import type { ChatModel } from '../core/model/types';
import { Pricing, formatUsd } from '../core/pricing';
import { cachedNote } from '../core/run/cachedNote';
import { collapsePruned } from '../core/render/collapse';
import { renderMermaid } from '../core/render/mermaid';
import { Run } from '../core/run/run';
import { AUTO_TASK, resolveTask, taskIds } from '../core/tasks/registry';
import { ParamError } from '../core/techniques/params';
import { findTechnique, techniqueIds } from '../core/techniques/registry';
import { toTrace } from '../core/trace';
import { readInputFlags, readPricingFile } from './fileFlags';
import { USAGE } from './usage';
import { cliStorageDir } from './storageDir';
import { runDiskCache } from './responseCache';
import { cliRunProfiles, profileModel, readProfilesFile } from './profilesFlag';
import { parseParamFlags, parseRunArgs, positiveNumber, UsageError } from './args';

export const OLLAMA_DEFAULT_URL = 'http://localhost:11434/v1';
const OLLAMA_DEFAULT_MODEL = 'llama3.2';

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.technique) throw new UsageError(`--technique is required; one of ${techniqueIds().join(', ')}`);
  const technique = findTechnique(args.technique);
  if (!technique) throw new UsageError(`unknown technique "${args.technique}"; known: ${techniqueIds().join(', ')}`);
  const input = readInputFlags(args.input, args['input-file']);
  const task = resolveTask(args.task ?? AUTO_TASK, input);
  if (!task) throw new UsageError(`unknown task "${args.task}"; known: ${taskIds().join(', ')}`);

  const envUrl = process.env.OPENAI_BASE_URL?.trim();
  const baseUrl = args['base-url'] ?? (envUrl || OLLAMA_DEFAULT_URL);
  const usingOllamaDefault = !args['base-url'] && !envUrl;
  const modelName = args.model || process.env.THOUGHTSCOPE_MODEL?.trim() || (baseUrl === OLLAMA_DEFAULT_URL ? OLLAMA_DEFAULT_MODEL : undefined);
  if (!modelName) throw new UsageError('--model is required (or set THOUGHTSCOPE_MODEL)');
  const apiKey = args['api-key'] ?? process.env.OPENAI_API_KEY;

  const concurrency = positiveNumber('concurrency', args.concurrency, { integer: true, min: 1 })!;
  const timeoutSeconds = positiveNumber('timeout', args.timeout, { min: 1 })!;
  const retries = positiveNumber('retries', args.retries, { integer: true })!;
  const budget = {
    maxCalls: positiveNumber('max-calls', args['max-calls'], { integer: true, min: 1 }),
    maxTokens: positiveNumber('max-tokens', args['max-tokens'], { integer: true, min: 1 }),
    maxUsd: positiveNumber('max-usd', args['max-usd']),
  };
  const pricing = new Pricing(args.pricing ? readPricingFile(args.pricing) : {});
  const rawParams = parseParamFlags(args.param);

  let model: ChatModel;
  try {
    model = new OpenAIChatModel({ baseUrl, model: modelName, apiKey, timeoutMs: timeoutSeconds * 1000, stream: args.stream });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (args.profile && !args.profiles) throw new UsageError('--profile needs --profiles <file.json>');
  const profiles = args.profiles
    ? cliRunProfiles(readProfilesFile(args.profiles), { timeoutMs: timeoutSeconds * 1000, stream: args.stream, warn: (m) => args.quiet || process.stderr.write(`thoughtscope: ${m}\n`) })
    : [];
  if (args.profile) model = profileModel(profiles, args.profile);
  const progress = args.quiet || !process.stderr.isTTY ? undefined : new Progress();
  const diskCache = runDiskCache(args['no-cache'], (m) => args.quiet || process.stderr.write(`thoughtscope: ${m}\n`));
  const run = new Run({
    model,
    profiles,
    diskCache,
    pricing,
    concurrency,
    budget,
    retry: { maxRetries: retries, baseDelayMs: 500, maxDelayMs: 30_000 },
    logger: {
      info: () => {},
      warn: (m) => progress?.note(m),
      error: () => {},
    },
  });
  if (progress) run.graph.on(() => progress.show(run.totals()));
  const onSigint = () => {
    process.stderr.write('\nCancelling…\n');
    run.cancel();
  };
  process.once('SIGINT', onSigint);

  let report: RunReport;
  try {
    report = await runTechnique({ technique, task, input, params: rawParams, run, host: { baseDir: process.cwd(), storageDir: cliStorageDir() } });
  } catch (err) {
    if (err instanceof ParamError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress?.clear();
  }

  // Whatever the outcome, what was computed is written out.
  if (args.out) writeFileSync(args.out, `${JSON.stringify(toTrace(report, run.graph), null, 2)}\n`);
  // What the panel draws by default: pruned subtrees collapsed above 150 nodes (--show-pruned: all).
  if (args.mermaid) writeFileSync(args.mermaid, renderMermaid(collapsePruned(run.graph.snapshot(), { mode: args['show-pruned'] ? 'never' : 'auto' })));

  const { summary } = report;
  const correct = summary.answer !== undefined && task.judge ? task.judge(input, summary.answer) : undefined;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ outcome: summary.outcome, answer: summary.answer ?? null, correct: correct ?? null, confidence: summary.confidence ?? null, message: summary.message, candidates: report.candidates, totals: summary.totals }, null, 2)}\n`);
  } else {
    if (summary.answer !== undefined) process.stdout.write(`Answer: ${summary.answer}\n`);
    if (summary.confidence !== undefined) process.stdout.write(`Confidence: ${Math.round(summary.confidence * 100)}% of the samples agree\n`);
    if (correct !== undefined) process.stdout.write(`Judged: ${correct ? 'correct' : 'incorrect'} (${task.id})\n`);
    process.stdout.write(`${formatTotals(summary.totals)}\n`);
  }
  if (summary.outcome === 'done') return 0;
  let message = summary.message ?? summary.outcome;
  if (usingOllamaDefault && /Cannot reach/.test(message)) {
    message += '. No model answered at Ollama\'s default URL: start Ollama and pull a model (ollama pull llama3.2), or set OPENAI_BASE_URL and OPENAI_API_KEY';
  }
  process.stderr.write(`thoughtscope: ${message}\n`);
  return 1;
}

export function formatTotals(t: RunTotals): string {
  const approx = t.estimated ? '~' : '';
  return `Calls: ${t.calls}${cachedNote(t)} · Tokens: ${approx}${t.promptTokens} in / ${approx}${t.completionTokens} out · Cost: ${formatUsd(t.costUsd)} · Wall: ${(t.wallMs / 1000).toFixed(1)} s`;
}

/** One live status line on stderr while the run goes (TTY only). */
class Progress {
  private last = 0;
  show(t: RunTotals): void {
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    process.stderr.write(`\r\x1b[K${formatTotals(t)}`);
  }
  note(message: string): void {
    process.stderr.write(`\r\x1b[K${message}\n`);
  }
  clear(): void {
    process.stderr.write('\r\x1b[K');
  }
}
