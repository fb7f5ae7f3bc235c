// AnyTool (Du et al., 2024): hierarchical tool search over a large catalog, then a solver, after the
// reference code. The search (anytool/search.ts) is a tree of function-calling agents — a meta-agent,
// category agents, tool agents — that fill a shared tool pool until a solvability check says it
// suffices. A solver then calls the pooled tools (the server's function calling, or a text protocol
// where it has none) until it answers, and a judge call decides whether the answer solves the request.
// If not, the tools the failure names leave the pool and the deepest unfinished agents resume with the
// failure reason, keeping the pool and their conversations, for up to `rounds` solver attempts.
//
// Graph: question → meta → categories → tool agents (→ solvability checks) → solver → calls → judge →
// answer; a failed judgement has back edges to the agents it resumes.
import { ModelError, type ChatMessage } from '../model/types';
import type { Run } from '../run/run';
import type { Task } from '../tasks/types';
import type { RenderedPrompt, TemplateUse } from '../templates/types';
import { withParts } from '../templates/library';
import { BUILTIN_CATALOG, type ToolContext } from './anytool/builtinTools';
import { CatalogError, mergeCatalogs, parseCatalog, type Catalog, type CatalogTool } from './anytool/catalog';
import { readSolverStep, textProtocolRules, toolSpecs } from './anytool/protocol';
import { ToolSearch } from './anytool/search';
import { runToolCall } from './anytool/toolRunner';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import type { Technique, TechniqueHost } from './types';
import { readWorkspaceFile } from './workspaceFile';

const params: readonly ParamSpec[] = [
  { name: 'catalogFile', type: 'string', default: '', maxLength: 1024, description: 'A JSON tool catalog (`{"categories": [{"name", "description", "tools": [{"name", "description", "parameters": <JSON Schema>, "implementation"}]}]}`). Relative paths start at the workspace folder (CLI: the current directory).' },
  { name: 'builtins', type: 'boolean', default: true, description: 'Include the built-in tools: calculator, run_code (sandbox), workspace_search, read_file, datetime, convert_units.' },
  { name: 'agentSteps', type: 'integer', default: 20, min: 1, max: 50, description: 'Turns each search agent (meta, category, tool) takes at most per activation (the reference: 20).' },
  { name: 'leafTools', type: 'integer', default: 5, min: 1, max: 20, description: 'Tools handed to one tool agent at most (the reference: 5).' },
  { name: 'poolSize', type: 'integer', default: 64, min: 1, max: 200, description: 'Tools the shared pool holds at most (the reference: 64).' },
  { name: 'maxSteps', type: 'integer', default: 6, min: 1, max: 30, description: 'Solver turns (each may call tools) before the attempt counts as failed.' },
  { name: 'rounds', type: 'integer', default: 3, min: 1, max: 10, description: 'Solver attempts in all: after a failed one, the deepest unfinished search agents resume with the reason.' },
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

/** anytool/solver: the question, the tools (as functions, or the text protocol) and earlier failures. */
function solverPrompt(task: Task, question: string, tools: readonly CatalogTool[], native: boolean, failures: readonly string[]): RenderedPrompt {
  const protocol = native ? undefined : textProtocolRules(task, tools);
  const solver = task.render(undefined, 'anytool/solver', { input: question, native, toolNames: tools.map((t) => t.name), protocol: protocol?.text ?? '', failures });
  return withParts(solver, protocol);
}

type Attempt = { answer: string; callNodes: string[]; results: string[] } | { failure: string };

interface SolveArgs {
  run: Run;
  question: string;
  tools: CatalogTool[];
  toolNodes: Map<string, string>;
  solverId: string;
  p: ParamValues;
  ctx: ToolContext;
  failures: string[];
  protocol: { native: boolean };
  task: Task;
}

async function solve({ run, question, tools, toolNodes, solverId, p, ctx, failures, protocol, task }: SolveArgs): Promise<Attempt> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  let opening = solverPrompt(task, question, tools, protocol.native, failures);
  const templates: TemplateUse[] = [...opening.templates];
  const log: string[] = [];
  const messages: ChatMessage[] = [{ role: 'user', content: opening.text }];
  const errors: string[] = [];
  const callNodes: string[] = [];
  for (let step = 0; step < (p.maxSteps as number); ) {
    run.throwIfCancelled();
    let response;
    try {
      response = await run.call(solverId, `solve ${step + 1}`, { messages, temperature: p.temperature as number, tools: protocol.native ? toolSpecs(tools) : undefined }, { templates });
    } catch (err) {
      // A server without function calling refuses `tools` (HTTP 400): carry on with the text protocol.
      if (protocol.native && p.protocol === 'auto' && err instanceof ModelError && err.kind === 'bad-request') {
        protocol.native = false;
        opening = solverPrompt(task, question, tools, protocol.native, failures);
        messages[0] = { role: 'user', content: opening.text };
        templates.splice(0, 1, ...opening.templates);
        run.graph.update(solverId, { status: 'running', meta: { protocol: 'text (the server refused tools)' } });
        continue;
      }
      throw err;
    }
    step++;
    const s = readSolverStep(response);
    if (s.kind === 'answer') return { answer: s.answer, callNodes, results: log };
    if (s.kind === 'giveUp') return { failure: `the solver gave up: ${s.reason}${errors.length ? `; tool errors: ${errors.slice(-3).join(' | ')}` : ''}` };
    const results: string[] = [];
    for (const [i, call] of s.calls.entries()) {
      const parent = toolNodes.get(call.name) ?? solverId;
      const node = run.graph.addNode({ kind: 'execution', text: `${call.name}(${call.arguments})`, status: 'running', meta: { tool: call.name, step } }, [{ id: parent, kind: 'expand', label: `step ${step}` }]);
      const outcome = await runToolCall(byName.get(call.name), call.name, call.arguments, ctx);
      run.graph.update(node.id, { status: outcome.ok ? 'done' : 'failed', text: `${call.name}(${call.arguments})\n→ ${outcome.output}`, error: outcome.ok ? undefined : outcome.output });
      if (outcome.ok) callNodes.push(node.id);
      else errors.push(outcome.output);
      log.push(`${call.name}(${call.arguments}) → ${outcome.output}`);
      results.push(`Result ${i + 1} (${call.name}): ${outcome.output}`);
    }
    messages.push({ role: 'assistant', content: `${response.choices[0] ?? ''}\n${s.calls.map((c) => `CALL ${c.name} ${c.arguments}`).join('\n')}`.trim() });
    const next = task.render(undefined, 'anytool/continue', { input: question, results: results.join('\n') });
    messages.push({ role: 'user', content: next.text });
    templates.push(...next.templates);
  }
  return { failure: `no answer within ${p.maxSteps} solver steps${errors.length ? `; tool errors: ${errors.slice(-3).join(' | ')}` : ''}` };
}

/** The reference's check_solved: a judge call on the solver's answer. */
async function judgeAnswer(run: Run, task: Task, solverId: string, question: string, answer: string, results: readonly string[], p: ParamValues): Promise<{ solved: boolean; reason: string; nodeId: string }> {
  const node = run.graph.addNode({ kind: 'evaluation', text: 'Judging the answer…', status: 'pending', meta: { agent: 'judge' } }, [{ id: solverId, kind: 'evaluate' }]);
  const prompt = task.render(undefined, 'anytool/judge', { input: question, calls: results.map((r) => r.slice(0, 500)), answer });
  const reply = (await run.call(node.id, 'judge', { messages: [{ role: 'user', content: prompt.text }], temperature: p.temperature as number }, { templates: prompt.templates })).choices[0] ?? '';
  const solved = !/\bunsolved\b/i.test(reply) && /\bsolved\b/i.test(reply);
  const reason = reply.replace(/^\W*(?:un)?solved\W*/i, '').trim() || (solved ? 'solved' : 'the judge gave no reason');
  run.graph.update(node.id, { text: `${solved ? 'Solved' : 'Unsolved'}: ${reason}`, score: solved ? 1 : 0 });
  return { solved, reason, nodeId: node.id };
}

export const anytoolTechnique: Technique = {
  id: 'anytool',
  name: 'AnyTool',
  description: 'Hierarchical tool search over a large catalog by function-calling agents (meta → category → tool) that fill a tool pool checked for solvability; a solver calls the pooled tools, a judge decides, and failed attempts resume the deepest agents.',
  params,
  async validate(p, host) {
    await loadToolCatalog(p, host);
  },
  async run({ run, task, input, params: p, host }) {
    const catalog = await loadToolCatalog(p, host);
    const ctx: ToolContext = { root: host.baseDir ?? process.cwd(), signal: run.signal };
    const question = run.graph.addNode({ kind: 'question', text: input });
    const protocol = { native: p.protocol !== 'text' };
    const search = new ToolSearch({ run, request: input, catalog, p, protocol, task });
    search.start(question.id);
    await search.settle();
    const failures: string[] = [];
    const answers: string[] = [];
    let last = question.id;
    for (let round = 1; round <= (p.rounds as number); round++) {
      run.throwIfCancelled();
      let failure: string;
      let failedAt: string;
      const pooled = [...search.pool.values()];
      if (pooled.length === 0) {
        failure = `no tool was added to the pool${search.status ? `; ${search.status}` : ''}`;
        failedAt = last;
      } else {
        const tools = pooled.map((x) => x.tool);
        const toolNodes = new Map(pooled.map((x) => [x.tool.name, x.agentNode]));
        const solver = run.graph.addNode(
          { kind: 'thought', text: `Solver with ${tools.map((t) => t.name).join(', ')}`, status: 'pending', meta: { agent: 'solver', round, protocol: protocol.native ? 'function calling' : 'text' } },
          [...new Set(toolNodes.values())].map((id) => ({ id, kind: 'aggregate' as const })),
        );
        const attempt = await solve({ run, question: input, tools, toolNodes, solverId: solver.id, p, ctx, failures, protocol, task });
        if ('answer' in attempt) {
          const answer = task.extractAnswer(attempt.answer);
          answers.push(answer);
          const verdict = await judgeAnswer(run, task, solver.id, input, attempt.answer, attempt.results, p);
          if (verdict.solved) {
            const node = run.graph.addNode({ kind: 'answer', text: answer, meta: { round } }, [{ id: verdict.nodeId, kind: 'answer' }, ...attempt.callNodes.map((id) => ({ id, kind: 'aggregate' as const }))]);
            return { answer, answerNodeId: node.id, candidates: answers };
          }
          failure = `the judge found the answer "${answer}" unsolved: ${verdict.reason}`;
          failedAt = verdict.nodeId;
        } else {
          failure = attempt.failure;
          failedAt = solver.id;
        }
        const pruned = search.prune(failure);
        run.graph.update(solver.id, { meta: { ...run.graph.get(solver.id).meta, failure, ...(pruned.length ? { pruned: pruned.join(', ') } : {}) } });
      }
      failures.push(failure);
      last = failedAt;
      const resumable = search.deepestUnfinished();
      if (round === (p.rounds as number) || resumable.length === 0) break;
      search.resume(resumable, failure, failedAt);
      await search.settle();
    }
    const answer = `No answer: ${failures[failures.length - 1]}`;
    const node = run.graph.addNode({ kind: 'answer', text: answer, meta: { answered: false } }, [{ id: last, kind: 'answer' }]);
    return { answer, answerNodeId: node.id, candidates: answers.length ? answers : [answer] };
  },
};
