// A saved trace back into a graph and a report, so a saved or compared run can be shown, inspected and
// exported without any model: node ids, parents, texts, statuses, scores, calls and totals come back.
import type { RunReport } from '../engine';
import type { CallRecord, GraphSnapshot, NodeKind, NodeStatus, EdgeKind, RunOutcome, ThoughtNode } from '../graph/types';
import type { ThoughtGraph } from '../graph/thoughtGraph';
import { ModelError, type ChatModel } from '../model/types';
import type { Trace } from '../trace';

export function snapshotFromTrace(trace: Trace): GraphSnapshot {
  const nodes: ThoughtNode[] = trace.nodes.map((n) => {
    const calls: CallRecord[] = n.calls.map((c) => ({
      role: c.role,
      model: c.model,
      prompt: c.prompt,
      responses: c.responses,
      // The trace keeps per-node totals only; a node's single call gets them.
      usage: n.calls.length === 1 ? { ...n.usage } : { promptTokens: 0, completionTokens: 0, estimated: true },
      usageSource: c.usageSource as CallRecord['usageSource'],
      costUsd: n.calls.length === 1 ? n.costUsd : null,
      latencyMs: n.calls.length === 1 ? n.latencyMs : 0,
      cached: c.cached,
      ...(c.reasoning ? { reasoning: c.reasoning } : {}),
      ...(c.droppedParams?.length ? { droppedParams: c.droppedParams } : {}),
      ...(c.reasoningEffort ? { reasoningEffort: c.reasoningEffort } : {}),
      ...(c.seed !== undefined ? { seed: c.seed } : {}),
      ...(c.templates ? { templates: c.templates } : {}),
      ...(c.replayed ? { replayed: c.replayed } : {}),
    }));
    const last = calls[calls.length - 1];
    return {
      id: n.id,
      kind: n.kind as NodeKind,
      text: n.text,
      status: n.status as NodeStatus,
      ...(n.score !== null ? { score: n.score } : {}),
      ...(last ? { model: last.model, prompt: last.prompt, response: last.responses[0] } : {}),
      calls,
      usage: { ...n.usage },
      costUsd: n.costUsd,
      latencyMs: n.latencyMs,
    };
  });
  return { nodes, edges: trace.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind as EdgeKind })) };
}

export function reportFromTrace(trace: Trace): RunReport {
  const answerNode = trace.nodes.find((n) => n.status === 'selected' && n.kind === 'answer') ?? trace.nodes.find((n) => n.status === 'selected');
  return {
    technique: trace.technique,
    task: trace.task,
    params: trace.params as RunReport['params'],
    model: trace.model,
    input: trace.input,
    summary: {
      outcome: trace.outcome as RunOutcome,
      ...(trace.answer !== null ? { answer: trace.answer } : {}),
      ...(answerNode ? { answerNodeId: answerNode.id } : {}),
      ...(trace.message ? { message: trace.message } : {}),
      totals: { ...trace.totals },
    },
  };
}

/**
 * Rebuild a saved graph inside `graph` (a fresh one), keeping node ids, so a saved run can take the
 * place of a live run in the view (inspector, export). Node ids are creation-ordered ("n0", "n1", ...).
 */
export function restoreGraph(graph: ThoughtGraph, trace: Trace): void {
  const snapshot = snapshotFromTrace(trace);
  for (const node of snapshot.nodes) {
    const added = graph.addNode({ kind: node.kind, text: node.text });
    if (added.id !== node.id) throw new Error(`cannot restore the saved graph: node ${node.id} is out of order`);
    Object.assign(added, node);
  }
  for (const e of snapshot.edges) graph.addEdge(e.from, e.to, e.kind, e.label);
}

/** The model of a restored run: it never calls anything. */
export function offlineModel(name: string): ChatModel {
  return {
    provider: 'saved',
    model: name,
    complete: () => Promise.reject(new ModelError('bad-request', 'A saved run has no model; rerun it to call one')),
  };
}
