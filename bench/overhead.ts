// Section 2, engine overhead: the scheduling run at 0 ms latency, CPU time per model call spent in
// Thoughtscope itself: the technique, the graph and its events, the Run's accounting, event batches
// serialized as the panel gets them, and the graph rendered to Mermaid text at every batch.
//   engine:      an in-memory model; the model's own CPU (measured by replaying the same requests
//                straight into it) is subtracted.
//   engine+HTTP: the real openai SDK against the loopback server running in a child process, so the
//                server's CPU is not in this process's count; the SDK and HTTP client are.
import { findScorer } from '../src/core/eval/scorers';
import { evaluate } from '../src/core/eval/evaluate';
import type { EvalItem } from '../src/core/eval/types';
import type { ChatModel, ChatRequest } from '../src/core/model/types';
import { renderMermaid } from '../src/core/render/mermaid';
import type { Run } from '../src/core/run/run';
import { game24Task } from '../src/core/tasks/game24';
import { totTechnique } from '../src/core/techniques/tot';
import { EventBatcher } from '../src/view/eventBatcher';
import { modelAt } from '../test/support/runHelpers';
import { game24Reply, memoized } from './game24Model';
import { inMemoryModel, median, round, startServerProcess } from './models';
import { TOT_PARAMS } from './scheduling';

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** What the extension does with a run's events: batches, serialized for postMessage, drawn as Mermaid. */
function watchLikeThePanel(run: Run): void {
  const batcher = new EventBatcher((events) => {
    JSON.stringify(events);
    renderMermaid(run.graph.snapshot());
  });
  run.graph.on((event) => batcher.push(event));
}

/** A model that also records every request it is sent (for the replay). */
function recording(model: ChatModel, requests: ChatRequest[]): ChatModel {
  return { ...model, complete: (request, options) => (requests.push(request), model.complete(request, options)) };
}

/** Yields to the event loop before answering, as a real response would, so timers (batches) run. */
function yielding(model: ChatModel): ChatModel {
  return { ...model, complete: async (request, options) => (await new Promise((r) => setImmediate(r)), model.complete(request, options)) };
}

async function cpuOfEvaluation(model: ChatModel, items: EvalItem[], concurrency: number): Promise<{ cpu: number; requests: number }> {
  let requests = 0;
  const runs: Run[] = [];
  const before = cpuMs();
  await evaluate({
    technique: totTechnique,
    task: game24Task,
    scorer: findScorer('game24')!,
    items,
    model,
    params: TOT_PARAMS,
    concurrency,
    onRunStart: (_item, run) => {
      runs.push(run);
      watchLikeThePanel(run);
    },
  });
  for (const run of runs) renderMermaid(run.graph.snapshot()); // the final drawing (CLI --mermaid)
  const cpu = cpuMs() - before;
  for (const run of runs) requests += run.totals().calls;
  return { cpu, requests };
}

export async function benchOverhead(options: { items: EvalItem[]; concurrency: number; repeats: number; log: (line: string) => void }) {
  const { items, concurrency, repeats, log } = options;
  const reply = memoized(game24Reply);
  const requests: ChatRequest[] = [];
  const model = yielding(inMemoryModel(reply));
  await cpuOfEvaluation(recording(model, requests), items, concurrency); // warm-up: fills the reply memo, JIT

  const engine: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { cpu, requests: calls } = await cpuOfEvaluation(model, items, concurrency);
    const replayStart = cpuMs();
    await Promise.all(requests.map((r) => model.complete(r)));
    const modelCpu = cpuMs() - replayStart;
    engine.push((cpu - modelCpu) / calls);
    log(`  engine only, run ${i + 1}/${repeats}: ${calls} calls, ${Math.round(cpu)} ms CPU, model ${Math.round(modelCpu)} ms`);
  }

  const { baseUrl, stop } = await startServerProcess();
  const withHttp: number[] = [];
  try {
    await cpuOfEvaluation(modelAt(baseUrl), items.slice(0, 5), concurrency); // warm-up
    for (let i = 0; i < repeats; i++) {
      const { cpu, requests: calls } = await cpuOfEvaluation(modelAt(baseUrl), items, concurrency);
      withHttp.push(cpu / calls);
      log(`  engine + openai SDK over HTTP, run ${i + 1}/${repeats}: ${calls} calls, ${Math.round(cpu)} ms CPU`);
    }
  } finally {
    await stop();
  }
  return {
    puzzles: items.length,
    repeats,
    engineCpuMsPerCall: round(median(engine), 3),
    engineRunsCpuMsPerCall: engine.map((v) => round(v, 3)),
    withHttpCpuMsPerCall: round(median(withHttp), 3),
    withHttpRunsCpuMsPerCall: withHttp.map((v) => round(v, 3)),
  };
}
