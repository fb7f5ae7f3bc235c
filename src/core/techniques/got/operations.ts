// The operations of a Graph of Thoughts (Besta et al., 2024), one small class each. An operation takes
// thoughts and passes thoughts on; new thoughts become graph nodes with the operation as edge label,
// and an aggregation is one node with an edge from every thought it merged. Model calls are recorded
// on the node whose thought they work on (the merged node for Aggregate).
import type { EdgeKind } from '../../graph/types';
import type { Run } from '../../run/run';
import type { TemplateLibrary } from '../../templates/library';
import type { RenderedPrompt } from '../../templates/types';
import { answerOf } from './answers';
import { findErrorFunction, type ErrorFunction } from './functions';
import {
  PLACEHOLDER,
  type AggregateSpec,
  type GenerateSpec,
  type GroundTruthSpec,
  type KeepBestSpec,
  type OperationSpec,
  type PromptSpec,
  type RefineSpec,
  type ScoreSpec,
  type SelectSpec,
  type ValidateAndImproveSpec,
} from './schema';

export interface Thought {
  nodeId: string;
  text: string;
  /** What the thought works on: a split part, the parts merged into it, or the input. Error functions compare against it. */
  source: string;
  /** 1-based position among the parts of the split that made it. */
  part?: number;
  /** A merged thought: the texts of the thoughts it merged (for checks that compare a merge with its parts). */
  merged?: string[];
  score?: number;
  better?: 'higher' | 'lower';
}

/** What every operation needs: the run, the input, and helpers to ask the model and add thoughts. */
export class GotContext {
  constructor(
    readonly run: Run,
    readonly input: string,
    readonly temperature: number,
    readonly templates: TemplateLibrary,
  ) {}

  /**
   * The prompt for these values: inline text with its {placeholders} filled in one pass (so text put in
   * is never read as a placeholder itself), or the named template rendered with them and its variables.
   */
  prompt(spec: PromptSpec, values: Record<string, string>): RenderedPrompt {
    if (typeof spec === 'string') return { text: spec.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole), templates: [] };
    return this.templates.render(spec.template, { ...spec.variables, ...values });
  }

  /**
   * Every request is sent, as the reference sends it: the salt (operation and thought) keeps the run's
   * cache from handing one thought's replies to another thought or a later operation with the same prompt.
   */
  async ask(nodeId: string, role: string, prompt: RenderedPrompt, n: number): Promise<string[]> {
    const request = { messages: [{ role: 'user' as const, content: prompt.text }], temperature: this.temperature, n, cacheSalt: `${role}@${nodeId}` };
    const response = await this.run.call(nodeId, role, request, { templates: prompt.templates });
    return response.choices;
  }

  /** A new thought made from `parents`; `like` gives the source, part and merged texts it carries on. */
  addThought(text: string, parents: readonly Thought[], kind: EdgeKind, label: string, op: OperationSpec, like: Pick<Thought, 'source' | 'part' | 'merged'>): Thought {
    const meta: Record<string, string | number> = { operation: op.id, type: op.type };
    if (like.part !== undefined) meta.part = like.part;
    const node = this.run.graph.addNode({ kind: 'thought', text, meta }, parents.map((p) => ({ id: p.nodeId, kind, label })));
    return { nodeId: node.id, text, source: like.source, part: like.part, ...(like.merged ? { merged: like.merged } : {}) };
  }

  /**
   * `work` on every thought, all in flight at once as with Promise.all, but started with a turn of the
   * event loop every 256 starts: a graph that multiplies thoughts can start a hundred thousand calls,
   * and a Ctrl+C must be seen between them.
   */
  async eachThought<T>(inputs: readonly Thought[], work: (t: Thought) => Promise<T>): Promise<T[]> {
    const started: Promise<T>[] = [];
    try {
      for (const [i, t] of inputs.entries()) {
        if (i > 0 && i % 256 === 0) await this.run.pause();
        const p = work(t);
        p.catch(() => {}); // seen by Promise.all below; unhandled only if a pause throws first
        started.push(p);
      }
    } catch (err) {
      void Promise.allSettled(started);
      throw err;
    }
    return Promise.all(started);
  }

  setScore(t: Thought, score: number | undefined, better: 'higher' | 'lower', extra: Record<string, string | number | boolean> = {}): void {
    t.score = score;
    t.better = better;
    const node = this.run.graph.get(t.nodeId);
    this.run.graph.update(t.nodeId, { score, meta: { ...node.meta, ...extra } });
  }
}

export abstract class Operation<S extends OperationSpec = OperationSpec> {
  constructor(readonly spec: S) {}

  /** The edge label of thoughts this operation makes: its type, and its id when the file gave one. */
  get label(): string {
    return /^op\d+$/.test(this.spec.id) ? this.spec.type : `${this.spec.type}: ${this.spec.id}`;
  }

  abstract execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]>;
}

/** Generate(k): k responses per thought; a response may be split into several thoughts (parts). */
export class Generate extends Operation<GenerateSpec> {
  async execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    const groups = await ctx.eachThought(inputs, async (t) => {
      const prompt = ctx.prompt(this.spec.prompt, { input: ctx.input, thought: t.text, source: t.source });
      const responses = await ctx.ask(t.nodeId, `generate: ${this.spec.id}`, prompt, this.spec.responses);
      return responses.flatMap((response) => {
        const pieces = splitResponse(response, this.spec.split);
        if (pieces === undefined) return [ctx.addThought(answerOf(response, this.spec.answer), [t], 'expand', this.label, this.spec, t)];
        return pieces.map((piece, i) => ctx.addThought(piece, [t], 'expand', this.label, this.spec, { source: piece, part: i + 1 }));
      });
    });
    return groups.flat();
  }
}

/** The pieces of a response ("lines" or "json"); undefined when it is kept whole or cannot be split. */
export function splitResponse(response: string, split: GenerateSpec['split']): string[] | undefined {
  if (split === 'none') return undefined;
  if (split === 'lines') {
    const lines = response.split(/\r?\n/).map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim()).filter(Boolean);
    return lines.length > 0 ? lines : undefined;
  }
  const start = response.search(/[[{]/);
  const end = Math.max(response.lastIndexOf('}'), response.lastIndexOf(']'));
  if (start < 0 || end < start) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const values = Array.isArray(parsed) ? parsed : typeof parsed === 'object' && parsed !== null ? Object.values(parsed) : [];
  const pieces = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v).replace(/,/g, ', '))).filter((p) => p.trim() !== '');
  return pieces.length > 0 ? pieces : undefined;
}

/** Selector: the thoughts that are one part of a split. */
export class Select extends Operation<SelectSpec> {
  async execute(_ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    return inputs.filter((t) => t.part === this.spec.part);
  }
}

/**
 * Score: an error function (no call) or the model, over `samples` replies. Replies with Redundancy and
 * Retained scores give the harmonic mean of the mean redundancy and the mean retention (the GoT
 * reference's document-merging score); otherwise the mean of the "Score:" values.
 */
export class Score extends Operation<ScoreSpec> {
  async execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    const fn = findErrorFunction(this.spec.scorer);
    await ctx.eachThought(inputs, async (t) => {
      if (fn) {
        const errors = fn.errors(t.text, t.source, ctx.input, t.merged);
        ctx.setScore(t, errors, 'lower', { errors });
        return;
      }
      const prompt = ctx.prompt(this.spec.prompt ?? '', { input: ctx.input, thought: t.text, source: t.source });
      ctx.setScore(t, combineLlmScores(await ctx.ask(t.nodeId, `score: ${this.spec.id}`, prompt, this.spec.samples)), this.spec.better);
    });
    return inputs;
  }
}

/** The two 0-10 scores of a document-merging judgement, as far as the reply gives them. */
export function parseMergeScores(text: string): { redundancy?: number; retained?: number } {
  const number = '(-?\\d+(?:\\.\\d+)?)';
  const redundancy = new RegExp(`redundancy\\s*[:=]\\s*${number}`, 'i').exec(text);
  const retained = new RegExp(`retain(?:ed)?\\s*[:=]\\s*${number}`, 'i').exec(text);
  return { ...(redundancy ? { redundancy: Number(redundancy[1]) } : {}), ...(retained ? { retained: Number(retained[1]) } : {}) };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * One score from several judgements. Redundancy/Retained replies: the harmonic mean of the two means
 * (0 when either is never given, as in the reference); otherwise the mean "Score:"; undefined when
 * no reply has a score.
 */
export function combineLlmScores(replies: readonly string[]): number | undefined {
  const parts = replies.map(parseMergeScores);
  const redundancy = parts.flatMap((p) => (p.redundancy === undefined ? [] : [p.redundancy]));
  const retained = parts.flatMap((p) => (p.retained === undefined ? [] : [p.retained]));
  if (redundancy.length > 0 || retained.length > 0) {
    if (redundancy.length === 0 || retained.length === 0) return 0;
    const a = mean(redundancy);
    const b = mean(retained);
    return a + b === 0 ? 0 : (2 * a * b) / (a + b);
  }
  const scores = replies.map(parseLlmScore).filter((v): v is number => v !== undefined);
  return scores.length > 0 ? mean(scores) : undefined;
}

/** One reply's own score: the harmonic mean of its Redundancy and Retained, or its last "Score:". */
export function parseLlmScore(text: string): number | undefined {
  const { redundancy, retained } = parseMergeScores(text);
  if (redundancy !== undefined && retained !== undefined) return redundancy + retained === 0 ? 0 : (2 * redundancy * retained) / (redundancy + retained);
  const scores = [...text.matchAll(/score\s*[:=]\s*(-?\d+(?:\.\d+)?)/gi)];
  return scores.length > 0 ? Number(scores[scores.length - 1][1]) : undefined;
}

/** Best first; unscored last; equal scores keep their order. */
export function rankThoughts(thoughts: readonly Thought[]): Thought[] {
  const key = (t: Thought) => (t.score === undefined ? Infinity : t.better === 'higher' ? -t.score : t.score);
  return [...thoughts].sort((a, b) => key(a) - key(b));
}

/** KeepBestN: the n best scored thoughts; the rest are drawn as pruned. */
export class KeepBest extends Operation<KeepBestSpec> {
  async execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    const kept = rankThoughts(inputs).slice(0, this.spec.n);
    const keptIds = new Set(kept.map((t) => t.nodeId));
    for (const t of inputs) if (!keptIds.has(t.nodeId)) ctx.run.graph.update(t.nodeId, { status: 'pruned' });
    return kept;
  }
}

/** The {thoughts} of an aggregate prompt: every input thought, numbered. */
export function listThoughts(thoughts: readonly Thought[]): string {
  return listTexts(thoughts.map((t) => t.text));
}

function listTexts(texts: readonly string[]): string {
  return texts.map((t, i) => `Part ${i + 1}:\n${t.trim()}`).join('\n\n');
}

/**
 * Aggregate: merge all input thoughts into one (per response); many-to-one edges. The merged thought
 * works on its parts' sources joined, or on the whole input (`source: "input"`, a merge that covers it).
 */
export class Aggregate extends Operation<AggregateSpec> {
  async execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    if (inputs.length === 0) return [];
    const source = this.spec.source === 'input' ? ctx.input : inputs.map((t) => t.source.trim()).join('\n');
    const merged = inputs.map((t) => t.text);
    const parents = inputs.map((t) => ({ id: t.nodeId, kind: 'aggregate' as const, label: this.label }));
    const first = ctx.run.graph.addNode({ kind: 'thought', text: `${this.label}: merging ${inputs.length} thoughts…`, status: 'pending', meta: { operation: this.spec.id, type: this.spec.type } }, parents);
    const prompt = ctx.prompt(this.spec.prompt, { input: ctx.input, thoughts: listThoughts(inputs) });
    const responses = await ctx.ask(first.id, `aggregate: ${this.spec.id}`, prompt, this.spec.responses);
    return responses.map((response, i) => {
      const text = answerOf(response, this.spec.answer, true);
      if (i === 0) {
        ctx.run.graph.update(first.id, { text });
        return { nodeId: first.id, text, source, merged };
      }
      return ctx.addThought(text, inputs, 'aggregate', this.label, this.spec, { source, merged });
    });
  }
}

/**
 * Refine/Improve, at most `rounds` times per thought. With an error function, each round's `responses`
 * refinements are scored and the best replaces the thought only if it has fewer errors; the loop stops
 * at 0 errors or when a round brings no improvement. Without one, each round refines the last result.
 */
export class Refine extends Operation<RefineSpec> {
  async execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    const fn = this.spec.scorer ? findErrorFunction(this.spec.scorer) : undefined;
    return ctx.eachThought(inputs, (t) => this.refineOne(ctx, t, fn));
  }

  private async refineOne(ctx: GotContext, start: Thought, fn: ErrorFunction | undefined): Promise<Thought> {
    let current = start;
    if (fn && current.score === undefined) ctx.setScore(current, fn.errors(current.text, current.source, ctx.input, current.merged), 'lower');
    for (let round = 1; round <= this.spec.rounds; round++) {
      ctx.run.throwIfCancelled();
      if (fn && current.score === 0) break;
      const feedback = fn ? fn.feedback(current.text, current.source, ctx.input, current.merged) : '';
      const prompt = ctx.prompt(this.spec.prompt, { input: ctx.input, thought: current.text, source: current.source, feedback });
      const responses = await ctx.ask(current.nodeId, `refine: ${this.spec.id}`, prompt, this.spec.responses);
      const candidates = responses.map((r) => ctx.addThought(answerOf(r, this.spec.answer), [current], 'refine', `${this.label} (round ${round})`, this.spec, current));
      if (!fn) {
        current = candidates[0] ?? current;
        continue;
      }
      for (const c of candidates) {
        const errors = fn.errors(c.text, c.source, ctx.input, c.merged);
        ctx.setScore(c, errors, 'lower', { errors });
      }
      const best = rankThoughts(candidates)[0];
      const improved = best !== undefined && best.score! < current.score!;
      for (const c of candidates) if (!improved || c !== best) ctx.run.graph.update(c.nodeId, { status: 'pruned' });
      if (!improved) break;
      ctx.run.graph.update(current.nodeId, { status: 'pruned' });
      current = best;
    }
    return current;
  }
}

/**
 * ValidateAndImprove: check each thought (error function: valid at 0 errors; or the model), improve
 * with the feedback, up to `tries` times. The improve prompt's {thoughts} are the texts a merged
 * thought was made from (the reference shows both dictionaries and their wrong sum).
 */
export class ValidateAndImprove extends Operation<ValidateAndImproveSpec> {
  async execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    const fn = findErrorFunction(this.spec.validator);
    return ctx.eachThought(inputs, async (start) => {
      let current = start;
      for (let attempt = 0; ; attempt++) {
        ctx.run.throwIfCancelled();
        const verdict = fn ? this.byFunction(fn, ctx, current) : await this.byModel(ctx, current);
        const node = ctx.run.graph.get(current.nodeId);
        ctx.run.graph.update(current.nodeId, { meta: { ...node.meta, valid: verdict.valid } });
        if (verdict.valid || attempt >= this.spec.tries) return current;
        const thoughts = listTexts(current.merged ?? []);
        const prompt = ctx.prompt(this.spec.prompt, { input: ctx.input, thought: current.text, source: current.source, feedback: verdict.feedback, thoughts });
        const [improved = ''] = await ctx.ask(current.nodeId, `improve: ${this.spec.id}`, prompt, 1);
        current = ctx.addThought(answerOf(improved, this.spec.answer), [current], 'refine', `${this.label} (try ${attempt + 1})`, this.spec, current);
      }
    });
  }

  private byFunction(fn: ErrorFunction, ctx: GotContext, t: Thought): { valid: boolean; feedback: string } {
    const errors = fn.errors(t.text, t.source, ctx.input, t.merged);
    ctx.setScore(t, errors, 'lower', { errors });
    return { valid: errors === 0, feedback: fn.feedback(t.text, t.source, ctx.input, t.merged) };
  }

  private async byModel(ctx: GotContext, t: Thought): Promise<{ valid: boolean; feedback: string }> {
    const prompt = ctx.prompt(this.spec.validatePrompt ?? '', { input: ctx.input, thought: t.text, source: t.source });
    const [reply = ''] = await ctx.ask(t.nodeId, `validate: ${this.spec.id}`, prompt, 1);
    return { valid: isValidVerdict(reply), feedback: reply.trim() };
  }
}

/** A model's verdict: valid when the reply's first word is "valid", "yes" or "correct". */
export function isValidVerdict(reply: string): boolean {
  const first = reply.trim().toLowerCase().match(/[a-z]+/)?.[0] ?? '';
  return first === 'valid' || first === 'yes' || first === 'correct';
}

/** GroundTruth: mark each thought correct when it has no errors against the whole input. */
export class GroundTruth extends Operation<GroundTruthSpec> {
  async execute(ctx: GotContext, inputs: Thought[]): Promise<Thought[]> {
    const fn = findErrorFunction(this.spec.check)!;
    for (const t of inputs) {
      const errors = fn.errors(t.text, ctx.input, ctx.input, t.merged);
      const node = ctx.run.graph.get(t.nodeId);
      ctx.run.graph.update(t.nodeId, { meta: { ...node.meta, correct: errors === 0, groundTruthErrors: errors } });
    }
    return inputs;
  }
}

export function createOperation(spec: OperationSpec): Operation {
  switch (spec.type) {
    case 'generate':
      return new Generate(spec);
    case 'select':
      return new Select(spec);
    case 'score':
      return new Score(spec);
    case 'keepBest':
      return new KeepBest(spec);
    case 'aggregate':
      return new Aggregate(spec);
    case 'refine':
      return new Refine(spec);
    case 'validateAndImprove':
      return new ValidateAndImprove(spec);
    case 'groundTruth':
      return new GroundTruth(spec);
  }
}
