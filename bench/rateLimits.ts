// Rate limits (issue 15): ToT on Game of 24 puzzles through evaluate() at concurrency 64, against a
// loopback server that enforces a token bucket and answers 429 beyond it
// (test/support/providers/tokenBucket.ts), first with OpenAI's x-ratelimit-* headers, then with only
// Retry-After. Goal: with the headers, at least 90% of the allowed request rate and no item fails.
import { findScorer } from '../src/core/eval/scorers';
import { evaluate } from '../src/core/eval/evaluate';
import type { EvalItem } from '../src/core/eval/types';
import { OpenAIChatModel } from '../src/core/model/openaiModel';
import type { ChatResponse } from '../src/core/model/types';
import { RateGate, gateFor } from '../src/core/run/rateGate';
import { game24Task } from '../src/core/tasks/game24';
import { totTechnique } from '../src/core/techniques/tot';
import { startProvider } from '../test/support/providers/harness';
import { tokenBucketHandler } from '../test/support/providers/tokenBucket';
import { game24Reply, memoized } from './game24Model';
import { round } from './models';
import { TOT_PARAMS } from './scheduling';

export interface RateLimitOptions {
  items: EvalItem[];
  /** Requests per second the server allows. */
  perSecond: number;
  burst: number;
  delayMs: number;
  concurrency: number;
  log: (line: string) => void;
}

async function limitedEvaluation(options: RateLimitOptions, headers: boolean, name: string) {
  const { handler, stats } = tokenBucketHandler({ perSecond: options.perSecond, burst: options.burst, delayMs: options.delayMs, headers, answer: memoized(game24Reply) });
  const server = await startProvider(handler);
  try {
    const model = new OpenAIChatModel({ baseUrl: `${server.origin}/v1`, model: name });
    const started = performance.now();
    const results = await evaluate({ technique: totTechnique, task: game24Task, scorer: findScorer('game24')!, items: options.items, model, params: TOT_PARAMS, concurrency: options.concurrency, runOptions: { budget: {} } });
    const wallMs = performance.now() - started;
    const spanS = ((stats.lastAt ?? 0) - (stats.firstAt ?? 0)) / 1000;
    const achieved = spanS > 0 ? stats.answered / spanS : 0;
    // The last puzzles finish one chain of calls each, with too few requests left to fill the limit:
    // the rate up to the 95th percent of answers shows the pace while there was work for it.
    const at95 = stats.answeredAt[Math.floor(stats.answeredAt.length * 0.95) - 1] ?? stats.lastAt ?? 0;
    const steady = (Math.floor(stats.answeredAt.length * 0.95) / (at95 - (stats.firstAt ?? 0))) * 1000;
    options.log(`  ${headers ? 'with' : 'without'} x-ratelimit headers: ${stats.answered} answered, ${stats.limited} refused, ${round(achieved)} requests/s of ${options.perSecond} allowed (${round(steady)} up to 95% of the answers)`);
    return {
      answered: stats.answered,
      refused: stats.limited,
      wallMs: Math.round(wallMs),
      achievedPerSecond: round(achieved),
      shareOfAllowed: round(achieved / options.perSecond, 3),
      first95PercentPerSecond: round(steady),
      first95PercentShare: round(steady / options.perSecond, 3),
      itemsUnfinished: results.meta.unfinished,
      solved: results.summary.correct,
      finalConcurrency: gateFor(model).concurrency,
    };
  } finally {
    await server.close();
  }
}

/**
 * The gate alone, without HTTP or a technique: 64 workers, each request 20 ms, paced at the allowed
 * rate. How close pacing by timers gets, apart from the CPU the rest of a run needs.
 */
async function gateAlone(perSecond: number, requests: number) {
  const gate = new RateGate({ rpm: perSecond * 60 });
  const signal = new AbortController().signal;
  const answer: ChatResponse = { choices: [''], usage: { promptTokens: 0, completionTokens: 0, estimated: false }, usageSource: 'reported', model: 'm', latencyMs: 20, requests: 1 };
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (started < requests) {
        started++;
        await gate.run(() => new Promise((resolve) => setTimeout(() => resolve(answer), 20)), 0, signal);
      }
    }),
  );
  const perSecondAchieved = requests / ((performance.now() - t0) / 1000);
  return { requests, achievedPerSecond: round(perSecondAchieved), shareOfAllowed: round(perSecondAchieved / perSecond, 3) };
}

export async function benchRateLimits(options: RateLimitOptions) {
  return {
    gateAlone: await gateAlone(options.perSecond, 2000),
    puzzles: options.items.length,
    allowedPerSecond: options.perSecond,
    burst: options.burst,
    delayMs: options.delayMs,
    concurrency: options.concurrency,
    withHeaders: await limitedEvaluation(options, true, 'bench-rate-headers'),
    retryAfterOnly: await limitedEvaluation(options, false, 'bench-rate-retry-after'),
  };
}
