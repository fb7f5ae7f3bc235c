// Which prompt of trace a became which prompt of trace b, within one node kind and call role (for
// `thoughtscope diff`). Identical texts are the same prompt. Of the others, prompts made by a template
// pair by the template's name, in the order they were sent: a run whose template was rewritten sends
// prompts that may no longer look like their old selves, and the name still says which is which.
// Prompts without templates (traces from before templates were recorded) pair most alike first.
import { diffLines, structuredPatch } from 'diff';
import type { TemplateUse } from '../templates/types';

export interface Change<T> {
  a: T;
  b: T;
}

/** One distinct prompt of a role: the first call that sent it. */
export interface SentPrompt {
  node: string;
  prompt: string;
  model: string;
  cached: boolean;
  /** The templates it came from, the one that made it first; empty in older traces. */
  templates: readonly TemplateUse[];
}

export interface PromptPair {
  x: SentPrompt;
  y: SentPrompt;
  /** The template name both were made by, or null when they were paired by likeness. */
  template: string | null;
  /** Unified diff hunks ("@@ -1,3 +1,3 @@", then " ", "-" and "+" lines). */
  patch: string[];
}

export interface PairedPrompts {
  /** Distinct prompts sent in both (a's calls). */
  same: SentPrompt[];
  /** Changed prompts, in a's order. */
  pairs: PromptPair[];
  onlyA: SentPrompt[];
  onlyB: SentPrompt[];
}

/** Pairing prompts by likeness compares every unmatched pair; past this many pairs they are paired in order. */
const MAX_LIKENESS_PAIRS = 2500;

/** The name of the template that made the prompt, if one did. */
function templateOf(p: SentPrompt): string | undefined {
  return p.templates[0]?.name;
}

export function pairRolePrompts(a: readonly SentPrompt[], b: readonly SentPrompt[]): PairedPrompts {
  const inA = firstOf(a);
  const inB = firstOf(b);
  const leftA = [...inA.values()].filter((c) => !inB.has(c.prompt));
  const leftB = [...inB.values()].filter((c) => !inA.has(c.prompt));
  const named = pairByTemplate(leftA, leftB);
  const pairedA = new Set(named.map((p) => p.i));
  const pairedB = new Set(named.map((p) => p.j));
  const freeA = leftA.map((p, i) => ({ p, i })).filter(({ i }) => !pairedA.has(i));
  const freeB = leftB.map((p, i) => ({ p, i })).filter(({ i }) => !pairedB.has(i));
  const rest = freeA.length * freeB.length > MAX_LIKENESS_PAIRS ? pairInOrder(freeA, freeB) : pairByLikeness(freeA, freeB);
  for (const p of rest) {
    pairedA.add(p.i);
    pairedB.add(p.j);
  }
  const pairs = [...named, ...rest].sort((p, q) => p.i - q.i);
  return {
    same: [...inA.values()].filter((c) => inB.has(c.prompt)),
    pairs: pairs.map(({ i, j, template }) => ({ x: leftA[i], y: leftB[j], template, patch: patchLines(leftA[i].prompt, leftB[j].prompt) })),
    onlyA: leftA.filter((_, i) => !pairedA.has(i)),
    onlyB: leftB.filter((_, j) => !pairedB.has(j)),
  };
}

function firstOf(calls: readonly SentPrompt[]): Map<string, SentPrompt> {
  const first = new Map<string, SentPrompt>();
  for (const c of calls) if (!first.has(c.prompt)) first.set(c.prompt, c);
  return first;
}

interface IndexPair {
  i: number;
  j: number;
  template: string | null;
}

/** A prompt with its index among the unmatched prompts of its trace. */
interface Indexed {
  p: SentPrompt;
  i: number;
}

/** The k-th prompt of a template in a with its k-th in b. */
function pairByTemplate(a: readonly SentPrompt[], b: readonly SentPrompt[]): IndexPair[] {
  const inB = new Map<string, { at: number[]; taken: number }>();
  b.forEach((y, j) => {
    const name = templateOf(y);
    if (name === undefined) return;
    const list = inB.get(name);
    if (list) list.at.push(j);
    else inB.set(name, { at: [j], taken: 0 });
  });
  const pairs: IndexPair[] = [];
  a.forEach((x, i) => {
    const name = templateOf(x);
    const list = name === undefined ? undefined : inB.get(name);
    if (list && list.taken < list.at.length) pairs.push({ i, j: list.at[list.taken++], template: name! });
  });
  return pairs;
}

/** Two prompts of different templates are never paired: only where one of them has none. */
function pairable(x: SentPrompt, y: SentPrompt): boolean {
  return templateOf(x) === undefined || templateOf(y) === undefined;
}

/** What pairing by name left, most alike first (by lines in common). */
function pairByLikeness(a: readonly Indexed[], b: readonly Indexed[]): IndexPair[] {
  const scored: Array<{ i: number; j: number; common: number }> = [];
  for (const x of a) for (const y of b) if (pairable(x.p, y.p)) scored.push({ i: x.i, j: y.i, common: linesInCommon(x.p.prompt, y.p.prompt) });
  scored.sort((p, q) => q.common - p.common || p.i - q.i || p.j - q.j);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: IndexPair[] = [];
  for (const s of scored) {
    if (usedA.has(s.i) || usedB.has(s.j)) continue;
    usedA.add(s.i);
    usedB.add(s.j);
    pairs.push({ i: s.i, j: s.j, template: null });
  }
  return pairs;
}

/** Too many to compare each with each: the first pairable unused prompt of b, in order. */
function pairInOrder(a: readonly Indexed[], b: readonly Indexed[]): IndexPair[] {
  const used = new Set<number>();
  // One cursor for any prompt of b, one for those without a template; each only moves forward.
  const cursor = { any: 0, plain: 0 };
  const next = (plainOnly: boolean): number | undefined => {
    const key = plainOnly ? 'plain' : 'any';
    while (cursor[key] < b.length && (used.has(cursor[key]) || (plainOnly && templateOf(b[cursor[key]].p) !== undefined))) cursor[key]++;
    return cursor[key] < b.length ? cursor[key] : undefined;
  };
  const pairs: IndexPair[] = [];
  for (const x of a) {
    const k = next(templateOf(x.p) !== undefined);
    if (k === undefined) continue;
    used.add(k);
    pairs.push({ i: x.i, j: b[k].i, template: null });
  }
  return pairs;
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

/** A patch as indented lines, at most `maxLines` of it. */
export function patchText(patch: readonly string[], indent: string, maxLines: number): string[] {
  const lines = patch.slice(0, maxLines).map((line) => `${indent}${line}`);
  if (patch.length > maxLines) lines.push(`${indent}… ${patch.length - maxLines} more lines`);
  return lines;
}
