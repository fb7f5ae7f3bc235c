// Tree of Thoughts (Yao et al., 2023): search over partial solutions ("states"), where the model both
// generates the next thoughts of each state and evaluates them.
//
// The search follows the paper's reference implementation:
//   BFS: at every step, expand every kept state (propose: one call lists several next steps, every line
//   a candidate; sample: independent continuations), evaluate all new candidates (value: one call per
//   candidate with n = evaluateSamples, cached by value prompt for the run or the whole evaluation, a
//   duplicate candidate within one step scores 0; vote: evaluateSamples votes over all candidates at
//   once), then keep `breadth` of them (greedy: the best, ties in candidate order; sample: drawn in
//   proportion to score, with replacement). Every propose call is a fresh sample, as in the reference:
//   a repeated propose prompt carries its sample index in the request, so the run cache never hands
//   one state's proposals to another.
//   DFS: expand the best-valued child first, prune children scoring below pruneThreshold, backtrack from
//   dead ends, and stop at the first state that reaches the last step.
// All calls of one step are issued together; the Run's limiter bounds how many are in flight.
import type { ChatRequest } from '../model/types';
import type { Run } from '../run/run';
import type { VerdictParsing } from '../tasks/answer';
import type { Task } from '../tasks/types';
import type { ParamSpec, ParamValues } from './params';
import { diversityNote } from './samplingDiversity';
import type { Technique, TechniqueContext, TechniqueResult } from './types';

const params: readonly ParamSpec[] = [
  {
    name: 'search',
    type: 'enum',
    default: 'bfs',
    options: ['bfs', 'dfs'],
    description: 'bfs: keep the best `breadth` states at every step. dfs: follow the best child first and backtrack from dead ends.',
  },
  {
    name: 'generate',
    type: 'enum',
    default: 'propose',
    options: ['propose', 'sample'],
    description: 'propose: one call per state lists several possible next steps. sample: sample `generateSamples` independent next steps per state.',
  },
  {
    name: 'evaluate',
    type: 'enum',
    default: 'value',
    options: ['value', 'vote'],
    description: 'value: rate each new state on its own (sure/likely/impossible). vote: the model votes for the best of all new states of a step.',
  },
  {
    name: 'select',
    type: 'enum',
    default: 'greedy',
    options: ['greedy', 'sample'],
    description: 'bfs: greedy keeps the `breadth` best states (ties keep proposal order); sample draws `breadth` states with probability proportional to their scores, with replacement.',
  },
  {
    name: 'breadth',
    type: 'integer',
    default: 5,
    min: 1,
    max: 20,
    description: 'bfs: states kept per step (b in the paper). dfs: children explored per state, best first.',
  },
  {
    name: 'steps',
    type: 'integer',
    default: 0,
    min: 0,
    max: 20,
    description: "Thought steps (tree depth); 0 uses the task's own number (Game of 24: 4).",
  },
  {
    name: 'generateSamples',
    type: 'integer',
    default: 1,
    min: 1,
    max: 20,
    description: 'generate=sample: next steps sampled per state (k in the paper). Ignored by propose.',
  },
  {
    name: 'samples',
    type: 'integer',
    default: 1,
    min: 1,
    max: 20,
    description: 'Same as generateSamples (so the common --samples flag works for ToT); when both are set, the larger applies.',
  },
  {
    name: 'evaluateSamples',
    type: 'integer',
    default: 3,
    min: 1,
    max: 20,
    description: 'value: samples per state (scores summed: sure 20, likely 1, impossible 0.001). vote: votes cast per step.',
  },
  {
    name: 'pruneThreshold',
    type: 'number',
    default: 1,
    min: 0,
    max: 1000,
    description: 'dfs: children scoring below this are not explored (value: 1 needs about one "likely"; vote: at least one vote).',
  },
  {
    name: 'parsing',
    type: 'enum',
    default: 'reference',
    options: ['reference', 'lenient'],
    description:
      'reference: read model output as the ToT authors\' code does (every proposal line is a candidate; a value verdict is the exact last line; a vote is the last digit after "best choice is "). lenient: keep only well-formed step lines and read verdicts and votes forgivingly.',
  },
  {
    name: 'valueCache',
    type: 'enum',
    default: 'run',
    options: ['run', 'evaluation'],
    description: 'How long value responses are reused by value prompt: one run (one puzzle), or a whole evaluation as the ToT authors\' code does (later puzzles reuse earlier verdicts at no cost).',
  },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature of every call.' },
];

export interface TotOptions {
  /** Random numbers in [0, 1) for select=sample; inject a seeded one for reproducible runs. */
  random?: () => number;
}

/** A small seeded generator (mulberry32) for reproducible sampled selection. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface State {
  nodeId: string;
  /** The partial solution: one step per line, each ending in "\n" ("" for the question). */
  steps: string;
  score: number;
  depth: number;
}

export function createTotTechnique(options: TotOptions = {}): Technique {
  const random = options.random ?? Math.random;
  return {
    id: 'tot',
    name: 'Tree of Thoughts',
    description: 'Search a tree of partial solutions: the model proposes next steps and rates them (Yao et al., 2023).',
    params,
    async run(ctx) {
      const search = new TotSearch(ctx, random);
      return ctx.params.search === 'dfs' ? search.dfs() : search.bfs();
    },
  };
}

export const totTechnique: Technique = createTotTechnique();

class TotSearch {
  private readonly run: Run;
  private readonly task: Task;
  private readonly input: string;
  private readonly p: ParamValues;
  private readonly steps: number;
  private readonly temperature: number;
  private readonly parsing: VerdictParsing;
  /** Value responses by value prompt (the reference's value cache): this run's, or the evaluation's. */
  private readonly valueCache: Map<string, Promise<string[]>>;
  private readonly sharedValues: boolean;
  /** Propose requests sent per prompt: the sample index of the next one (see `expand`). */
  private readonly proposeSent = new Map<string, number>();

  constructor(
    ctx: TechniqueContext,
    private readonly random: () => number,
  ) {
    this.run = ctx.run;
    this.task = ctx.task;
    this.input = ctx.input;
    this.p = ctx.params;
    this.steps = (this.p.steps as number) > 0 ? (this.p.steps as number) : ctx.task.defaultSteps;
    this.temperature = this.p.temperature as number;
    this.parsing = this.p.parsing as VerdictParsing;
    const shared = this.p.valueCache === 'evaluation' ? ctx.host.evaluationCache : undefined;
    this.sharedValues = shared !== undefined;
    this.valueCache = shared ?? new Map();
  }

  private root(): State {
    const question = this.run.graph.addNode({ kind: 'question', text: this.input });
    return { nodeId: question.id, steps: '', score: 0, depth: 0 };
  }

  private request(prompt: string, n: number, cacheSalt?: string): ChatRequest {
    return { messages: [{ role: 'user', content: prompt }], temperature: this.temperature, n, ...(cacheSalt !== undefined ? { cacheSalt } : {}) };
  }

  // ------------------------------------------------------------------ BFS

  async bfs(): Promise<TechniqueResult> {
    let states = [this.root()];
    for (let step = 0; step < this.steps; step++) {
      this.run.throwIfCancelled();
      const candidates = await this.expandAll(states, step);
      if (candidates.length === 0) break; // nothing to continue with: answer from the states we have
      await this.evaluateAll(candidates, step);
      const chosen = this.select(candidates);
      const chosenIds = new Set(chosen.map((c) => c.nodeId));
      for (const c of candidates) this.run.graph.update(c.nodeId, { status: chosenIds.has(c.nodeId) ? 'selected' : 'pruned' });
      states = chosen;
    }
    if (states.length === 0 || states[0].depth === 0) return { answer: '', candidates: [] };
    let best = states[0];
    for (const s of states) if (s.score > best.score) best = s;
    const candidates = states.map((s) => this.answerOf(s));
    return { ...this.finish(best), candidates, ...this.authorsPick(states) };
  }

  /** The paper's own final pick among the kept states, when the task has one (marked in the graph). */
  private authorsPick(states: State[]): { picks: Record<string, string> } | undefined {
    if (!this.task.authorsPick) return undefined;
    const index = this.task.authorsPick(this.input, states.map((s) => s.steps));
    if (index === undefined) return { picks: { authors: '' } };
    const node = this.run.graph.get(states[index].nodeId);
    this.run.graph.update(node.id, { meta: { ...node.meta, authorsPick: true } });
    return { picks: { authors: this.answerOf(states[index]) } };
  }

  /** Candidates of every state, in state order then proposal order; all calls issued at once. */
  private async expandAll(states: State[], step: number): Promise<State[]> {
    const groups = await Promise.all(states.map((s, i) => this.expand(s, step, i)));
    return groups.flat();
  }

  private async expand(parent: State, step: number, index: number): Promise<State[]> {
    const { task, input, run } = this;
    let next: string[];
    if (this.p.generate === 'sample') {
      const k = Math.max(this.p.generateSamples as number, this.p.samples as number);
      // Salted by step and position so a state kept twice (sampled selection) still gets fresh samples.
      const response = await run.call(parent.nodeId, 'sample', this.request(task.samplePrompt(input, parent.steps), k, `tot-sample:${step}:${index}`));
      diversityNote(run, response, 'tot (generate=sample)', k);
      next = response.choices.map((c) => task.parseSample(input, parent.steps, c).trim()).filter((l) => l !== '');
    } else {
      const prompt = task.proposePrompt(input, parent.steps);
      // The k-th request of one prompt in this run carries k, so it is sampled again, not served from the cache.
      const k = this.proposeSent.get(prompt) ?? 0;
      this.proposeSent.set(prompt, k + 1);
      const response = await run.call(parent.nodeId, 'propose', this.request(prompt, 1, k > 0 ? `tot-propose#${k}` : undefined));
      next = task.parseProposals(input, parent.steps, response.choices[0] ?? '', this.parsing);
    }
    return next.map((line) => {
      const steps = `${parent.steps}${line}\n`;
      const text = line.trim() === '' ? '(empty line)' : task.stepLabel(steps);
      const node = run.graph.addNode(
        { kind: 'thought', text, status: 'pending', meta: { step: step + 1, ...task.stateMeta?.(input, steps) } },
        [{ id: parent.nodeId, kind: 'expand' }],
      );
      return { nodeId: node.id, steps, score: 0, depth: parent.depth + 1 };
    });
  }

  /** Score every candidate (sets `score` on the state and the node). */
  private async evaluateAll(candidates: State[], step: number): Promise<void> {
    if (candidates.length === 0) return;
    const { task, input, run } = this;
    if (this.p.evaluate === 'vote') {
      const vote = run.graph.addNode(
        { kind: 'vote', text: `Vote among ${candidates.length} states (step ${step + 1})`, status: 'pending', meta: { step: step + 1 } },
        candidates.map((c) => ({ id: c.nodeId, kind: 'evaluate' as const })),
      );
      const texts = candidates.map((c) => c.steps);
      const response = await run.call(vote.id, 'vote', this.request(task.votePrompt(input, texts), this.p.evaluateSamples as number));
      const votes = task.parseVotes(texts, response.choices, this.parsing);
      candidates.forEach((c, i) => {
        c.score = votes[i] ?? 0;
        run.graph.update(c.nodeId, { score: c.score });
      });
      run.graph.update(vote.id, { text: `Votes (step ${step + 1}): ${candidates.map((_, i) => votes[i] ?? 0).join(', ')}` });
      return;
    }
    // Value: the first occurrence of a state in this step's list is valued, later duplicates score 0.
    const seen = new Set<string>();
    const firsts: State[] = [];
    for (const c of candidates) {
      if (seen.has(c.steps)) {
        c.score = 0;
        const node = run.graph.get(c.nodeId);
        run.graph.update(c.nodeId, { score: 0, status: 'done', meta: { ...node.meta, duplicate: true } });
      } else {
        seen.add(c.steps);
        firsts.push(c);
      }
    }
    await Promise.all(firsts.map((c) => this.value(c)));
  }

  private async value(state: State): Promise<void> {
    const { task, input, run } = this;
    const prompt = task.valuePrompt(input, state.steps);
    const { responses, reused } = await this.valueResponses(state, prompt);
    const score = task.parseValues(input, state.steps, responses, this.parsing);
    state.score = score;
    if (reused) {
      const node = run.graph.get(state.nodeId);
      run.graph.update(state.nodeId, { score, status: 'done', meta: { ...node.meta, valueCached: true } });
    } else run.graph.update(state.nodeId, { score });
  }

  /** The value responses for `prompt`: from the cache, or asked for on `state`'s node. */
  private async valueResponses(state: State, prompt: string): Promise<{ responses: string[]; reused: boolean }> {
    const n = this.p.evaluateSamples as number;
    const key = JSON.stringify([n, this.temperature, prompt]);
    const cached = this.valueCache.get(key);
    if (cached) {
      try {
        return { responses: await cached, reused: true };
      } catch (err) {
        // Another item's call failed (its budget, its cancel): this run asks on its own.
        if (!this.sharedValues || this.run.cancelled) throw err;
      }
    }
    const pending = this.run.call(state.nodeId, 'value', this.request(prompt, n)).then((r) => r.choices);
    this.valueCache.set(key, pending);
    pending.catch(() => {
      if (this.valueCache.get(key) === pending) this.valueCache.delete(key);
    });
    return { responses: await pending, reused: false };
  }

  private select(candidates: State[]): State[] {
    const breadth = this.p.breadth as number;
    if (this.p.select === 'sample') {
      const total = candidates.reduce((s, c) => s + Math.max(0, c.score), 0);
      const chosen: State[] = [];
      for (let k = 0; k < breadth; k++) {
        if (total <= 0) {
          // All scores zero: the reference would fail here; draw uniformly instead.
          chosen.push(candidates[Math.min(candidates.length - 1, Math.floor(this.random() * candidates.length))]);
          continue;
        }
        let r = this.random() * total;
        let pick = candidates[candidates.length - 1];
        for (const c of candidates) {
          const w = Math.max(0, c.score);
          if (w > 0 && r < w) {
            pick = c;
            break;
          }
          r -= w;
        }
        chosen.push(pick);
      }
      return chosen;
    }
    // Array.prototype.sort is stable: equal scores keep candidate order.
    return [...candidates].sort((a, b) => b.score - a.score).slice(0, breadth);
  }

  // ------------------------------------------------------------------ DFS

  async dfs(): Promise<TechniqueResult> {
    const root = this.root();
    let fallback: State | undefined;
    const visit = async (state: State): Promise<State | undefined> => {
      this.run.throwIfCancelled();
      if (state.depth >= this.steps) return state;
      const children = await this.expand(state, state.depth, 0);
      await this.evaluateAll(children, state.depth);
      for (const c of children) {
        if (!fallback || c.depth > fallback.depth || (c.depth === fallback.depth && c.score > fallback.score)) fallback = c;
      }
      const ordered = [...children].sort((a, b) => b.score - a.score);
      const threshold = this.p.pruneThreshold as number;
      // `breadth` bounds the children explored per state, which bounds the whole search.
      const explorable = ordered.filter((c) => c.score >= threshold).slice(0, this.p.breadth as number);
      const explorableIds = new Set(explorable.map((c) => c.nodeId));
      for (const c of children) if (!explorableIds.has(c.nodeId)) this.run.graph.update(c.nodeId, { status: 'pruned' });
      for (const [i, child] of explorable.entries()) {
        this.run.graph.update(child.nodeId, { status: 'selected' });
        const found = await visit(child);
        if (found) {
          for (const rest of explorable.slice(i + 1)) this.run.graph.update(rest.nodeId, { status: 'done' });
          return found;
        }
        this.run.graph.update(child.nodeId, { status: 'pruned' }); // a dead end: backtrack
      }
      return undefined;
    };
    const found = await visit(root);
    const best = found ?? fallback;
    if (!best) return { answer: '', candidates: [] };
    const result = this.finish(best);
    return { ...result, candidates: [result.answer] };
  }

  // ------------------------------------------------------------------ answer

  private answerOf(state: State): string {
    return this.task.extractAnswer(this.task.stepLabel(state.steps));
  }

  private finish(best: State): TechniqueResult {
    const answer = this.answerOf(best);
    const judged = this.task.judge?.(this.input, answer);
    const node = this.run.graph.addNode(
      { kind: 'answer', text: answer, score: judged === undefined ? undefined : judged ? 1 : 0, meta: judged === undefined ? undefined : { correct: judged } },
      [{ id: best.nodeId, kind: 'answer' }],
    );
    return { answer, answerNodeId: node.id };
  }
}
