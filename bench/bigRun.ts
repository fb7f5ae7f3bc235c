// A large Tree of Thoughts run through the real engine, for the rendering and memory benchmarks:
// the generic task, breadth 10, 20 steps, a scripted model proposing 11 distinct steps per state and
// rating every one "likely", which gives 1 + 11 + 19 * 110 + 1 = 2,103 nodes.
import { runTechnique } from '../src/core/engine';
import type { GraphSnapshot } from '../src/core/graph/types';
import { Run } from '../src/core/run/run';
import { genericTask } from '../src/core/tasks/generic';
import { totTechnique } from '../src/core/techniques/tot';
import { inMemoryModel } from './models';

export const BIG_RUN_PARAMS = { search: 'bfs', breadth: 10, steps: 20, generate: 'propose', evaluate: 'value', evaluateSamples: 3 };
const PROPOSALS = 11;

/** A short, stable tag of a text (FNV-1a), so every state's proposals read differently. */
function tag(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

export function genericReply(prompt: string): string {
  if (prompt.trimEnd().endsWith('Next steps:')) {
    const t = tag(prompt);
    return Array.from({ length: PROPOSALS }, (_, i) => `Check case ${i + 1} of branch ${t}: does the constraint still hold there?`).join('\n');
  }
  return 'The reasoning is consistent so far.\nlikely';
}

/** Runs it; `watch` sees the Run before the first call (to listen to its graph). */
export async function bigRun(watch?: (run: Run) => void): Promise<Run> {
  const run = new Run({ model: inMemoryModel(genericReply, 'gpt-4o-mini'), concurrency: 64 });
  watch?.(run);
  const input = 'Plan the rollout of a schema migration across 40 services without downtime.';
  const report = await runTechnique({ technique: totTechnique, task: genericTask, input, params: BIG_RUN_PARAMS, run });
  if (report.summary.outcome !== 'done') throw new Error(`big run: ${report.summary.message}`);
  return run;
}

/** The first `n` nodes (in the order they were added, so a valid tree) and the edges among them. */
export function prefix(graph: GraphSnapshot, n: number): GraphSnapshot {
  const nodes = graph.nodes.slice(0, n);
  const kept = new Set(nodes.map((node) => node.id));
  return { nodes, edges: graph.edges.filter((e) => kept.has(e.from) && kept.has(e.to)) };
}
