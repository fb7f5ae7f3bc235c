// AnyTool's hierarchical search (Du et al., 2024), after the reference code: a meta-agent, category
// agents and tool agents, each a multi-turn function-calling loop of at most `agentSteps` turns. The
// meta-agent browses categories and hands each relevant one to a category agent; a category agent
// hands groups of at most `leafTools` tools to tool agents (a small category goes to one tool agent
// at once); a tool agent adds the tools that fit to the shared pool, and each addition is followed by
// a solvability check of the whole pool. Once the pool is judged solvable (or full) every agent stops
// at its next turn, unfinished; after a failed solve the deepest unfinished agents resume with the
// failure reason. Agents talk through the server's function calling, or the "CALL" text protocol.
import { ModelError, type ChatMessage, type ChatResponse, type ToolSpec } from '../../model/types';
import type { Run } from '../../run/run';
import type { Task } from '../../tasks/types';
import type { RenderedPrompt, TemplateUse } from '../../templates/types';
import type { ParamValues } from '../params';
import type { Catalog, CatalogTool, Category } from './catalog';
import { describeTools, readSolverStep, textProtocolRules, type RequestedCall } from './protocol';

export type AgentLevel = 'meta' | 'category' | 'tool';

export interface SearchAgent {
  level: AgentLevel;
  depth: number;
  nodeId: string;
  messages: ChatMessage[];
  functions: ToolSpec[];
  /** It called Finish or used up its turns; unfinished agents (stopped by the pool) can resume. */
  finished: boolean;
  category?: Category;
  tools?: CatalogTool[];
  /** Set when a failed solve resumes it. */
  failure?: string;
  /** The templates of the prompts in `messages`, recorded with each of its calls. */
  templates: TemplateUse[];
}

const NAMES = { type: 'array', items: { type: 'string' } };
const FINISH: ToolSpec = { name: 'Finish', description: 'Call this when you have finished your assignment.', parameters: { type: 'object', properties: {} } };
const META_FUNCTIONS: ToolSpec[] = [
  { name: 'get_tools_in_category', description: 'The tools of a category, with their descriptions.', parameters: { type: 'object', properties: { category: { type: 'string' } }, required: ['category'] } },
  { name: 'create_agent_category_level', description: 'Hand one relevant category to a new agent, which searches its tools.', parameters: { type: 'object', properties: { category: { type: 'string' } }, required: ['category'] } },
  FINISH,
];
const categoryFunctions = (): ToolSpec[] => [
  { name: 'get_tools_descriptions', description: 'The descriptions and argument schemas of some tools of this category.', parameters: { type: 'object', properties: { tools: NAMES }, required: ['tools'] } },
  { name: 'create_agent_tool_level', description: 'Hand a group of similar tools of this category to a new agent, which adds the useful ones to the pool.', parameters: { type: 'object', properties: { tools: NAMES }, required: ['tools'] } },
  FINISH,
];
const TOOL_FUNCTIONS: ToolSpec[] = [
  { name: 'add_tools_into_pool', description: 'Add tools that help with the request to the shared tool pool the solver will use.', parameters: { type: 'object', properties: { tools: NAMES }, required: ['tools'] } },
  { name: 'check_if_request_solvable', description: 'Whether the tools in the pool can solve the request.', parameters: { type: 'object', properties: {} } },
  FINISH,
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface SearchOptions {
  run: Run;
  request: string;
  catalog: Catalog;
  p: ParamValues;
  protocol: { native: boolean };
  /** Renders the search's prompts (templates anytool/*). */
  task: Task;
}

/** The shared state of one search: agents, the tool pool, and whether to stop. */
export class ToolSearch {
  readonly agents: SearchAgent[] = [];
  /** Tools in the pool, in the order added, with the tool agent node that added each. */
  readonly pool = new Map<string, { tool: CatalogTool; agentNode: string }>();
  stop = false;
  /** What the last solvability check said. */
  status = '';
  private readonly pending = new Set<Promise<void>>();
  /** The first agent failure (a model error, cancellation): the others stop at their next turn. */
  private failure: unknown;

  constructor(private readonly o: SearchOptions) {}

  /** The meta-agent, started. */
  start(questionId: string): void {
    const node = this.o.run.graph.addNode({ kind: 'thought', text: 'Meta-agent: choosing categories…', status: 'pending', meta: { agent: 'meta', level: 'meta', depth: 0 } }, [{ id: questionId, kind: 'expand' }]);
    this.launch({ level: 'meta', depth: 0, nodeId: node.id, finished: false, functions: META_FUNCTIONS, ...this.opening('meta', { categories: this.o.catalog.categories.map((c) => ({ name: c.name, description: c.description })) }) });
  }

  /** Waits until no agent is running; rethrows the first agent's failure. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure !== undefined) throw this.failure;
  }

  /** The deepest agents that were stopped before they finished. */
  deepestUnfinished(): SearchAgent[] {
    const open = this.agents.filter((a) => !a.finished);
    const depth = Math.max(-1, ...open.map((a) => a.depth));
    return open.filter((a) => a.depth === depth);
  }

  /** Resume agents with the failure reason; they continue their conversations. */
  resume(agents: readonly SearchAgent[], failure: string, fromNode: string): void {
    this.stop = false;
    for (const agent of agents) {
      agent.failure = failure;
      this.o.run.graph.addEdge(fromNode, agent.nodeId, 'backtrack', 'resume');
      this.launch(agent);
    }
  }

  /** Drop pool tools that a failure reason names (the reference prunes the APIs it blames). */
  prune(failure: string): string[] {
    const named = [...this.pool.keys()].filter((name) => new RegExp(`(?<![\\w-])${escapeRegExp(name)}(?![\\w-])`).test(failure));
    for (const name of named) this.pool.delete(name);
    return named;
  }

  /** An agent's first messages: its level's system prompt (anytool/meta, anytool/category, anytool/tool) and the request (anytool/opening). */
  private opening(level: AgentLevel, variables: Record<string, unknown>): Pick<SearchAgent, 'messages' | 'templates'> {
    const style = this.prompt('style', {});
    const system = this.prompt(level, { ...variables, style: style.text });
    const opening = this.prompt('opening', { level });
    return {
      messages: [
        { role: 'system', content: system.text },
        { role: 'user', content: opening.text },
      ],
      templates: [...system.templates, ...style.templates, ...opening.templates],
    };
  }

  private prompt(name: string, variables: Record<string, unknown>): RenderedPrompt {
    return this.o.task.render(undefined, `anytool/${name}`, { input: this.o.request, ...variables });
  }

  /** Append a templated user message to an agent's conversation. */
  private tell(agent: SearchAgent, name: string, variables: Record<string, unknown>): void {
    const prompt = this.prompt(name, variables);
    agent.messages.push({ role: 'user', content: prompt.text });
    agent.templates.push(...prompt.templates);
  }

  private launch(agent: SearchAgent): void {
    if (!this.agents.includes(agent)) this.agents.push(agent);
    const running: Promise<void> = this.loop(agent)
      .catch((err: unknown) => {
        this.failure ??= err;
        this.stop = true;
      })
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  private async loop(agent: SearchAgent): Promise<void> {
    const { run, p } = this.o;
    if (agent.failure) {
      this.tell(agent, 'refind', { failure: agent.failure, level: agent.level });
      agent.failure = undefined;
    }
    run.graph.update(agent.nodeId, { status: 'running' });
    for (let step = 0; step < (p.agentSteps as number); step++) {
      if (this.stop) {
        run.graph.update(agent.nodeId, { status: 'done', meta: { ...run.graph.get(agent.nodeId).meta, stopped: 'the pool is ready' } });
        return;
      }
      run.throwIfCancelled();
      const response = await this.ask(agent, step);
      if (!response) continue;
      const s = readSolverStep(response);
      const thought = (response.choices[0] ?? '').trim();
      if (s.kind !== 'calls') {
        agent.messages.push({ role: 'assistant', content: thought || '(no reply)' });
        this.tell(agent, 'nudge', {});
        continue;
      }
      agent.messages.push({ role: 'assistant', content: `${thought}\n${s.calls.map((c) => `CALL ${c.name} ${c.arguments}`).join('\n')}`.trim() });
      const results: string[] = [];
      for (const call of s.calls) {
        if (call.name.toLowerCase() === 'finish') {
          agent.finished = true;
          this.note(agent, 'finished');
          return;
        }
        results.push(`Result of ${call.name}: ${await this.perform(agent, call)}`);
      }
      agent.messages.push({ role: 'user', content: results.join('\n') });
    }
    agent.finished = true;
    this.note(agent, `used its ${p.agentSteps as number} turns`);
  }

  /** One turn's model call; switches to the text protocol when the server refuses functions. */
  private async ask(agent: SearchAgent, step: number): Promise<ChatResponse | undefined> {
    const { run, p, protocol } = this.o;
    const rules = protocol.native ? undefined : textProtocolRules(this.o.task, agent.functions);
    const messages = rules ? [{ role: 'system' as const, content: `${agent.messages[0].content}\n\n${rules.text}` }, ...agent.messages.slice(1)] : agent.messages;
    const templates = rules ? [...agent.templates, ...rules.templates] : agent.templates;
    try {
      return await run.call(agent.nodeId, `${agent.level} ${step + 1}`, { messages, temperature: p.temperature as number, tools: protocol.native ? agent.functions : undefined }, { templates });
    } catch (err) {
      if (protocol.native && p.protocol === 'auto' && err instanceof ModelError && err.kind === 'bad-request') {
        protocol.native = false;
        return undefined;
      }
      throw err;
    }
  }

  private note(agent: SearchAgent, what: string): void {
    const node = this.o.run.graph.get(agent.nodeId);
    this.o.run.graph.update(agent.nodeId, { status: 'done', meta: { ...node.meta, ended: what } });
  }

  private parseArgs(call: RequestedCall): Record<string, unknown> | string {
    try {
      const args = call.arguments.trim() ? JSON.parse(call.arguments) : {};
      return typeof args === 'object' && args !== null && !Array.isArray(args) ? args : 'Error: the arguments must be a JSON object';
    } catch (err) {
      return `Error: the arguments are not valid JSON (${(err as Error).message})`;
    }
  }

  /** Runs one exploration function; every failure is text for the agent. */
  private async perform(agent: SearchAgent, call: RequestedCall): Promise<string> {
    if (!agent.functions.some((f) => f.name === call.name)) return `Error: there is no function "${call.name}"; use ${agent.functions.map((f) => f.name).join(', ')}`;
    const args = this.parseArgs(call);
    if (typeof args === 'string') return args;
    const { catalog } = this.o;
    const names = (value: unknown) => (Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : typeof value === 'string' ? [value] : []);
    switch (call.name) {
      case 'get_tools_in_category': {
        const category = catalog.categories.find((c) => c.name === args.category);
        return category ? category.tools.map((t) => `${t.name}: ${t.description}`).join('\n') : `Error: no category "${String(args.category)}"; known: ${catalog.categories.map((c) => c.name).join(', ')}`;
      }
      case 'create_agent_category_level':
        return this.createCategoryAgent(agent, String(args.category ?? ''));
      case 'get_tools_descriptions':
        return names(args.tools)
          .map((n) => agent.category!.tools.find((t) => t.name === n))
          .map((t, i) => (t ? `${t.name}: ${t.description} Arguments: ${JSON.stringify(t.parameters)}` : `${names(args.tools)[i]}: not a tool of ${agent.category!.name}`))
          .join('\n');
      case 'create_agent_tool_level':
        return this.createToolAgent(agent, agent.category!, names(args.tools));
      case 'add_tools_into_pool':
        return this.addToPool(agent, names(args.tools));
      case 'check_if_request_solvable':
        return this.checkSolvable(agent);
      default:
        return `Error: "${call.name}" cannot be called here`;
    }
  }

  private child(parent: SearchAgent, level: AgentLevel, text: string, meta: Record<string, string | number>): string {
    return this.o.run.graph.addNode({ kind: 'tool', text, status: 'pending', meta: { level, depth: parent.depth + 1, ...meta } }, [{ id: parent.nodeId, kind: 'select' }]).id;
  }

  private createCategoryAgent(parent: SearchAgent, name: string): string {
    const category = this.o.catalog.categories.find((c) => c.name === name);
    if (!category) return `Error: no category "${name}"; known: ${this.o.catalog.categories.map((c) => c.name).join(', ')}`;
    if (this.agents.some((a) => a.level === 'category' && a.category === category)) return `Category ${name} is already assigned.`;
    const leafTools = this.o.p.leafTools as number;
    const nodeId = this.child(parent, 'category', `Category ${name}: ${category.tools.length} tools`, { category: name, tools: category.tools.length });
    const agent: SearchAgent = { level: 'category', depth: parent.depth + 1, nodeId, finished: false, category, functions: categoryFunctions(), ...this.opening('category', { category: category.name, tools: describeTools(category.tools), leafTools }) };
    if (category.tools.length <= leafTools) {
      // A small category needs no search of its own: one tool agent gets all its tools (as the reference).
      agent.finished = true;
      this.agents.push(agent);
      this.createToolAgent(agent, category, category.tools.map((t) => t.name));
      return `Category ${name} assigned.`;
    }
    this.launch(agent);
    return `Category ${name} assigned.`;
  }

  private createToolAgent(parent: SearchAgent, category: Category, names: string[]): string {
    const tools = names.map((n) => category.tools.find((t) => t.name === n));
    const unknown = names.filter((_, i) => !tools[i]);
    if (unknown.length > 0) return `Error: not tools of ${category.name}: ${unknown.join(', ')}`;
    if (names.length === 0) return 'Error: name at least one tool';
    if (names.length > (this.o.p.leafTools as number)) return `Error: at most ${this.o.p.leafTools as number} tools per agent; assign them in smaller groups`;
    const chosen = tools as CatalogTool[];
    const nodeId = this.child(parent, 'tool', `Tool agent: ${names.join(', ')}`, { category: category.name, tools: names.join(', ') });
    this.launch({ level: 'tool', depth: parent.depth + 1, nodeId, finished: false, category, tools: chosen, functions: TOOL_FUNCTIONS, ...this.opening('tool', { tools: describeTools(chosen) }) });
    return `Tools ${names.join(', ')} assigned.`;
  }

  private async addToPool(agent: SearchAgent, names: string[]): Promise<string> {
    const size = this.o.p.poolSize as number;
    const own = names.map((n) => agent.tools!.find((t) => t.name === n));
    const unknown = names.filter((_, i) => !own[i]);
    if (unknown.length > 0) return `Error: not among your tools: ${unknown.join(', ')}`;
    const fresh = (own as CatalogTool[]).filter((t) => !this.pool.has(t.name));
    if (this.pool.size + fresh.length > size) return `Error: the pool holds at most ${size} tools; it has ${this.pool.size}. Add fewer.`;
    for (const tool of fresh) this.pool.set(tool.name, { tool, agentNode: agent.nodeId });
    const node = this.o.run.graph.get(agent.nodeId);
    this.o.run.graph.update(agent.nodeId, { meta: { ...node.meta, added: [...this.pool.values()].filter((x) => x.agentNode === agent.nodeId).map((x) => x.tool.name).join(', ') } });
    if (this.stop) return `Added. The pool has ${this.pool.size} of at most ${size} tools.`;
    return `Added. The pool has ${this.pool.size} of at most ${size} tools. ${await this.checkSolvable(agent)}`;
  }

  /** The reference's check_if_request_solvable: a model call over the whole pool. */
  private async checkSolvable(agent: SearchAgent): Promise<string> {
    if (this.stop) return 'The pool is already sufficient.';
    if (this.pool.size === 0) return 'The pool is empty.';
    const { run } = this.o;
    const node = run.graph.addNode({ kind: 'evaluation', text: 'Is the request solvable with the pool?…', status: 'pending', meta: { agent: 'solvability check', pool: this.pool.size } }, [{ id: agent.nodeId, kind: 'evaluate' }]);
    const prompt = this.prompt('solvable', { tools: describeTools([...this.pool.values()].map((x) => x.tool)) });
    const reply = (await run.call(node.id, 'solvable', { messages: [{ role: 'user', content: prompt.text }], temperature: 0 }, { templates: prompt.templates })).choices[0] ?? '';
    const solvable = !/\bunsolvable\b/i.test(reply) && /\bsolvable\b/i.test(reply);
    run.graph.update(node.id, { text: `${solvable ? 'Solvable' : 'Unsolvable'} with ${this.pool.size} tool${this.pool.size === 1 ? '' : 's'}: ${reply.trim()}`, score: solvable ? 1 : 0 });
    if (solvable) {
      this.stop = true;
      this.status = 'the pool can solve the request';
      return 'The pool can solve the request.';
    }
    this.status = `the pool cannot solve the request: ${reply.replace(/^\W*unsolvable\W*/i, '').trim() || 'no reason given'}`;
    if (this.pool.size >= (this.o.p.poolSize as number)) this.stop = true;
    return `The pool cannot solve the request yet: ${this.status}.`;
  }
}
