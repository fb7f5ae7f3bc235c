// AnyTool (Du et al., 2024): hierarchical tool selection over a large catalog. A meta-agent picks
// categories; a category agent per category picks tools; a tool agent per tool decides whether and
// how to call it; a solver then calls the chosen tools (the server's function calling, or a text
// protocol where it has none) until it answers. If it gives up, a self-reflection says what went
// wrong and the search starts again from the meta-agent with that reflection in hand.
//
// Graph: question → meta → categories → tools → calls → answer; reflection → next meta is a back edge.
import { ModelError, type ChatMessage } from '../model/types';
import type { Run } from '../run/run';
import { BUILTIN_CATALOG, type ToolContext } from './anytool/builtinTools';
import { CatalogError, mergeCatalogs, parseCatalog, type Catalog, type CatalogTool } from './anytool/catalog';
import { readSolverStep, textProtocolRules, toolSpecs } from './anytool/protocol';
import { runToolCall } from './anytool/toolRunner';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import type { Technique, TechniqueHost } from './types';
import { readWorkspaceFile } from './workspaceFile';

const params: readonly ParamSpec[] = [
  { name: 'catalogFile', type: 'string', default: '', maxLength: 1024, description: 'A JSON tool catalog (`{"categories": [{"name", "description", "tools": [{"name", "description", "parameters": <JSON Schema>, "implementation"}]}]}`). Relative paths start at the workspace folder (CLI: the current directory).' },
  { name: 'builtins', type: 'boolean', default: true, description: 'Include the built-in tools: calculator, run_code (sandbox), workspace_search, read_file, datetime, convert_units.' },
  { name: 'maxCategories', type: 'integer', default: 2, min: 1, max: 10, description: 'Categories the meta-agent may pick per round.' },
  { name: 'maxTools', type: 'integer', default: 3, min: 1, max: 10, description: 'Tools each category agent may pick.' },
  { name: 'maxSteps', type: 'integer', default: 6, min: 1, max: 30, description: 'Solver turns (each may call tools) before the attempt counts as failed.' },
  { name: 'rounds', type: 'integer', default: 3, min: 1, max: 10, description: 'Attempts in all: after a failed one, a reflection re-opens the search.' },
  { name: 'protocol', type: 'enum', default: 'auto', options: ['auto', 'native', 'text'], description: 'auto: function calling, switching to the text protocol if the server refuses tools. native: function calling only. text: "CALL <tool> <JSON>" lines.' },
  { name: 'temperature', type: 'number', default: 0, min: 0, max: 2, description: 'Sampling temperature of every call.' },
];

const WHERE = 'technique "anytool"';

export async function loadToolCatalog(p: ParamValues, host: TechniqueHost): Promise<Catalog> {
  let catalog: Catalog = p.builtins ? BUILTIN_CATALOG : { categories: [] };
  const file = (p.catalogFile as string).trim();
  if (file) {
    const where = `${WHERE} parameter "catalogFile" (${file})`;
    const text = await readWorkspaceFile(file, host, where);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ParamError(`${where}: not valid JSON (${(err as Error).message})`);
    }
    try {
      catalog = mergeCatalogs(catalog, parseCatalog(raw, where));
    } catch (err) {
      if (err instanceof CatalogError) throw new ParamError(err.message);
      throw err;
    }
  }
  if (catalog.categories.length === 0) throw new ParamError(`${WHERE} has no tools: set parameter "catalogFile" or builtins=true`);
  return catalog;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Known names in the order the reply mentions them, longest match per line (so tool_1 never shadows tool_10). */
export function pickNames(reply: string, names: readonly string[], max: number): string[] {
  const picked: string[] = [];
  for (const line of reply.split('\n')) {
    const found = names
      .filter((n) => new RegExp(`(?<![\\w-])${escapeRegExp(n)}(?![\\w-])`, 'i').test(line))
      .sort((a, b) => b.length - a.length)[0];
    if (found && !picked.includes(found)) picked.push(found);
    if (picked.length >= max) break;
  }
  return picked;
}

const metaPrompt = (question: string, catalog: Catalog, max: number, reflections: readonly string[]) =>
  'You are the meta-agent of a tool search: pick the tool categories most likely to hold tools that answer the question.\n\n' +
  `Question: ${question.trim()}\n\nCategories:\n${catalog.categories.map((c) => `- ${c.name}: ${c.description}`).join('\n')}\n\n` +
  (reflections.length ? `Reflections from failed attempts (avoid repeating them):\n${reflections.map((r) => `- ${r}`).join('\n')}\n\n` : '') +
  `Reply with up to ${max} category names, one per line, best first.`;

const categoryPrompt = (question: string, category: Catalog['categories'][number], max: number, reflections: readonly string[]) =>
  `You are the category agent for "${category.name}": pick the tools of this category that help answer the question.\n\n` +
  `Question: ${question.trim()}\n\nTools:\n${category.tools.map((t) => `- ${t.name}: ${t.description}`).join('\n')}\n\n` +
  (reflections.length ? `Reflections from failed attempts:\n${reflections.map((r) => `- ${r}`).join('\n')}\n\n` : '') +
  `Reply with up to ${max} tool names, one per line, best first, or NONE.`;

const toolPrompt = (question: string, tool: CatalogTool) =>
  `You are the tool agent for "${tool.name}": ${tool.description}\nArguments (JSON Schema): ${JSON.stringify(tool.parameters)}\n\n` +
  `Question: ${question.trim()}\n\nIf this tool helps, reply "USE:" followed by the call(s) you would make with their JSON arguments; otherwise reply "SKIP:" and why.`;

function solverPrompt(question: string, tools: readonly CatalogTool[], native: boolean, reflections: readonly string[]): string {
  return (
    'You are the solver: answer the question using the tools offered. Call a tool whenever it can compute or look up something, and trust its results over your own guesses.\n\n' +
    `Question: ${question.trim()}\n\n` +
    (native ? `Tools: ${tools.map((t) => t.name).join(', ')} (offered as functions).\n\n` : `${textProtocolRules(tools)}\n\n`) +
    (reflections.length ? `Reflections from failed attempts:\n${reflections.map((r) => `- ${r}`).join('\n')}\n\n` : '') +
    'When you know the answer, write "FINAL ANSWER: <answer>". If these tools cannot answer it, write "GIVE UP: <what is missing>".'
  );
}

type Attempt = { answer: string; callNodes: string[] } | { failure: string };

interface SolveArgs {
  run: Run;
  question: string;
  tools: CatalogTool[];
  toolNodes: Map<string, string>;
  solverId: string;
  p: ParamValues;
  ctx: ToolContext;
  reflections: string[];
  protocol: { native: boolean };
}

async function solve({ run, question, tools, toolNodes, solverId, p, ctx, reflections, protocol }: SolveArgs): Promise<Attempt> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const first = (): ChatMessage => ({ role: 'user', content: solverPrompt(question, tools, protocol.native, reflections) });
  const messages: ChatMessage[] = [first()];
  const errors: string[] = [];
  const callNodes: string[] = [];
  for (let step = 0; step < (p.maxSteps as number); ) {
    run.throwIfCancelled();
    let response;
    try {
      response = await run.call(solverId, `solve ${step + 1}`, { messages, temperature: p.temperature as number, tools: protocol.native ? toolSpecs(tools) : undefined });
    } catch (err) {
      // A server without function calling refuses `tools` (HTTP 400): carry on with the text protocol.
      if (protocol.native && p.protocol === 'auto' && err instanceof ModelError && err.kind === 'bad-request') {
        protocol.native = false;
        messages[0] = first();
        run.graph.update(solverId, { status: 'running', meta: { protocol: 'text (the server refused tools)' } });
        continue;
      }
      throw err;
    }
    step++;
    const s = readSolverStep(response);
    if (s.kind === 'answer') return { answer: s.answer, callNodes };
    if (s.kind === 'giveUp') return { failure: `the solver gave up: ${s.reason}${errors.length ? `; tool errors: ${errors.slice(-3).join(' | ')}` : ''}` };
    const results: string[] = [];
    for (const [i, call] of s.calls.entries()) {
      const parent = toolNodes.get(call.name) ?? solverId;
      const node = run.graph.addNode({ kind: 'execution', text: `${call.name}(${call.arguments})`, status: 'running', meta: { tool: call.name, step } }, [{ id: parent, kind: 'expand', label: `step ${step}` }]);
      const outcome = await runToolCall(byName.get(call.name), call.name, call.arguments, ctx);
      run.graph.update(node.id, { status: outcome.ok ? 'done' : 'failed', text: `${call.name}(${call.arguments})\n→ ${outcome.output}`, error: outcome.ok ? undefined : outcome.output });
      if (outcome.ok) callNodes.push(node.id);
      else errors.push(outcome.output);
      results.push(`Result ${i + 1} (${call.name}): ${outcome.output}`);
    }
    messages.push({ role: 'assistant', content: `${response.choices[0] ?? ''}\n${s.calls.map((c) => `CALL ${c.name} ${c.arguments}`).join('\n')}`.trim() });
    messages.push({ role: 'user', content: `${results.join('\n')}\n\nContinue: call a tool again, or write "FINAL ANSWER: <answer>", or "GIVE UP: <why>".` });
  }
  return { failure: `no answer within ${p.maxSteps} solver steps${errors.length ? `; tool errors: ${errors.slice(-3).join(' | ')}` : ''}` };
}

export const anytoolTechnique: Technique = {
  id: 'anytool',
  name: 'AnyTool',
  description: 'Hierarchical tool search over a large catalog (meta-agent → category agents → tool agents), a solver that calls the chosen tools, and self-reflection when it fails.',
  params,
  async validate(p, host) {
    await loadToolCatalog(p, host);
  },
  async run({ run, task, input, params: p, host }) {
    const catalog = await loadToolCatalog(p, host);
    const ctx: ToolContext = { root: host.baseDir ?? process.cwd(), signal: run.signal };
    const temperature = p.temperature as number;
    const ask = async (nodeId: string, role: string, content: string) => (await run.call(nodeId, role, { messages: [{ role: 'user', content }], temperature })).choices[0] ?? '';
    const question = run.graph.addNode({ kind: 'question', text: input });
    const reflections: string[] = [];
    const protocol = { native: p.protocol !== 'text' };
    let reflectionNode: string | undefined;
    let failure = '';
    let lastSolver = question.id;
    for (let round = 1; round <= (p.rounds as number); round++) {
      const meta = run.graph.addNode({ kind: 'thought', text: `Meta-agent (round ${round}): choosing categories…`, status: 'pending', meta: { agent: 'meta', round } }, [{ id: question.id, kind: 'expand' }]);
      if (reflectionNode) run.graph.addEdge(reflectionNode, meta.id, 'backtrack', 'reflection');
      const categoryNames = pickNames(await ask(meta.id, 'meta', metaPrompt(input, catalog, p.maxCategories as number, reflections)), catalog.categories.map((c) => c.name), p.maxCategories as number);
      run.graph.update(meta.id, { text: `Meta-agent (round ${round}): ${categoryNames.join(', ') || 'no known category'}` });

      const chosen: CatalogTool[] = [];
      const toolNodes = new Map<string, string>();
      await Promise.all(
        categoryNames.map(async (name) => {
          const category = catalog.categories.find((c) => c.name === name)!;
          const catNode = run.graph.addNode({ kind: 'tool', text: `Category ${name}: choosing among ${category.tools.length} tools…`, status: 'pending', meta: { level: 'category', tools: category.tools.length } }, [{ id: meta.id, kind: 'select' }]);
          const toolNames = pickNames(await ask(catNode.id, 'category', categoryPrompt(input, category, p.maxTools as number, reflections)), category.tools.map((t) => t.name), p.maxTools as number);
          run.graph.update(catNode.id, { text: `Category ${name}: ${toolNames.join(', ') || 'no tool'}` });
          await Promise.all(
            toolNames.map(async (toolName) => {
              const tool = category.tools.find((t) => t.name === toolName)!;
              const toolNode = run.graph.addNode({ kind: 'tool', text: `Tool ${toolName}`, status: 'pending', meta: { level: 'tool', category: name } }, [{ id: catNode.id, kind: 'select' }]);
              const verdict = await ask(toolNode.id, 'tool', toolPrompt(input, tool));
              const skip = /^\W*SKIP\b/i.test(verdict.trim());
              run.graph.update(toolNode.id, { text: `Tool ${toolName}: ${verdict.trim()}`, status: skip ? 'pruned' : 'done' });
              if (!skip) {
                chosen.push(tool);
                toolNodes.set(tool.name, toolNode.id);
              }
            }),
          );
        }),
      );

      let attempt: Attempt;
      let solverId: string;
      if (chosen.length === 0) {
        attempt = { failure: categoryNames.length ? 'no tool was chosen in the categories searched' : 'the meta-agent chose no known category' };
        solverId = meta.id;
      } else {
        const solver = run.graph.addNode({ kind: 'thought', text: `Solver with ${chosen.map((t) => t.name).join(', ')}`, status: 'pending', meta: { agent: 'solver', round, protocol: protocol.native ? 'function calling' : 'text' } }, [...toolNodes.values()].map((id) => ({ id, kind: 'aggregate' as const })));
        solverId = solver.id;
        attempt = await solve({ run, question: input, tools: chosen, toolNodes, solverId, p, ctx, reflections, protocol });
      }
      if ('answer' in attempt) {
        const answer = task.extractAnswer(attempt.answer);
        const node = run.graph.addNode({ kind: 'answer', text: answer, meta: { round } }, [{ id: solverId, kind: 'answer' }, ...attempt.callNodes.map((id) => ({ id, kind: 'aggregate' as const }))]);
        return { answer, answerNodeId: node.id, candidates: [answer] };
      }
      failure = attempt.failure;
      lastSolver = solverId;
      run.graph.update(solverId, { meta: { ...run.graph.get(solverId).meta, failure } });
      if (round === (p.rounds as number)) break;
      const reflection = run.graph.addNode({ kind: 'reflection', text: `Reflecting on: ${failure}`, status: 'pending', meta: { round } }, [{ id: solverId, kind: 'evaluate', label: 'failed' }]);
      const text = (await ask(reflection.id, 'reflect', `Reflect on the failed attempt to answer a question with tools.\n\nQuestion: ${input.trim()}\nCategories searched: ${categoryNames.join(', ') || '(none)'}\nTools used: ${chosen.map((t) => t.name).join(', ') || '(none)'}\nWhat went wrong: ${failure}\n\nIn two or three sentences, say why it failed and which kinds of tools or categories to search instead.`)).trim();
      reflections.push(text || failure);
      run.graph.update(reflection.id, { text: text || failure });
      reflectionNode = reflection.id;
    }
    const answer = `No answer: ${failure}`;
    const node = run.graph.addNode({ kind: 'answer', text: answer, meta: { answered: false } }, [{ id: lastSolver, kind: 'answer' }]);
    return { answer, answerNodeId: node.id, candidates: [answer] };
  },
};
