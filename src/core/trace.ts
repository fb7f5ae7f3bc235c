// The JSON trace written by `thoughtscope run --out` and by "Export trace" in the panel.
import type { ThoughtGraph } from './graph/thoughtGraph';
import type { ReplayedFrom, ReplayedTotals } from './graph/types';
import type { RunReport } from './engine';
import type { TemplateUse } from './templates/types';

export interface TraceNode {
  id: string;
  parents: string[];
  kind: string;
  text: string;
  score: number | null;
  status: string;
  usage: { promptTokens: number; completionTokens: number; estimated: boolean; cachedPromptTokens?: number; reasoningTokens?: number };
  costUsd: number | null;
  latencyMs: number;
  calls: TraceCall[];
}

export interface TraceCall {
  role: string;
  model: string;
  prompt: string;
  responses: string[];
  cached: boolean;
  usageSource: string;
  /** The templates the call's prompt came from (name, source, hash of the text, variables), so two runs' prompts can be compared. */
  templates?: TemplateUse[];
  notes?: string[];
  /** Request parameters the model does not take, left out (empty when none; absent in older traces). */
  droppedParams?: Array<{ param: string; value: unknown; note: string }>;
  /** The reasoning returned per response, when the server returned any. */
  reasoning?: string[];
  /** The reasoning effort asked for, null when none (absent in older traces). */
  reasoningEffort?: string | null;
  /** The seed sent, when the run has one. */
  seed?: number;
  /** Answered from the cache across runs (cost $0 now): when it was first sent, and what it used and cost then. */
  replayed?: ReplayedFrom;
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
  totals: { calls: number; cachedCalls: number; replayed?: ReplayedTotals; promptTokens: number; completionTokens: number; estimated: boolean; cachedPromptTokens?: number; reasoningTokens?: number; costUsd: number | null; wallMs: number };
  /** What changed how the run sampled ("temperature not supported by o4-mini: …"). */
  notes?: string[];
}

export function toTrace(report: RunReport, graph: ThoughtGraph): Trace {
  // Parents from one pass over the edges (asking the graph per node is quadratic in a large run).
  const parents = new Map<string, string[]>();
  for (const e of graph.edges()) {
    const list = parents.get(e.to);
    if (list) list.push(e.from);
    else parents.set(e.to, [e.from]);
  }
  return {
    technique: report.technique,
    task: report.task,
    params: report.params,
    model: report.model,
    input: report.input,
    outcome: report.summary.outcome,
    message: report.summary.message,
    ...(report.summary.notes?.length ? { notes: report.summary.notes } : {}),
    answer: report.summary.answer ?? null,
    nodes: graph.nodes().map((n) => ({
      id: n.id,
      parents: parents.get(n.id) ?? [],
      kind: n.kind,
      text: n.text,
      score: n.score ?? null,
      status: n.status,
      usage: { ...n.usage, cachedPromptTokens: n.usage.cachedPromptTokens ?? 0, reasoningTokens: n.usage.reasoningTokens ?? 0 },
      costUsd: n.costUsd,
      latencyMs: Math.round(n.latencyMs),
      calls: n.calls.map(
        (c): TraceCall => ({
          role: c.role,
          model: c.model,
          prompt: c.prompt,
          responses: c.responses,
          cached: c.cached,
          usageSource: c.usageSource,
          ...(c.templates ? { templates: c.templates } : {}),
          ...(c.notes ? { notes: c.notes } : {}),
          droppedParams: c.droppedParams ?? [],
          ...(c.reasoning ? { reasoning: c.reasoning } : {}),
          reasoningEffort: c.reasoningEffort ?? null,
          ...(c.seed !== undefined ? { seed: c.seed } : {}),
          ...(c.replayed ? { replayed: c.replayed } : {}),
        }),
      ),
    })),
    edges: graph.edges().map((e) => ({ from: e.from, to: e.to, kind: e.kind })),
    totals: { cachedPromptTokens: 0, reasoningTokens: 0, ...report.summary.totals },
  };
}

/**
 * The trace as the pieces of `JSON.stringify(trace, null, 2)` plus a newline, node by node, so a
 * large graph is written without building one string of all of it (which could exceed what a
 * JavaScript string may hold).
 */
export function* traceJsonChunks(trace: Trace): Generator<string> {
  const entries = Object.entries(trace).filter(([, v]) => v !== undefined);
  yield '{\n';
  for (const [i, [key, value]] of entries.entries()) {
    const comma = i < entries.length - 1 ? ',' : '';
    if (key === 'nodes' && Array.isArray(value) && value.length > 0) {
      yield `  "nodes": [\n`;
      for (const [j, node] of value.entries()) yield `    ${indent(JSON.stringify(node, null, 2), '    ')}${j < value.length - 1 ? ',' : ''}\n`;
      yield `  ]${comma}\n`;
    } else yield `  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}\n`;
  }
  yield '}\n';
}

function indent(json: string, prefix: string): string {
  return json.replace(/\n/g, `\n${prefix}`);
}
