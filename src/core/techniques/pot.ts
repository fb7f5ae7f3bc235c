// Program of Thoughts (Chen et al., 2023): the model writes a program, a sandbox runs it, and the
// program's `ans` (or `result`, or its last printed line) is the answer. As in the paper, one program
// is decoded greedily and a failing one counts as no answer; `repairs` > 0 sends it back to the model
// with its error (a Self-Debug-style extension). With samples > 1, several programs are sampled at
// `sampleTemperature` and their answers voted on (PoT-SC: the paper samples 40 at 0.4).
// Graph: question → program → execution → (repaired program → execution)* → answer.
import { ExplainedStop } from '../errors';
import type { ThoughtNode } from '../graph/types';
import type { Run } from '../run/run';
import { executionSetup } from '../sandbox/execution';
import { PROGRAM_LANGUAGES, type ExecutionResult, type ProgramLanguage, type SandboxLimits } from '../sandbox/types';
import type { Task } from '../tasks/types';
import type { ParamSpec, ParamValues } from './params';
import { executionAnswer, executionText, extractProgram, problemOf, programPrompt, repairMessages, voteKey } from './potProgram';
import type { Technique } from './types';

const params: readonly ParamSpec[] = [
  { name: 'language', type: 'enum', default: 'python', options: PROGRAM_LANGUAGES, description: 'Language of the generated program: python (Pyodide) or javascript (QuickJS), both run in a WebAssembly sandbox.' },
  { name: 'repairs', type: 'integer', default: 0, min: 0, max: 5, description: 'Times a failing program is sent back to the model with its error to be fixed. 0 (the paper): a failing program gives no answer.' },
  { name: 'samples', type: 'integer', default: 1, min: 1, max: 100, description: 'Programs to write and run; with more than one, their answers are voted on (PoT-SC; the paper uses 40).' },
  { name: 'timeoutSeconds', type: 'number', default: 5, min: 0.5, max: 60, description: 'Wall-time limit of one program run, in seconds.' },
  { name: 'memoryMb', type: 'integer', default: 256, min: 64, max: 2048, description: 'Memory limit of the interpreter, in MB.' },
  { name: 'temperature', type: 'number', default: 0, min: 0, max: 2, description: 'Sampling temperature with one sample (0: greedy decoding, as the paper).' },
  { name: 'sampleTemperature', type: 'number', default: 0.4, min: 0, max: 2, description: 'Sampling temperature when samples > 1 (the paper: 0.4).' },
];

/** One program chain: the programs written for it and the answer its last execution gave. */
interface Chain {
  executions: ThoughtNode[];
  answer?: string;
  lastExecution?: ThoughtNode;
}

export class ProgramNotRunError extends ExplainedStop {
  constructor(reason: string) {
    super(`Program not run: ${reason}`);
    this.name = 'ProgramNotRunError';
  }
}

/** Greedy for one program, `sampleTemperature` for PoT-SC's several. */
function temperatureOf(p: ParamValues): number {
  return (p.samples as number) > 1 ? (p.sampleTemperature as number) : (p.temperature as number);
}

/** The sandbox limits that PoT's parameters set (also used by "Run in sandbox" in the editor). */
export function limitsOf(p: ParamValues): Partial<SandboxLimits> {
  return { timeMs: Math.round((p.timeoutSeconds as number) * 1000), memoryBytes: (p.memoryMb as number) * 1024 * 1024 };
}

function executionMeta(result: ExecutionResult): Record<string, string | number | boolean> {
  const meta: Record<string, string | number | boolean> = { engine: result.engine, ok: result.ok, timeMs: result.timeMs };
  if (result.memoryBytes !== undefined) meta.memoryMb = Math.round((result.memoryBytes / 1048576) * 10) / 10;
  if (result.limit) meta.limit = result.limit;
  return meta;
}

/** Ask the gate once per run; a refusal leaves the program in the graph, unrun, and ends the run. */
async function checkGate(run: Run, state: { allowed?: boolean }, language: ProgramLanguage, code: string, program: ThoughtNode): Promise<void> {
  if (state.allowed) return;
  const reason = await executionSetup().gate({ language, code });
  run.throwIfCancelled();
  if (reason === undefined) {
    state.allowed = true;
    return;
  }
  run.graph.addNode({ kind: 'execution', text: `Not run: ${reason}`, status: 'cancelled', meta: { ran: false } }, [{ id: program.id, kind: 'expand', label: 'not run' }]);
  throw new ProgramNotRunError(reason);
}

/** Runs the program; a sandbox that cannot run it (no Deno for this platform, an interpreter that
 * did not start) marks the execution node and stops the run with the reason, as an untrusted
 * workspace does. A cancel stays a cancel. */
async function executeOrExplain(run: Run, execution: ThoughtNode, execute: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  try {
    return await execute();
  } catch (err) {
    if (run.signal.aborted) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    run.graph.update(execution.id, { text: `Not run: ${reason}`, status: 'failed', error: reason, meta: { ran: false } });
    throw new ProgramNotRunError(reason);
  }
}

async function runChain(run: Run, task: Task, input: string, p: ParamValues, first: ThoughtNode, gate: { allowed?: boolean }): Promise<Chain> {
  const language = p.language as ProgramLanguage;
  const chain: Chain = { executions: [] };
  let program = first;
  for (let attempt = 0; ; attempt++) {
    const code = program.text;
    await checkGate(run, gate, language, code, program);
    const execution = run.graph.addNode({ kind: 'execution', text: 'Running…', status: 'running' }, [{ id: program.id, kind: 'expand', label: 'run' }]);
    const executor = executionSetup().executorFor({ language, code });
    const result = await executeOrExplain(run, execution, () => executor.execute({ language, code, limits: limitsOf(p) }, run.signal));
    const problem = problemOf(result);
    run.graph.update(execution.id, { text: executionText(result), status: problem ? 'failed' : 'done', error: result.error, meta: executionMeta(result) });
    chain.executions.push(execution);
    chain.lastExecution = execution;
    if (!problem) {
      chain.answer = executionAnswer(result);
      return chain;
    }
    if (attempt >= (p.repairs as number)) return chain;
    run.throwIfCancelled();
    const repaired = run.graph.addNode(
      { kind: 'program', text: 'Asking for a fix…', status: 'pending', meta: { language, attempt: attempt + 2 } },
      [{ id: execution.id, kind: 'refine', label: 'repair' }],
    );
    const repair = repairMessages(task, language, input, code, problem);
    const response = await run.call(repaired.id, 'repair', { messages: repair.messages, temperature: temperatureOf(p) }, { templates: repair.templates });
    program = run.graph.update(repaired.id, { text: extractProgram(response.choices[0] ?? '', language) });
  }
}

export const potTechnique: Technique = {
  id: 'pot',
  name: 'Program of Thoughts',
  description: 'The model writes a program (Python or JavaScript); a WebAssembly sandbox runs it and its answer variable or output is the answer. Optionally, failing programs are repaired.',
  params,
  async run({ run, task, input, params: p }) {
    const language = p.language as ProgramLanguage;
    const samples = p.samples as number;
    const question = run.graph.addNode({ kind: 'question', text: input });
    const first = run.graph.addNode(
      { kind: 'program', text: `Asking ${run.model.model} for a ${language} program…`, status: 'pending', meta: { language, attempt: 1 } },
      [{ id: question.id, kind: 'expand' }],
    );
    const prompt = programPrompt(task, language, input);
    const response = await run.call(first.id, 'program', { messages: [{ role: 'user', content: prompt.text }], temperature: temperatureOf(p), n: samples }, { templates: prompt.templates });
    const programs = response.choices.map((choice, i) => {
      const code = extractProgram(choice, language);
      if (i === 0) return run.graph.update(first.id, { text: code });
      return run.graph.addNode({ kind: 'program', text: code, meta: { language, attempt: 1, sample: i + 1 } }, [{ id: question.id, kind: 'expand' }]);
    });

    // One sandbox, one program at a time: chains run in turn.
    const gate: { allowed?: boolean } = {};
    const chains: Chain[] = [];
    for (const program of programs) {
      run.throwIfCancelled();
      chains.push(await runChain(run, task, input, p, program, gate));
    }

    const answered = chains.filter((c) => c.answer !== undefined);
    if (answered.length === 0) {
      const last = chains[chains.length - 1]?.lastExecution;
      throw new Error(`no program produced an answer${last?.error ? `; the last one failed with: ${last.error}` : ''}`);
    }
    const votes = new Map<string, Chain[]>();
    for (const c of answered) votes.set(voteKey(c.answer!), [...(votes.get(voteKey(c.answer!)) ?? []), c]);
    const winners = [...votes.values()].reduce((best, group) => (group.length > best.length ? group : best));
    const answer = winners[0].answer!;
    const judged = task.judge?.(input, answer);
    const parents = winners.map((c) => ({ id: c.lastExecution!.id, kind: samples > 1 ? ('aggregate' as const) : ('answer' as const), label: samples > 1 ? 'vote' : undefined }));
    const meta = samples > 1 ? { votes: winners.length, of: answered.length } : undefined;
    const answerNode = run.graph.addNode({ kind: 'answer', text: answer, score: judged === undefined ? undefined : judged ? 1 : 0, meta }, parents);
    for (const c of winners) run.graph.update(c.lastExecution!.id, { status: 'selected' });
    return { answer, answerNodeId: answerNode.id, candidates: chains.map((c) => c.answer ?? '') };
  },
};
