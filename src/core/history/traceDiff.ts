// What changed between two run traces (`thoughtscope diff a.json b.json`): the run (technique, task,
// model, input, outcome, answer), the parameters, the models called, the totals, and per node kind and
// call role the calls, tokens, cost and prompts. Prompts are compared as texts: identical ones are
// counted, the others are paired (most alike first) and shown as unified line diffs made by the `diff`
// package. Pure: the CLI reads the files and prints `traceDiffText`.
import { diffLines, structuredPatch } from 'diff';
import { formatUsd } from '../pricing';
import type { Trace, TraceNode } from '../trace';

export interface Change<T> {
  a: T;
  b: T;
}

export interface PromptChange {
  /** Where the prompt was sent: the first node of each trace that sent it. */
  nodeA: string;
  nodeB: string;
  /** Unified diff hunks ("@@ -1,3 +1,3 @@", then " ", "-" and "+" lines). */
  patch: string[];
}

export interface RoleDiff {
  role: string;
  calls: Change<number>;
  cached: Change<number>;
  models: Change<string[]>;
  /** Distinct prompts sent in both, changed (paired), only in a, only in b. */
  same: number;
  changed: PromptChange[];
  onlyA: number;
  onlyB: number;
}

export interface KindDiff {
  kind: string;
  nodes: Change<number>;
  tokens: Change<number>;
  costUsd: Change<number | null>;
  roles: RoleDiff[];
}

export interface TraceDiff {
  /** Fields of the run that differ (technique, task, model, input, outcome, answer). */
  run: Array<{ field: string } & Change<string>>;
  /** Parameters that differ; undefined: not set in that trace. */
  params: Array<{ name: string } & Change<unknown>>;
  models: { added: string[]; removed: string[] };
  totals: Array<{ name: string } & Change<number | null>>;
  kinds: KindDiff[];
}

/** Pairing prompts by likeness compares every unmatched pair; past this many pairs they are paired in order. */
const MAX_LIKENESS_PAIRS = 2500;

export function diffTraces(a: Trace, b: Trace): TraceDiff {
  const run = (['technique', 'task', 'model', 'input', 'outcome', 'answer'] as const)
    .map((field) => ({ field, a: String(a[field] ?? ''), b: String(b[field] ?? '') }))
    .filter((c) => c.a !== c.b);
  const names = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])].sort();
  const params = names.map((name) => ({ name, a: a.params[name], b: b.params[name] })).filter((c) => JSON.stringify(c.a) !== JSON.stringify(c.b));
  const modelsA = modelsOf(a.nodes);
  const modelsB = modelsOf(b.nodes);
  const ta = a.totals;
  const tb = b.totals;
  const totals = [
    { name: 'calls sent', a: ta.calls, b: tb.calls },
    { name: 'cached calls', a: ta.cachedCalls ?? 0, b: tb.cachedCalls ?? 0 },
    { name: 'prompt tokens', a: ta.promptTokens, b: tb.promptTokens },
    { name: 'completion tokens', a: ta.completionTokens, b: tb.completionTokens },
    { name: 'cost (USD)', a: ta.costUsd, b: tb.costUsd },
    { name: 'wall time (ms)', a: ta.wallMs, b: tb.wallMs },
  ];
  const kinds = [...new Set([...a.nodes.map((n) => n.kind), ...b.nodes.map((n) => n.kind)])].map((kind) => diffKind(kind, a.nodes.filter((n) => n.kind === kind), b.nodes.filter((n) => n.kind === kind)));
  return { run, params, models: { added: modelsB.filter((m) => !modelsA.includes(m)), removed: modelsA.filter((m) => !modelsB.includes(m)) }, totals, kinds };
}

function modelsOf(nodes: readonly TraceNode[]): string[] {
  return [...new Set(nodes.flatMap((n) => n.calls.map((c) => c.model)))].sort();
}

function diffKind(kind: string, a: TraceNode[], b: TraceNode[]): KindDiff {
  const tokens = (nodes: TraceNode[]) => nodes.reduce((s, n) => s + n.usage.promptTokens + n.usage.completionTokens, 0);
  const cost = (nodes: TraceNode[]) => nodes.reduce<number | null>((s, n) => (s === null || n.costUsd === null ? null : s + n.costUsd), 0);
  const roles = [...new Set([...a, ...b].flatMap((n) => n.calls.map((c) => c.role)))];
  return {
    kind,
    nodes: { a: a.length, b: b.length },
    tokens: { a: tokens(a), b: tokens(b) },
    costUsd: { a: cost(a), b: cost(b) },
    roles: roles.map((role) => diffRole(role, callsOf(a, role), callsOf(b, role))),
  };
}

interface SentPrompt {
  node: string;
  prompt: string;
  model: string;
  cached: boolean;
}

function callsOf(nodes: TraceNode[], role: string): SentPrompt[] {
  return nodes.flatMap((n) => n.calls.filter((c) => c.role === role).map((c) => ({ node: n.id, prompt: c.prompt, model: c.model, cached: c.cached })));
}

function diffRole(role: string, a: SentPrompt[], b: SentPrompt[]): RoleDiff {
  const firstOf = (calls: SentPrompt[]) => {
    const first = new Map<string, SentPrompt>();
    for (const c of calls) if (!first.has(c.prompt)) first.set(c.prompt, c);
    return first;
  };
  const inA = firstOf(a);
  const inB = firstOf(b);
  const leftA = [...inA.values()].filter((c) => !inB.has(c.prompt));
  const leftB = [...inB.values()].filter((c) => !inA.has(c.prompt));
  const pairs = pairPrompts(leftA, leftB);
  return {
    role,
    calls: { a: a.length, b: b.length },
    cached: { a: a.filter((c) => c.cached).length, b: b.filter((c) => c.cached).length },
    models: { a: [...new Set(a.map((c) => c.model))].sort(), b: [...new Set(b.map((c) => c.model))].sort() },
    same: [...inA.keys()].filter((p) => inB.has(p)).length,
    changed: pairs.map(([x, y]) => ({ nodeA: x.node, nodeB: y.node, patch: patchLines(x.prompt, y.prompt) })),
    onlyA: leftA.length - pairs.length,
    onlyB: leftB.length - pairs.length,
  };
}

/** Unmatched prompts paired most alike first (by lines in common), or in order when there are too many. */
function pairPrompts(a: SentPrompt[], b: SentPrompt[]): Array<[SentPrompt, SentPrompt]> {
  if (a.length * b.length > MAX_LIKENESS_PAIRS) return a.slice(0, b.length).map((x, i) => [x, b[i]]);
  const scored: Array<{ i: number; j: number; common: number }> = [];
  a.forEach((x, i) => b.forEach((y, j) => scored.push({ i, j, common: linesInCommon(x.prompt, y.prompt) })));
  scored.sort((p, q) => q.common - p.common || p.i - q.i || p.j - q.j);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: Array<{ i: number; j: number }> = [];
  for (const s of scored) {
    if (usedA.has(s.i) || usedB.has(s.j)) continue;
    usedA.add(s.i);
    usedB.add(s.j);
    pairs.push(s);
  }
  return pairs.sort((p, q) => p.i - q.i).map((p) => [a[p.i], b[p.j]]);
}

function linesInCommon(x: string, y: string): number {
  return diffLines(x, y).reduce((sum, part) => sum + (part.added || part.removed ? 0 : part.value.length), 0);
}

function patchLines(x: string, y: string): string[] {
  const patch = structuredPatch('a', 'b', withNewline(x), withNewline(y), '', '', { context: 2 });
  return patch.hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines]);
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

// ---- text ----------------------------------------------------------------------------------------

export interface DiffTextOptions {
  /** Changed prompts shown per role (the rest are counted); default 3. */
  prompts?: number;
  /** Lines shown per prompt diff; default 40. */
  lines?: number;
}

const show = (v: unknown) => (v === undefined ? '(unset)' : typeof v === 'string' ? JSON.stringify(v) : String(v));
const arrow = <T>(c: Change<T>, f: (v: T) => string = String) => (f(c.a) === f(c.b) ? f(c.a) : `${f(c.a)} → ${f(c.b)}`);

export function traceDiffText(d: TraceDiff, options: DiffTextOptions = {}): string {
  const maxPrompts = options.prompts ?? 3;
  const maxLines = options.lines ?? 40;
  const out: string[] = [];
  out.push(d.run.length ? 'Run:' : 'Run: the same technique, task, model, input, outcome and answer');
  for (const c of d.run) out.push(`  ${c.field}: ${oneLine(c.a)} → ${oneLine(c.b)}`);
  out.push(d.params.length ? 'Parameters:' : 'Parameters: the same');
  for (const p of d.params) out.push(`  ${p.name}: ${show(p.a)} → ${show(p.b)}`);
  if (d.models.added.length || d.models.removed.length) out.push(`Models called: ${[...d.models.removed.map((m) => `- ${m}`), ...d.models.added.map((m) => `+ ${m}`)].join(', ')}`);
  out.push('Totals:');
  for (const t of d.totals) out.push(`  ${t.name}: ${arrow(t, (v) => (v === null ? 'unknown' : t.name.startsWith('cost') ? formatUsd(v) : String(v)))}${delta(t)}`);
  out.push('Per node kind:');
  for (const k of d.kinds) {
    out.push(`  ${k.kind}: ${arrow(k.nodes)} nodes · ${arrow(k.tokens)} tokens · ${arrow(k.costUsd, formatUsd)}`);
    for (const r of k.roles) {
      const models = r.models.a.join(',') === r.models.b.join(',') ? '' : ` · model ${r.models.a.join(', ') || '-'} → ${r.models.b.join(', ') || '-'}`;
      const cached = r.cached.a || r.cached.b ? ` (${arrow(r.cached)} cached)` : '';
      const prompts = [`${r.same} the same`, `${r.changed.length} changed`, ...(r.onlyA ? [`${r.onlyA} only in a`] : []), ...(r.onlyB ? [`${r.onlyB} only in b`] : [])].join(', ');
      out.push(`    ${r.role}: ${arrow(r.calls)} calls${cached}${models}; prompts: ${prompts}`);
      for (const change of r.changed.slice(0, maxPrompts)) {
        out.push(`      a ${change.nodeA} / b ${change.nodeB}:`);
        const lines = change.patch.slice(0, maxLines);
        for (const line of lines) out.push(`        ${line}`);
        if (change.patch.length > lines.length) out.push(`        … ${change.patch.length - lines.length} more lines`);
      }
      if (r.changed.length > maxPrompts) out.push(`      … ${r.changed.length - maxPrompts} more changed prompts (--prompts N shows more)`);
    }
  }
  return out.join('\n');
}

function delta(c: Change<number | null>): string {
  if (c.a === null || c.b === null || c.a === c.b) return '';
  const d = c.b - c.a;
  const pct = c.a === 0 ? '' : `, ${d > 0 ? '+' : ''}${((100 * d) / c.a).toFixed(0)}%`;
  return ` (${d > 0 ? '+' : ''}${Number.isInteger(d) ? d : Number(d.toPrecision(3))}${pct})`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 79)}…` : flat);
}
