// Per template name, what changed between two traces (for `thoughtscope diff`): where its text came
// from in each run (built-in, workspace, user) with the hash of the text, whether the text changed, how
// many of the prompts it made changed, and one changed pair of those prompts with the template's
// variables that differ, so "I edited game24/value and ran again" reads as exactly that.
import type { TemplateSource } from '../templates/types';
import type { Trace } from '../trace';
import { patchText, type Change, type PairedPrompts, type PromptPair, type SentPrompt } from './promptPairs';

export interface TemplateVersion {
  source: TemplateSource;
  /** The first 16 hex digits of the SHA-256 of the template's text. */
  hash: string;
}

export interface TemplateExample {
  kind: string;
  role: string;
  nodeA: string;
  nodeB: string;
  patch: string[];
  /** The template's variables that differ between the two calls (null: not given in that call). */
  variables: Array<{ name: string } & Change<string | null>>;
}

export interface TemplateDiff {
  name: string;
  /** The template's versions in each run (normally one; none: not used in that run). */
  versions: Change<TemplateVersion[]>;
  /** Used in both runs, with different texts. */
  textChanged: boolean;
  /** Distinct prompts it made or was part of, per role: the same in both, changed (paired), only in a, only in b. */
  prompts: PromptCounts;
  /** One changed pair of its prompts (a pair paired by its name first). */
  example?: TemplateExample;
}

export interface PromptCounts {
  same: number;
  changed: number;
  onlyA: number;
  onlyB: number;
}

/** The prompts of one node kind and call role, paired. */
export interface RolePrompts {
  kind: string;
  role: string;
  paired: PairedPrompts;
}

export function diffTemplates(a: Trace, b: Trace, roles: readonly RolePrompts[]): TemplateDiff[] {
  const inA = versionsOf(a);
  const inB = versionsOf(b);
  return [...new Set([...inA.keys(), ...inB.keys()])].sort().map((name): TemplateDiff => {
    const versions = { a: inA.get(name) ?? [], b: inB.get(name) ?? [] };
    const uses = (p: SentPrompt) => p.templates.some((t) => t.name === name);
    const count = (pick: (p: PairedPrompts) => SentPrompt[]) => roles.reduce((n, r) => n + pick(r.paired).filter(uses).length, 0);
    const changed = roles.flatMap((r) => r.paired.pairs.filter((p) => uses(p.x) || uses(p.y)).map((pair) => ({ r, pair })));
    const shown = changed.find((c) => c.pair.template === name) ?? changed[0];
    return {
      name,
      versions,
      textChanged: versions.a.length > 0 && versions.b.length > 0 && hashes(versions.a) !== hashes(versions.b),
      prompts: { same: count((p) => p.same), changed: changed.length, onlyA: count((p) => p.onlyA), onlyB: count((p) => p.onlyB) },
      ...(shown ? { example: exampleOf(name, shown.r, shown.pair) } : {}),
    };
  });
}

/** Every template a trace's calls came from, with its distinct versions. */
function versionsOf(trace: Trace): Map<string, TemplateVersion[]> {
  const found = new Map<string, TemplateVersion[]>();
  for (const node of trace.nodes) {
    for (const call of node.calls) {
      for (const t of call.templates ?? []) {
        const list = found.get(t.name) ?? [];
        if (!list.some((v) => v.source === t.source && v.hash === t.hash)) list.push({ source: t.source, hash: t.hash });
        found.set(t.name, list);
      }
    }
  }
  return found;
}

function hashes(versions: readonly TemplateVersion[]): string {
  return versions.map((v) => v.hash).sort().join(',');
}

function exampleOf(name: string, r: RolePrompts, pair: PromptPair): TemplateExample {
  const varsA = pair.x.templates.find((t) => t.name === name)?.variables ?? {};
  const varsB = pair.y.templates.find((t) => t.name === name)?.variables ?? {};
  const names = [...new Set([...Object.keys(varsA), ...Object.keys(varsB)])].sort();
  const value = (vars: Record<string, string>, key: string) => (Object.hasOwn(vars, key) ? vars[key] : null);
  return {
    kind: r.kind,
    role: r.role,
    nodeA: pair.x.node,
    nodeB: pair.y.node,
    patch: pair.patch,
    variables: names.map((key) => ({ name: key, a: value(varsA, key), b: value(varsB, key) })).filter((v) => v.a !== v.b),
  };
}

// ---- text ----------------------------------------------------------------------------------------

/** The templates' part of `thoughtscope diff`'s text: the ones that changed in full, the rest by name. */
export function templateDiffText(templates: readonly TemplateDiff[], maxLines: number): string[] {
  if (templates.length === 0) return ['Templates: none recorded (traces written before prompts recorded their templates)'];
  const out = ['Templates:'];
  const unchanged: string[] = [];
  for (const t of templates) {
    const moved = versionsText(t.versions.a) !== versionsText(t.versions.b);
    if (!moved && t.prompts.changed === 0) {
      unchanged.push(t.name);
      continue;
    }
    out.push(`  ${t.name}: ${headline(t)}; prompts: ${promptCountsText(t.prompts)}`);
    if (!t.example) continue;
    if (t.textChanged) {
      out.push(`    e.g. ${t.example.kind}/${t.example.role}, a ${t.example.nodeA} / b ${t.example.nodeB}:`);
      out.push(...patchText(t.example.patch, '      ', maxLines));
    }
    if (t.example.variables.length) out.push(`    variables that differ${t.textChanged ? '' : ` (e.g. ${t.example.kind}/${t.example.role}, a ${t.example.nodeA} / b ${t.example.nodeB})`}:`);
    for (const v of t.example.variables) out.push(`      ${v.name}: ${v.a === null ? '(not given)' : oneLine(v.a)} → ${v.b === null ? '(not given)' : oneLine(v.b)}`);
  }
  if (unchanged.length) out.push(`  unchanged: ${unchanged.join(', ')}`);
  return out;
}

function headline(t: TemplateDiff): string {
  const a = versionsText(t.versions.a);
  const b = versionsText(t.versions.b);
  if (!t.versions.b.length) return `only in a (${a})`;
  if (!t.versions.a.length) return `only in b (${b})`;
  const which = a === b ? a : `${a} → ${b}`;
  return t.textChanged ? `text changed (${which})` : `the same text (${which})`;
}

function versionsText(versions: readonly TemplateVersion[]): string {
  return versions.map((v) => `${v.source} ${v.hash.slice(0, 8)}`).join(' + ');
}

export function promptCountsText(c: PromptCounts): string {
  return [`${c.same} the same`, `${c.changed} changed`, ...(c.onlyA ? [`${c.onlyA} only in a`] : []), ...(c.onlyB ? [`${c.onlyB} only in b`] : [])].join(', ');
}

/** A value on one line, quoted, clipped to 80 characters. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 79)}…` : flat);
}
