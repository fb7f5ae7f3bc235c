// The JSON trace written by `thoughtscope run --out` and by "Export trace" in the panel.
import type { ThoughtGraph } from './graph/thoughtGraph';
import type { ReplayedFrom, ReplayedTotals } from './graph/types';
import type { RunReport } from './engine';

export interface TraceNode {
  id: string;
  parents: string[];
  kind: string;
  text: string;
  score: number | null;
  status: string;
  usage: { promptTokens: number; completionTokens: number; estimated: boolean };
  costUsd: number | null;
  latencyMs: number;
  /** `replayed`: answered from the cache across runs (cost $0 now); when it was first sent and what it cost then. */
  calls: Array<{ role: string; model: string; prompt: string; responses: string[]; cached: boolean; usageSource: string; replayed?: ReplayedFrom }>;
}

export interface Trace {
  technique: string;
  task: string;
  params: Record<string, unknown>;
  model: string;
  input: string;
  outcome: string;
  message?: string;
  answer: string | null;
  nodes: TraceNode[];
  edges: Array<{ from: string; to: string; kind: string }>;
  totals: { calls: number; cachedCalls: number; replayed?: ReplayedTotals; promptTokens: number; completionTokens: number; estimated: boolean; costUsd: number | null; wallMs: number };
}

export function toTrace(report: RunReport, graph: ThoughtGraph): Trace {
  return {
    technique: report.technique,
    task: report.task,
    params: report.params,
    model: report.model,
    input: report.input,
    outcome: report.summary.outcome,
    message: report.summary.message,
    answer: report.summary.answer ?? null,
    nodes: graph.nodes().map((n) => ({
      id: n.id,
      parents: graph.parentsOf(n.id),
      kind: n.kind,
      text: n.text,
      score: n.score ?? null,
      status: n.status,
      usage: { ...n.usage },
      costUsd: n.costUsd,
      latencyMs: Math.round(n.latencyMs),
      calls: n.calls.map((c) => ({ role: c.role, model: c.model, prompt: c.prompt, responses: c.responses, cached: c.cached, usageSource: c.usageSource, ...(c.replayed ? { replayed: c.replayed } : {}) })),
    })),
    edges: graph.edges().map((e) => ({ from: e.from, to: e.to, kind: e.kind })),
    totals: report.summary.totals,
  };
}
