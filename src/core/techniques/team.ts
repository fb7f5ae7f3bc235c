// A reflective agent team after Park et al. (2023), "Generative Agents": a planner, a solver and a
// critic (personas) follow a plan the planner writes and revises. Every message becomes an
// observation in the other agents' memory streams with a model-rated importance; each agent acts on
// the memories it retrieves by recency, importance and relevance; when an agent's summed importance
// passes a threshold it writes reflections that cite the memories they come from.
//
// Graph: plan steps (per agent) → messages; messages → observations; observations → reflections
// (evidence edges); recalled memories → messages (dotted); the last message → answer.
//
// Each agent may run on its own model profile (`plannerProfile`, `solverProfile`, `criticProfile`).
// An agent's calls are the ones it writes: its messages (`act`) and its reflections, and for the
// planner also the plan and its revisions. Importance ratings are the team's, not an agent's (one
// rating per message, shared by both observers), so they stay on the run's own model.
import type { ChatModel } from '../model/types';
import type { Run } from '../run/run';
import type { ParamSpec, ParamValues } from './params';
import { profileModel } from './profileParam';
import { MemoryStream, type Memory, type RetrievalWeights } from './team/memory';
import type { Technique } from './types';

export const ROLES = ['planner', 'solver', 'critic'] as const;
type Role = (typeof ROLES)[number];

const params: readonly ParamSpec[] = [
  { name: 'maxSteps', type: 'integer', default: 6, min: 1, max: 30, description: 'Plan steps carried out at most (revisions included).' },
  { name: 'revisions', type: 'integer', default: 1, min: 0, max: 5, description: 'Times the planner may revise the plan when the critic asks for it.' },
  { name: 'reflectionThreshold', type: 'number', default: 20, min: 1, max: 1000, description: 'An agent reflects when the importance (1-10 each) of its new observations adds up to this.' },
  { name: 'retrieve', type: 'integer', default: 4, min: 1, max: 20, description: 'Memories an agent recalls before it acts.' },
  { name: 'decay', type: 'number', default: 0.9, min: 0.01, max: 1, description: 'Recency decay per time step (one step per message).' },
  { name: 'weightRecency', type: 'number', default: 1, min: 0, max: 10, description: 'Weight of recency in retrieval.' },
  { name: 'weightImportance', type: 'number', default: 1, min: 0, max: 10, description: 'Weight of importance in retrieval.' },
  { name: 'weightRelevance', type: 'number', default: 1, min: 0, max: 10, description: 'Weight of relevance in retrieval.' },
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

const PERSONAS: Record<Role, string> = {
  planner: 'You are the planner of a small team: you split the problem into steps, give each to the right teammate, and write the final answer.',
  solver: 'You are the solver of a small team: you carry out concrete steps carefully, showing the work.',
  critic: 'You are the critic of a small team: you check the work for errors and gaps. If the plan must change, start your reply with "REVISE:" and say why.',
};

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

export function parseImportance(text: string): number {
  const n = Number(/\d+/.exec(text)?.[0]);
  return Number.isFinite(n) ? Math.min(10, Math.max(1, n)) : 5;
}

const planPrompt = (question: string) =>
  `Problem: ${question.trim()}\n\nWrite a short numbered plan (2 to 4 steps). Start each step with the teammate who does it: [solver], [critic] or [planner]. ` +
  'Include a [critic] step that checks the work.';

const numbered = (memories: readonly Memory[]) => memories.map((m, i) => `${i + 1}. ${m.text}`).join('\n');

interface Agent {
  model: ChatModel;
  /** The profile named in its parameter, '' when it runs on the run's own model by default. */
  profile: string;
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

  constructor(
    private readonly run: Run,
    private readonly question: string,
    private readonly p: ParamValues,
  ) {
    this.agents = agentsOf(run, p);
    this.streams = { planner: new MemoryStream('planner', p.decay as number), solver: new MemoryStream('solver', p.decay as number), critic: new MemoryStream('critic', p.decay as number) };
    this.weights = { recency: p.weightRecency as number, importance: p.weightImportance as number, relevance: p.weightRelevance as number };
  }

  /** A call written by `agent` goes to its model; `undefined` (importance ratings) to the run's. */
  async ask(nodeId: string, role: string, agent: Role | undefined, system: string, user: string): Promise<string> {
    const model = agent ? this.agents[agent].model : this.run.model;
    const response = await this.run.call(nodeId, role, { messages: [{ role: 'system', content: system }, { role: 'user', content: user }], temperature: this.p.temperature as number }, { model });
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

  /** One agent does one step with what it recalls; the message is observed by the others. */
  async act(agent: Role, task: string, parentId: string, plan: string): Promise<{ text: string; nodeId: string }> {
    this.now++;
    const recalled = this.streams[agent].retrieve(`${task} ${this.question}`, this.now, this.p.retrieve as number, this.weights);
    const node = this.run.graph.addNode({ kind: 'thought', text: `${this.who(agent)}: …`, status: 'pending', meta: this.metaOf(agent, { time: this.now }) }, [{ id: parentId, kind: 'expand', label: agent }]);
    for (const r of recalled) if (r.memory.nodeId) this.run.graph.addEdge(r.memory.nodeId, node.id, 'evaluate', `recall ${r.score.toFixed(2)}`);
    const memories = recalled.length ? `What you remember (most useful first):\n${numbered(recalled.map((r) => r.memory))}\n\n` : '';
    const text = await this.ask(node.id, agent, agent, PERSONAS[agent], `Problem: ${this.question.trim()}\n\nPlan:\n${plan}\n\n${memories}Your step: ${task}`);
    this.run.graph.update(node.id, { text: `${this.who(agent)}: ${text}` });
    await this.observe(agent, text, node.id);
    return { text, nodeId: node.id };
  }

  /** Every other agent observes the message with its importance (rated once, by the run's model). */
  async observe(author: Role, text: string, messageNode: string): Promise<void> {
    const rating = await this.ask(messageNode, 'importance', undefined, 'You rate how important team messages are.', `On a scale of 1 (mundane) to 10 (crucial for solving "${this.question.trim()}"), rate the importance of this message. Reply with one number.\n\nMessage from the ${author}: ${text}`);
    const importance = parseImportance(rating);
    for (const agent of ROLES) {
      if (agent === author) continue;
      const obs = this.run.graph.addNode({ kind: 'observation', text: `${agent} observed the ${author}: ${text}`, score: importance, meta: { agent, importance, time: this.now } }, [{ id: messageNode, kind: 'expand', label: `to ${agent}` }]);
      this.streams[agent].add({ id: obs.id, kind: 'observation', text: `The ${author} said: ${text}`, importance, createdAt: this.now, nodeId: obs.id });
      if (this.streams[agent].importanceSinceReflection >= (this.p.reflectionThreshold as number)) await this.reflect(agent);
    }
  }

  /** Insights from the agent's recent memories, each citing the memories it rests on. */
  async reflect(agent: Role): Promise<void> {
    const stream = this.streams[agent];
    stream.importanceSinceReflection = 0;
    const recent = stream.memories.slice(-10);
    const node = this.run.graph.addNode({ kind: 'reflection', text: `${this.who(agent)} reflects…`, status: 'pending', meta: this.metaOf(agent, { time: this.now }) });
    const reply = await this.ask(node.id, 'reflect', agent, PERSONAS[agent], `Your recent memories:\n${numbered(recent)}\n\nWhat are up to two high-level insights you can draw from them about the problem "${this.question.trim()}"? Write each as "INSIGHT: <insight> (because of <memory numbers>)".`);
    const insights = parseInsights(reply, recent.length);
    if (insights.length === 0) {
      this.run.graph.update(node.id, { text: `${this.who(agent)} reflected: ${reply || '(nothing)'}`, meta: this.metaOf(agent, { cited: 0 }) });
      return;
    }
    insights.forEach((insight, i) => {
      const evidence = insight.cites.map((n) => recent[n - 1]);
      const target = i === 0 ? node : this.run.graph.addNode({ kind: 'reflection', text: '', meta: { agent, time: this.now } });
      this.run.graph.update(target.id, { text: `${this.who(agent)} reflection: ${insight.text}`, meta: this.metaOf(agent, { time: this.now, cites: evidence.map((m) => m.id).join(', ') }) });
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
    if (run) agentsOf(run, p);
  },
  async run({ run, task, input, params: p }) {
    const question = run.graph.addNode({ kind: 'question', text: input });
    const team = new Team(run, input, p);
    const planner = run.graph.addNode({ kind: 'thought', text: `${team.who('planner')}: writing the plan…`, status: 'pending', meta: team.metaOf('planner') }, [{ id: question.id, kind: 'expand' }]);
    const planText = await team.ask(planner.id, 'plan', 'planner', PERSONAS.planner, planPrompt(input));
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
        const revised = await team.ask(reviser.id, 'revise', 'planner', PERSONAS.planner, `${planPrompt(input)}\n\nThe plan so far:\n${planView}\n\nThe critic said: ${message.text}\n\nWrite the remaining steps as a new numbered plan.`);
        const rest = parsePlan(revised);
        run.graph.update(reviser.id, { text: `${team.who('planner')} (revised plan): ${revised}` });
        if (rest.length) {
          await team.observe('planner', `Revised plan:\n${revised}`, reviser.id);
          steps = [...steps.slice(0, i + 1), ...rest];
          planNodes = [...planNodes.slice(0, i + 1), ...addPlanNodes(run, rest, reviser.id, 'refine')];
        }
      }
    }
    const final = await team.act('planner', 'Write the team\'s final answer, ending with a line "Answer: <final answer>".', last, steps.map((s, j) => `${j + 1}. [${s.agent}] ${s.text} (done)`).join('\n'));
    const answer = task.extractAnswer(final.text);
    const node = run.graph.addNode({ kind: 'answer', text: answer }, [{ id: final.nodeId, kind: 'answer' }]);
    return { answer, answerNodeId: node.id, candidates: [answer] };
  },
};
