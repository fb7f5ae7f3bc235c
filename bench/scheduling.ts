// Section 1, scheduling: ToT (bfs, breadth 5, propose, value with 3 samples) on Game of 24 puzzles
// through evaluate(), against the loopback server with a fixed delay on every call. Compares the
// wall time at concurrency 64 with the same evaluation one call at a time and with the critical path.
import { findScorer } from '../src/core/eval/scorers';
import { evaluate } from '../src/core/eval/evaluate';
import type { EvalItem } from '../src/core/eval/types';
import type { Run } from '../src/core/run/run';
import { game24Task } from '../src/core/tasks/game24';
import { totTechnique } from '../src/core/techniques/tot';
import { modelAt } from '../test/support/runHelpers';
import { game24Reply, memoized } from './game24Model';
import { median, replyServer, round } from './models';

export const TOT_PARAMS = { search: 'bfs', breadth: 5, generate: 'propose', evaluate: 'value', evaluateSamples: 3, select: 'greedy' };

interface EvalTiming {
  wallMs: number;
  runs: Run[];
  correct: number;
}

async function timedEvaluation(baseUrl: string, items: EvalItem[], concurrency: number): Promise<EvalTiming> {
  const runs: Run[] = [];
  const started = performance.now();
  const results = await evaluate({
    technique: totTechnique,
    task: game24Task,
    scorer: findScorer('game24')!,
    items,
    model: modelAt(baseUrl),
    params: TOT_PARAMS,
    concurrency,
    runOptions: { budget: {} },
    onRunStart: (_item, run) => runs.push(run),
  });
  const wallMs = performance.now() - started;
  if (results.meta.unfinished > 0) throw new Error(`scheduling bench: ${results.meta.unfinished} items unfinished (${results.meta.stopped ?? ''})`);
  return { wallMs, runs, correct: results.summary.correct };
}

/**
 * The longest chain of dependent calls in one BFS run, from the graph's structure: step k's proposals
 * wait for all of step k-1's values (selection needs every score), and step k's values wait for its
 * proposals. So the chain is the sum, over each step's propose phase and value phase, of the slowest
 * call in that phase. Cached calls took no time and add nothing.
 */
export function criticalPathMs(run: Run): number {
  const slowest = new Map<string, number>();
  for (const node of run.graph.nodes()) {
    const step = typeof node.meta?.step === 'number' ? node.meta.step : 0;
    for (const call of node.calls) {
      const phase = call.role === 'value' ? `value ${step}` : `${call.role} ${step + 1}`;
      slowest.set(phase, Math.max(slowest.get(phase) ?? 0, call.latencyMs));
    }
  }
  return [...slowest.values()].reduce((s, ms) => s + ms, 0);
}

function callStats(runs: Run[]) {
  let requests = 0;
  let requestCacheHits = 0;
  let valueCacheHits = 0;
  let latencyMs = 0;
  for (const run of runs) {
    const totals = run.totals();
    requests += totals.calls;
    requestCacheHits += totals.cachedCalls;
    for (const node of run.graph.nodes()) {
      if (node.meta?.valueCached === true) valueCacheHits++;
      for (const call of node.calls) latencyMs += call.latencyMs;
    }
  }
  return { requests, requestCacheHits, valueCacheHits, latencyMs };
}

export interface SchedulingOptions {
  items: EvalItem[];
  delayMs: number;
  concurrency: number;
  repeats: number;
  log: (line: string) => void;
}

export async function benchScheduling(options: SchedulingOptions) {
  const { items, delayMs, concurrency, repeats, log } = options;
  const server = await replyServer(memoized(game24Reply), delayMs);
  try {
    // Warm-up (sockets, JIT, the reply memo), not counted.
    await timedEvaluation(server.baseUrl, items.slice(0, 2), concurrency);
    const parallel: EvalTiming[] = [];
    for (let i = 0; i < repeats; i++) {
      parallel.push(await timedEvaluation(server.baseUrl, items, concurrency));
      log(`  concurrency ${concurrency}, run ${i + 1}/${repeats}: ${Math.round(parallel[i].wallMs)} ms`);
    }
    log(`  one call at a time over ${items.length} puzzles (slow)...`);
    const serial = await timedEvaluation(server.baseUrl, items, 1);
    // Per puzzle: each puzzle alone at full concurrency, where its own critical path is the bound.
    const perPuzzle: number[] = [];
    for (const [i, item] of items.entries()) {
      const alone = await timedEvaluation(server.baseUrl, [item], concurrency);
      perPuzzle.push(alone.wallMs / criticalPathMs(serial.runs[i]));
    }
    const stats = callStats(serial.runs);
    const pathsMs = serial.runs.map(criticalPathMs);
    const criticalPath = Math.max(...pathsMs);
    // No schedule can beat the longest chain, nor the total call time shared among `concurrency` slots.
    const workBound = stats.latencyMs / concurrency;
    const lowerBound = Math.max(criticalPath, workBound);
    const wall = median(parallel.map((p) => p.wallMs));
    return {
      puzzles: items.length,
      delayMs,
      concurrency,
      repeats,
      solved: serial.correct,
      requests: stats.requests,
      valueCacheSaved: stats.valueCacheHits,
      requestCacheSaved: stats.requestCacheHits,
      wallMs: Math.round(wall),
      wallRunsMs: parallel.map((p) => Math.round(p.wallMs)),
      serialMs: Math.round(serial.wallMs),
      speedupVsSerial: round(serial.wallMs / wall),
      criticalPathMs: Math.round(criticalPath),
      medianPuzzleCriticalPathMs: Math.round(median(pathsMs)),
      workBoundMs: Math.round(workBound),
      wallOverLowerBound: round(wall / lowerBound, 2),
      wallOverCriticalPath: round(wall / criticalPath, 2),
      perPuzzleWallOverCriticalPath: { median: round(median(perPuzzle), 2), max: round(Math.max(...perPuzzle), 2) },
    };
  } finally {
    await server.close();
  }
}
