// A run as OpenTelemetry spans, following the GenAI semantic conventions
// (https://opentelemetry.io/docs/specs/semconv/gen-ai/: gen-ai-spans.md for the model calls,
// gen-ai-agent-spans.md for the workflow span):
//   invoke_workflow <technique>          root, INTERNAL: the run (gen_ai.workflow.name = technique id)
//     thoughtscope.<kind>                one per graph node (links to its parent nodes' spans)
//       chat <model> / embeddings <model>  one per model call, CLIENT, gen_ai.* request/usage attributes
// Token counts use gen_ai.usage.* on the model call spans only: backends that sum usage over spans
// (and count a span with gen_ai.request.model as a model call) then count each token once; the node
// and run spans carry their sums as thoughtscope.usage.*. Cost has no convention: thoughtscope.cost_usd.
// Prompts, responses, the input and the answer are attributes only when content capture is on
// (gen_ai.input.messages / gen_ai.output.messages, Opt-In in the conventions).
//
// Timings come from the graph's events as they happen (a call's end is when it is recorded on its
// node, its start that minus its latency), so `watch` must be called before the run starts; the
// spans are made and ended at the run's end.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Span, type Tracer } from '@opentelemetry/api';
import type { CallRecord, GraphEvent, RunSummary, ThoughtNode } from '../graph/types';
import type { Run } from '../run/run';
import { resolveParams } from '../techniques/params';
import type { Technique } from '../techniques/types';

/** What the graph does not say about a run. */
export interface RunMeta {
  technique: Technique;
  /** Raw parameters as given to the run; defaults are filled in for the attributes. */
  params?: Record<string, unknown>;
  input: string;
  task?: string;
  /** The upstream's base URL (server.address / server.port of the model call spans). */
  baseUrl?: string;
  /** Extra attributes for the run span, e.g. the served request's id. */
  attributes?: Attributes;
}

export interface SpanOptions {
  /** Record prompts, responses, the input and the answer. */
  captureContent: boolean;
}

interface CallTiming {
  call: CallRecord;
  start: number;
  end: number;
}

interface NodeTiming {
  start: number;
  end: number;
  calls: CallTiming[];
}

/** Milliseconds since the epoch, with sub-millisecond precision. */
const now = () => performance.timeOrigin + performance.now();

/** Records a run's timings from its graph events and turns them into spans when the run finishes. */
export function watchRun(run: Run, meta: RunMeta, tracer: Tracer, options: SpanOptions): void {
  const started = now();
  const nodes = new Map<string, NodeTiming>();
  const unsubscribe = run.graph.on((event: GraphEvent) => {
    const t = now();
    if (event.type === 'nodeAdded') nodes.set(event.node.id, { start: t, end: t, calls: [] });
    else if (event.type === 'nodeUpdated') {
      const timing = nodes.get(event.node.id);
      if (!timing) return;
      timing.end = t;
      for (const call of event.node.calls.slice(timing.calls.length)) timing.calls.push({ call, start: Math.max(timing.start, t - call.latencyMs), end: t });
    } else if (event.type === 'runFinished') {
      unsubscribe();
      emitSpans(run, meta, event.summary, { start: started, end: t, nodes }, tracer, options);
    }
  });
}

function emitSpans(run: Run, meta: RunMeta, summary: RunSummary, timing: { start: number; end: number; nodes: Map<string, NodeTiming> }, tracer: Tracer, options: SpanOptions): void {
  const root = tracer.startSpan(`invoke_workflow ${meta.technique.id}`, { kind: SpanKind.INTERNAL, startTime: timing.start, attributes: runAttributes(run, meta, summary, options) }, ROOT_CONTEXT);
  if (summary.outcome === 'failed') {
    root.setAttribute('error.type', 'run_failed');
    root.setStatus({ code: SpanStatusCode.ERROR, message: summary.message });
  }
  const rootContext = trace.setSpan(ROOT_CONTEXT, root);
  const server = serverOf(meta.baseUrl);
  const provider = run.model.provider === 'openai-compatible' ? 'openai' : run.model.provider;
  const spans = new Map<string, Span>();
  for (const node of run.graph.nodes()) {
    const t = timing.nodes.get(node.id) ?? { start: timing.start, end: timing.end, calls: [] };
    const links: Link[] = run.graph.parentsOf(node.id).flatMap((p) => {
      const parent = spans.get(p);
      return parent ? [{ context: parent.spanContext(), attributes: { 'thoughtscope.edge': 'parent' } }] : [];
    });
    const span = tracer.startSpan(`thoughtscope.${node.kind}`, { kind: SpanKind.INTERNAL, startTime: t.start, attributes: nodeAttributes(node, run, options), links }, rootContext);
    spans.set(node.id, span);
    const nodeContext = trace.setSpan(ROOT_CONTEXT, span);
    for (const c of t.calls) {
      const operation = c.call.role === 'embed' ? 'embeddings' : 'chat';
      const callSpan = tracer.startSpan(`${operation} ${c.call.model}`, { kind: SpanKind.CLIENT, startTime: c.start, attributes: callAttributes(c.call, operation, provider, server, options) }, nodeContext);
      callSpan.end(c.end);
    }
    if (node.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: node.error });
    span.end(Math.max(t.end, ...t.calls.map((c) => c.end)));
  }
  root.end(timing.end);
}

function runAttributes(run: Run, meta: RunMeta, summary: RunSummary, options: SpanOptions): Attributes {
  const t = summary.totals;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'invoke_workflow',
    'gen_ai.workflow.name': meta.technique.id,
    'thoughtscope.technique': meta.technique.id,
    'thoughtscope.model': run.model.model,
    'thoughtscope.outcome': summary.outcome,
    'thoughtscope.calls': t.calls,
    'thoughtscope.cached_calls': t.cachedCalls,
    'thoughtscope.usage.input_tokens': t.promptTokens,
    'thoughtscope.usage.output_tokens': t.completionTokens,
    'thoughtscope.usage.estimated': t.estimated,
    ...(t.costUsd !== null ? { 'thoughtscope.cost_usd': t.costUsd } : {}),
    ...(meta.task ? { 'thoughtscope.task': meta.task } : {}),
    ...(summary.confidence !== undefined ? { 'thoughtscope.confidence': summary.confidence } : {}),
    ...(summary.message ? { 'thoughtscope.message': summary.message } : {}),
    ...meta.attributes,
  };
  for (const [name, value] of Object.entries(paramsOf(meta))) {
    attributes[`thoughtscope.param.${name}`] = value;
    if (name === 'temperature' && typeof value === 'number') attributes['gen_ai.request.temperature'] = value;
  }
  if (options.captureContent) {
    attributes['gen_ai.input.messages'] = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: meta.input }] }]);
    if (summary.answer !== undefined) attributes['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: summary.answer }], finish_reason: 'stop' }]);
  }
  return attributes;
}

/** The technique's parameters with defaults filled in; as given when they do not validate. */
function paramsOf(meta: RunMeta): Record<string, string | number | boolean> {
  try {
    return resolveParams(meta.technique.params, meta.params ?? {}, meta.technique.id);
  } catch {
    return Object.fromEntries(Object.entries(meta.params ?? {}).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' ? v : String(v)]));
  }
}

function nodeAttributes(node: ThoughtNode, run: Run, options: SpanOptions): Attributes {
  const attributes: Attributes = {
    'thoughtscope.node.id': node.id,
    'thoughtscope.node.kind': node.kind,
    'thoughtscope.node.status': node.status,
    'thoughtscope.node.parents': run.graph.parentsOf(node.id),
    'thoughtscope.usage.input_tokens': node.usage.promptTokens,
    'thoughtscope.usage.output_tokens': node.usage.completionTokens,
    ...(node.costUsd !== null ? { 'thoughtscope.cost_usd': node.costUsd } : {}),
    ...(node.score !== undefined ? { 'thoughtscope.node.score': node.score } : {}),
    ...(node.error ? { 'thoughtscope.node.error': node.error } : {}),
  };
  for (const [key, value] of Object.entries(node.meta ?? {})) attributes[`thoughtscope.node.meta.${key}`] = value;
  if (options.captureContent) attributes['thoughtscope.node.text'] = node.text;
  return attributes;
}

function callAttributes(call: CallRecord, operation: string, provider: string, server: { address: string; port: number } | undefined, options: SpanOptions): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': call.model,
    'gen_ai.response.model': call.model,
    'gen_ai.usage.input_tokens': call.usage.promptTokens,
    'gen_ai.usage.output_tokens': call.usage.completionTokens,
    'thoughtscope.call.role': call.role,
    'thoughtscope.call.cached': call.cached,
    'thoughtscope.usage.source': call.usageSource,
    ...(call.costUsd !== null ? { 'thoughtscope.cost_usd': call.costUsd } : {}),
    ...(operation === 'chat' && call.responses.length !== 1 ? { 'gen_ai.request.choice.count': call.responses.length } : {}),
    ...(server ? { 'server.address': server.address, 'server.port': server.port } : {}),
  };
  if (options.captureContent) {
    attributes['gen_ai.input.messages'] = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: call.prompt }] }]);
    if (operation === 'chat') attributes['gen_ai.output.messages'] = JSON.stringify(call.responses.map((r) => ({ role: 'assistant', parts: [{ type: 'text', content: r }], finish_reason: 'stop' })));
  }
  return attributes;
}

function serverOf(baseUrl: string | undefined): { address: string; port: number } | undefined {
  if (!baseUrl) return undefined;
  try {
    const url = new URL(baseUrl);
    return { address: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
  } catch {
    return undefined;
  }
}
