// What changed between two run traces (`thoughtscope diff a.json b.json`): the run (technique, task,
// model, input, outcome, answer), the parameters, the models called, the totals, and per node kind and
// call role the calls, tokens, cost and prompts, and per template what changed in its text and its
// prompts. Prompts are compared as texts: identical ones are counted, the others are paired (by the
// template that made them, else most alike first: promptPairs.ts) and shown as unified line diffs made
// by the `diff` package. Pure: the CLI reads the files and prints `traceDiffText`.
import { formatUsd } from '../pricing';
import type { Trace, TraceNode } from '../trace';
import { pairRolePrompts, patchText, type Change, type PairedPrompts, type SentPrompt } from './promptPairs';
import { diffTemplates, oneLine, promptCountsText, templateDiffText, type RolePrompts, type TemplateDiff } from './templateDiff';

export type { Change } from './promptPairs';
export type { TemplateDiff } from './templateDiff';

export interface PromptChange {
  /** Where the prompt was sent: the first node of each trace that sent it. */
  nodeA: string;
  nodeB: string;
  /** The template whose prompts these are, when they were paired by its name; null when paired by likeness. */
  template: string | null;
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
  /** Every template either trace's prompts came from, by name: its source and hash in each, and its prompts' changes. */
  templates: TemplateDiff[];
}

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
  const paired: RolePrompts[] = [];
  const kinds = [...new Set([...a.nodes.map((n) => n.kind), ...b.nodes.map((n) => n.kind)])].map((kind) =>
    diffKind(kind, a.nodes.filter((n) => n.kind === kind), b.nodes.filter((n) => n.kind === kind), paired),
  );
  const models = { added: modelsB.filter((m) => !modelsA.includes(m)), removed: modelsA.filter((m) => !modelsB.includes(m)) };
  return { run, params, models, totals, kinds, templates: diffTemplates(a, b, paired) };
}

function modelsOf(nodes: readonly TraceNode[]): string[] {
  return [...new Set(nodes.flatMap((n) => n.calls.map((c) => c.model)))].sort();
}

/** `paired` collects each role's prompt pairs, for the per-template summary. */
function diffKind(kind: string, a: TraceNode[], b: TraceNode[], paired: RolePrompts[]): KindDiff {
  const tokens = (nodes: TraceNode[]) => nodes.reduce((s, n) => s + n.usage.promptTokens + n.usage.completionTokens, 0);
  const cost = (nodes: TraceNode[]) => nodes.reduce<number | null>((s, n) => (s === null || n.costUsd === null ? null : s + n.costUsd), 0);
  const roles = [...new Set([...a, ...b].flatMap((n) => n.calls.map((c) => c.role)))];
  return {
    kind,
    nodes: { a: a.length, b: b.length },
    tokens: { a: tokens(a), b: tokens(b) },
    costUsd: { a: cost(a), b: cost(b) },
    roles: roles.map((role) => {
      const calls = { a: callsOf(a, role), b: callsOf(b, role) };
      const prompts = pairRolePrompts(calls.a, calls.b);
      paired.push({ kind, role, paired: prompts });
      return diffRole(role, calls, prompts);
    }),
  };
}

function callsOf(nodes: TraceNode[], role: string): SentPrompt[] {
  return nodes.flatMap((n) => n.calls.filter((c) => c.role === role).map((c) => ({ node: n.id, prompt: c.prompt, model: c.model, cached: c.cached, templates: c.templates ?? [] })));
}

function diffRole(role: string, calls: Change<SentPrompt[]>, prompts: PairedPrompts): RoleDiff {
  const { a, b } = calls;
  return {
    role,
    calls: { a: a.length, b: b.length },
    cached: { a: a.filter((c) => c.cached).length, b: b.filter((c) => c.cached).length },
    models: { a: [...new Set(a.map((c) => c.model))].sort(), b: [...new Set(b.map((c) => c.model))].sort() },
    same: prompts.same.length,
    changed: prompts.pairs.map((p) => ({ nodeA: p.x.node, nodeB: p.y.node, template: p.template, patch: p.patch })),
    onlyA: prompts.onlyA.length,
    onlyB: prompts.onlyB.length,
  };
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
  out.push(...templateDiffText(d.templates, maxLines));
  out.push('Per node kind:');
  for (const k of d.kinds) {
    out.push(`  ${k.kind}: ${arrow(k.nodes)} nodes · ${arrow(k.tokens)} tokens · ${arrow(k.costUsd, formatUsd)}`);
    for (const r of k.roles) {
      const models = r.models.a.join(',') === r.models.b.join(',') ? '' : ` · model ${r.models.a.join(', ') || '-'} → ${r.models.b.join(', ') || '-'}`;
      const cached = r.cached.a || r.cached.b ? ` (${arrow(r.cached)} cached)` : '';
      const prompts = promptCountsText({ same: r.same, changed: r.changed.length, onlyA: r.onlyA, onlyB: r.onlyB });
      out.push(`    ${r.role}: ${arrow(r.calls)} calls${cached}${models}; prompts: ${prompts}`);
      for (const change of r.changed.slice(0, maxPrompts)) {
        out.push(`      a ${change.nodeA} / b ${change.nodeB}${change.template ? ` (${change.template})` : ''}:`);
        out.push(...patchText(change.patch, '        ', maxLines));
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
