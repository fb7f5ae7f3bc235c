// A reflective agent team after Park et al. (2023), "Generative Agents": a planner, a solver and a
// critic (personas) follow a plan the planner writes and revises. Every message becomes an
// observation in the other agents' memory streams with a model-rated importance; each agent acts on
// the memories it retrieves by recency, importance and relevance (embeddings when the run's profile
// has an embeddings model, else lexical), weighted as the reference code does; when the importance of
// an agent's new observations adds up to 150 (the paper's threshold) it reflects as the paper does:
// it asks itself focal questions about its recent memories, retrieves memories for each, and writes
// insights that cite the memories they come from.
//
// Graph: plan steps (per agent) → messages; messages → observations; observations → reflections
// (evidence edges); recalled memories → messages (dotted); the last message → answer.
//
// Each agent may run on its own model profile (`plannerProfile`, `solverProfile`, `criticProfile`).
// An agent's calls are the ones it writes: its messages (`act`) and its reflections, and for the
// planner also the plan and its revisions. Importance ratings are the team's, not an agent's (one
// rating per message, shared by both observers), so they stay on the run's own model.
import type { ChatModel, EmbeddingModel } from '../model/types';
import { cosine } from '../rag/embeddings';
import type { Run } from '../run/run';
import type { Task } from '../tasks/types';
import { withParts } from '../templates/library';
import type { RenderedPrompt } from '../templates/types';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import { profileModel } from './profileParam';
import { MemoryStream, type RetrievalWeights } from './team/memory';
import type { Technique } from './types';

export const ROLES = ['planner', 'solver', 'critic'] as const;
type Role = (typeof ROLES)[number];

const params: readonly ParamSpec[] = [
  { name: 'maxSteps', type: 'integer', default: 6, min: 1, max: 30, description: 'Plan steps carried out at most (revisions included).' },
  { name: 'revisions', type: 'integer', default: 1, min: 0, max: 5, description: 'Times the planner may revise the plan when the critic asks for it.' },
  { name: 'reflectionThreshold', type: 'number', default: 150, min: 1, max: 1000, description: 'An agent reflects when the importance (1-10 each) of its new observations adds up to this (the paper: 150; short runs may need less).' },
  { name: 'focalQuestions', type: 'integer', default: 3, min: 1, max: 10, description: 'Questions a reflection asks about the recent memories (the paper: 3).' },
  { name: 'insights', type: 'integer', default: 5, min: 1, max: 10, description: 'Insights a reflection writes per focal question, at most (the paper: 5).' },
  { name: 'reflectionRetrieve', type: 'integer', default: 30, min: 1, max: 100, description: 'Memories retrieved for each focal question (the reference code: 30).' },
  { name: 'retrieve', type: 'integer', default: 4, min: 1, max: 20, description: 'Memories an agent recalls before it acts.' },
  { name: 'decay', type: 'number', default: 0.99, min: 0.01, max: 1, description: 'Recency decay per time step (one step per message; the reference code: 0.99).' },
  { name: 'weightRecency', type: 'number', default: 0.5, min: 0, max: 10, description: 'Weight of recency in retrieval (the reference code: 0.5).' },
  { name: 'weightImportance', type: 'number', default: 2, min: 0, max: 10, description: 'Weight of importance in retrieval (the reference code: 2).' },
  { name: 'weightRelevance', type: 'number', default: 3, min: 0, max: 10, description: 'Weight of relevance in retrieval (the reference code: 3).' },
  { name: 'relevance', type: 'enum', default: 'auto', options: ['auto', 'lexical'], description: 'auto: cosine of embeddings when the active profile has an embeddings model (or `embeddingModel` is set), else of term counts. lexical: term counts always (no embeddings requests).' },
  { name: 'embeddingModel', type: 'string', default: '', maxLength: 200, description: 'An embeddings model of the run\'s own OpenAI-compatible server for relevance (e.g. `text-embedding-3-small`); empty: the active profile\'s, when it has one.' },
  { name: 'temperature', type: 'number', default: 0.3, min: 0, max: 2, description: 'Sampling temperature of every call.' },
  ...ROLES.map(
    (role): ParamSpec => ({
      name: `${role}Profile`,
      type: 'string',
      default: '',
      maxLength: 64,
      description: `Model profile for the ${role}'s calls (${role === 'planner' ? 'plan, revisions, ' : ''}messages, reflections); empty or "default": the active model. Importance ratings always use the active model.`,
    }),
  ),
];

export interface PlanStep {
  agent: Role;
  text: string;
}

/** Lines like "1. [solver] compute x"; steps naming no known role go to the solver. */
export function parsePlan(text: string): PlanStep[] {
  const steps: PlanStep[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:\d+[.)]|[-*])\s*(?:\[(\w+)\]\s*)?(.+)$/.exec(line);
    if (!m) continue;
    const role = (m[1]?.toLowerCase() ?? 'solver') as Role;
    steps.push({ agent: ROLES.includes(role) ? role : 'solver', text: m[2].trim() });
  }
  return steps;
}

/** "INSIGHT: text (because of 1, 3)" lines → insights with the 1-based memory numbers cited. */
export function parseInsights(text: string, count: number): Array<{ text: string; cites: number[] }> {
  const out: Array<{ text: string; cites: number[] }> = [];
  for (const m of text.matchAll(/INSIGHT:\s*(.+?)\s*\(because of ([\d,\s and]+)\)/gi)) {
    const cites = [...new Set((m[2].match(/\d+/g) ?? []).map(Number).filter((n) => n >= 1 && n <= count))];
    if (cites.length) out.push({ text: m[1].trim(), cites });
  }
  return out;
}

/** Focal questions: one per line, numbering and bullets dropped, at most `max`. */
export function parseQuestions(text: string, max: number): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*(?:\d+[.)]|[-*•])\s*/, '').trim())
    .filter((l) => l.endsWith('?'))
    .slice(0, max);
}

export function parseImportance(text: string): number {
  const n = Number(/\d+/.exec(text)?.[0]);
  return Number.isFinite(n) ? Math.min(10, Math.max(1, n)) : 5;
}

interface Agent {
  model: ChatModel;
  /** The profile named in its parameter, '' when it runs on the run's own model by default. */
  profile: string;
}

/** The embeddings model for relevance, or undefined for lexical relevance. */
function embedderOf(run: Run, p: ParamValues): EmbeddingModel | undefined {
  if (p.relevance === 'lexical') return undefined;
  const named = (p.embeddingModel as string).trim();
  if (!named) return run.embedderNamed('');
  if (!run.model.embeddingModel) throw new ParamError(`technique "team" parameter "embeddingModel": the run's model (${run.model.provider}) has no embeddings endpoint`);
  return run.model.embeddingModel(named);
}

/** Each role's model from its `<role>Profile` parameter; an unknown name is a ParamError. */
function agentsOf(run: Run, p: ParamValues): Record<Role, Agent> {
  const agent = (role: Role): Agent => {
    const profile = (p[`${role}Profile`] as string).trim();
    return { model: profileModel(run, 'team', `${role}Profile`, profile), profile };
  };
  return { planner: agent('planner'), solver: agent('solver'), critic: agent('critic') };
}

class Team {
  private now = 0;
  readonly streams: Record<Role, MemoryStream>;
  private readonly weights: RetrievalWeights;
  readonly agents: Record<Role, Agent>;
  private readonly embedder: EmbeddingModel | undefined;
  /** Embeddings by text: each memory and query is embedded once per run. */
  private readonly vectors = new Map<string, number[]>();

  constructor(
    private readonly run: Run,
    private readonly task: Task,
    private readonly question: string,
    private readonly p: ParamValues,
  ) {
    this.agents = agentsOf(run, p);
    this.embedder = embedderOf(run, p);
    this.streams = { planner: new MemoryStream('planner', p.decay as number), solver: new MemoryStream('solver', p.decay as number), critic: new MemoryStream('critic', p.decay as number) };
    this.weights = { recency: p.weightRecency as number, importance: p.weightImportance as number, relevance: p.weightRelevance as number };
  }

  /** A template of team/ with the question as `input`. */
  prompt(name: string, variables: Record<string, unknown> = {}): RenderedPrompt {
    return this.task.render(undefined, `team/${name}`, { input: this.question, ...variables });
  }

  /**
   * A call written by `agent` goes to its model, with its persona (team/planner, team/solver, team/critic)
   * as the system prompt; `undefined` (importance ratings) to the run's, as team/rater.
   */
  async ask(nodeId: string, role: string, agent: Role | undefined, user: RenderedPrompt): Promise<string> {
    const model = agent ? this.agents[agent].model : this.run.model;
    const system = this.prompt(agent ?? 'rater');
    const response = await this.run.call(
      nodeId,
      role,
      { messages: [{ role: 'system', content: system.text }, { role: 'user', content: user.text }], temperature: this.p.temperature as number },
      { model, templates: [...system.templates, ...user.templates] },
    );
    return (response.choices[0] ?? '').trim();
  }

  /** "solver", or "solver (cheap)" when the solver runs on a named profile: the start of its nodes' text. */
  who(agent: Role): string {
    const { profile } = this.agents[agent];
    return profile ? `${agent} (${profile})` : agent;
  }

  /** Node meta of a node holding `agent`'s calls: the agent and, with a profile, its profile and model. */
  metaOf(agent: Role, extra: Record<string, string | number> = {}): Record<string, string | number> {
    const { profile, model } = this.agents[agent];
    return { agent, ...(profile ? { profile, model: model.model } : {}), ...extra };
  }

  /**
   * The agent's `k` best memories for `query`, relevance by embeddings (one request on `nodeId` for the
   * texts not embedded yet) when there is an embeddings model, else lexical.
   */
  async recall(agent: Role, query: string, k: number, nodeId: string) {
    const stream = this.streams[agent];
    let similarity: number[] | undefined;
    if (this.embedder && stream.memories.length > 0) {
      const missing = [...new Set([query, ...stream.memories.map((m) => m.text)])].filter((t) => !this.vectors.has(t));
      if (missing.length > 0) {
        const response = await this.run.embed(nodeId, 'embed', missing, this.embedder);
        missing.forEach((t, i) => this.vectors.set(t, response.vectors[i]));
      }
      const q = this.vectors.get(query)!;
      similarity = stream.memories.map((m) => cosine(q, this.vectors.get(m.text)!));
    }
    return stream.retrieve(query, this.now, k, this.weights, similarity);
  }

  /** One agent does one step with what it recalls; the message is observed by the others. */
  async act(agent: Role, step: string | RenderedPrompt, parentId: string, plan: string): Promise<{ text: string; nodeId: string }> {
    const task = typeof step === 'string' ? step : step.text;
    this.now++;
    const node = this.run.graph.addNode({ kind: 'thought', text: `${this.who(agent)}: …`, status: 'pending', meta: this.metaOf(agent, { time: this.now }) }, [{ id: parentId, kind: 'expand', label: agent }]);
    const recalled = await this.recall(agent, `${task} ${this.question}`, this.p.retrieve as number, node.id);
    for (const r of recalled) if (r.memory.nodeId) this.run.graph.addEdge(r.memory.nodeId, node.id, 'evaluate', `recall ${r.score.toFixed(2)}`);
    const prompt = this.prompt('step', { plan, memories: recalled.map((r) => r.memory.text), step: task });
    const text = await this.ask(node.id, agent, agent, typeof step === 'string' ? prompt : withParts(prompt, step));
    this.run.graph.update(node.id, { text: `${this.who(agent)}: ${text}` });
    await this.observe(agent, text, node.id);
    return { text, nodeId: node.id };
  }

  /** Every other agent observes the message with its importance (rated once, by the run's model). */
  async observe(author: Role, text: string, messageNode: string): Promise<void> {
    const rating = await this.ask(messageNode, 'importance', undefined, this.prompt('importance', { author, message: text }));
    const importance = parseImportance(rating);
    for (const agent of ROLES) {
      if (agent === author) continue;
      const obs = this.run.graph.addNode({ kind: 'observation', text: `${agent} observed the ${author}: ${text}`, score: importance, meta: { agent, importance, time: this.now } }, [{ id: messageNode, kind: 'expand', label: `to ${agent}` }]);
      this.streams[agent].add({ id: obs.id, kind: 'observation', text: `The ${author} said: ${text}`, importance, createdAt: this.now, nodeId: obs.id });
      if (this.streams[agent].importanceSinceReflection >= (this.p.reflectionThreshold as number)) await this.reflect(agent);
    }
  }

  /**
   * The paper's reflection: focal questions about the recent memories, then for each the memories it
   * retrieves and the insights drawn from them, each citing the memories it rests on.
   */
  async reflect(agent: Role): Promise<void> {
    const stream = this.streams[agent];
    const recent = stream.memories.slice(-Math.max(1, stream.observationsSinceReflection));
    stream.importanceSinceReflection = 0;
    stream.observationsSinceReflection = 0;
    const focal = this.run.graph.addNode({ kind: 'reflection', text: `${this.who(agent)} reflects: which questions matter…`, status: 'pending', meta: this.metaOf(agent, { time: this.now, stage: 'focal questions' }) });
    const asked = await this.ask(focal.id, 'focal questions', agent, this.prompt('focal-questions', { memories: recent.map((m) => m.text), count: this.p.focalQuestions as number }));
    const questions = parseQuestions(asked, this.p.focalQuestions as number);
    if (questions.length === 0) questions.push(`What matters most for solving "${this.question.trim()}"?`);
    this.run.graph.update(focal.id, { text: `${this.who(agent)} asks itself:\n${questions.map((q, i) => `${i + 1}. ${q}`).join('\n')}` });
    for (const question of questions) await this.insightsFor(agent, question, focal.id);
  }

  /** Insights for one focal question from the memories it retrieves. */
  private async insightsFor(agent: Role, question: string, focalId: string): Promise<void> {
    const stream = this.streams[agent];
    const node = this.run.graph.addNode({ kind: 'reflection', text: `${this.who(agent)} reflects on: ${question}`, status: 'pending', meta: this.metaOf(agent, { time: this.now }) }, [{ id: focalId, kind: 'expand', label: 'focal question' }]);
    const retrieved = (await this.recall(agent, question, this.p.reflectionRetrieve as number, node.id)).map((r) => r.memory);
    const max = this.p.insights as number;
    const reply = await this.ask(node.id, 'reflect', agent, this.prompt('insights', { question, memories: retrieved.map((m) => m.text), max }));
    const insights = parseInsights(reply, retrieved.length).slice(0, max);
    if (insights.length === 0) {
      this.run.graph.update(node.id, { text: `${this.who(agent)} reflected on "${question}": ${reply || '(nothing)'}`, meta: this.metaOf(agent, { cited: 0, question }) });
      return;
    }
    insights.forEach((insight, i) => {
      const evidence = insight.cites.map((n) => retrieved[n - 1]);
      const target = i === 0 ? node : this.run.graph.addNode({ kind: 'reflection', text: '', meta: { agent, time: this.now } }, [{ id: focalId, kind: 'expand', label: 'focal question' }]);
      this.run.graph.update(target.id, { text: `${this.who(agent)} reflection: ${insight.text}`, meta: this.metaOf(agent, { time: this.now, question, cites: evidence.map((m) => m.id).join(', ') }) });
      for (const m of evidence) if (m.nodeId) this.run.graph.addEdge(m.nodeId, target.id, 'aggregate', 'evidence');
      stream.add({ id: target.id, kind: 'reflection', text: `Insight: ${insight.text}`, importance: Math.max(...evidence.map((m) => m.importance)), createdAt: this.now, evidence: evidence.map((m) => m.id), nodeId: target.id });
    });
  }
}

function addPlanNodes(run: Run, steps: readonly PlanStep[], parentId: string, kind: 'expand' | 'refine'): string[] {
  let prev = parentId;
  return steps.map((s, i) => {
    const node = run.graph.addNode({ kind: 'plan', text: `${i + 1}. [${s.agent}] ${s.text}`, meta: { agent: s.agent, step: i + 1 } }, [{ id: prev, kind: i === 0 ? kind : 'expand' }]);
    prev = node.id;
    return node.id;
  });
}

export const teamTechnique: Technique = {
  id: 'team',
  name: 'Reflective agent team',
  description: 'Planner, solver and critic follow and revise a plan; each keeps a memory stream (recency, importance, relevance) and writes reflections that cite their evidence.',
  params,
  validate(p, _host, run) {
    // Unknown profile names are bad arguments, found before any call.
    if (run) {
      agentsOf(run, p);
      embedderOf(run, p);
    }
  },
  async run({ run, task, input, params: p }) {
    const question = run.graph.addNode({ kind: 'question', text: input });
    const team = new Team(run, task, input, p);
    const planner = run.graph.addNode({ kind: 'thought', text: `${team.who('planner')}: writing the plan…`, status: 'pending', meta: team.metaOf('planner') }, [{ id: question.id, kind: 'expand' }]);
    const planText = await team.ask(planner.id, 'plan', 'planner', team.prompt('plan'));
    let steps = parsePlan(planText);
    if (steps.length === 0) steps = [{ agent: 'solver', text: 'Solve the problem.' }, { agent: 'critic', text: 'Check the solution.' }];
    run.graph.update(planner.id, { text: `${team.who('planner')}: ${planText}` });
    await team.observe('planner', `Plan:\n${planText}`, planner.id);
    let planNodes = addPlanNodes(run, steps, planner.id, 'expand');
    let revisions = 0;
    let done = 0;
    let last = planner.id;
    for (let i = 0; i < steps.length && done < (p.maxSteps as number); i++, done++) {
      const step = steps[i];
      const planView = steps.map((s, j) => `${j + 1}. [${s.agent}] ${s.text}${j < i ? ' (done)' : ''}`).join('\n');
      const message = await team.act(step.agent, step.text, planNodes[i], planView);
      last = message.nodeId;
      if (step.agent === 'critic' && /^\W*REVISE\b/i.test(message.text) && revisions < (p.revisions as number)) {
        revisions++;
        const reviser = run.graph.addNode({ kind: 'thought', text: `${team.who('planner')}: revising the plan…`, status: 'pending', meta: team.metaOf('planner', { revision: revisions }) }, [{ id: message.nodeId, kind: 'refine', label: 'revise' }]);
        const plan = team.prompt('plan');
        const revised = await team.ask(reviser.id, 'revise', 'planner', withParts(team.prompt('revise', { plan: plan.text, planSoFar: planView, critique: message.text }), plan));
        const rest = parsePlan(revised);
        run.graph.update(reviser.id, { text: `${team.who('planner')} (revised plan): ${revised}` });
        if (rest.length) {
          await team.observe('planner', `Revised plan:\n${revised}`, reviser.id);
          steps = [...steps.slice(0, i + 1), ...rest];
          planNodes = [...planNodes.slice(0, i + 1), ...addPlanNodes(run, rest, reviser.id, 'refine')];
        }
      }
    }
    const final = await team.act('planner', team.prompt('final-step'), last, steps.map((s, j) => `${j + 1}. [${s.agent}] ${s.text} (done)`).join('\n'));
    const answer = task.extractAnswer(final.text);
    const node = run.graph.addNode({ kind: 'answer', text: answer }, [{ id: final.nodeId, kind: 'answer' }]);
    return { answer, answerNodeId: node.id, candidates: [answer] };
  },
};
