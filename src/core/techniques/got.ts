// Graph of Thoughts (Besta et al., 2024): a graph of operations (Generate, Score, KeepBestN, Aggregate,
// Refine, ValidateAndImprove, GroundTruth, Select) run over thoughts. The graph comes from a preset
// (sorting, set intersection, keyword counting, document merging; the GoT graph or one of the paper's
// IO / CoT / ToT / ToT2 baselines, by `approach`) or from the user's JSON file
// (schema: got/schema.ts and README.md). Thoughts are nodes, operations are edge labels, and
// aggregation draws many-to-one edges.
import { GotContext, createOperation, rankThoughts, type Thought } from './got/operations';
import { APPROACHES, PRESETS, presetGraph, type Approach, type PresetName } from './got/presets';
import { GraphSpecError, validateGraphSpec, type GraphSpec } from './got/schema';
import { TemplateLibrary } from '../templates/library';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import type { Technique, TechniqueHost } from './types';
import { readWorkspaceFile } from './workspaceFile';

const params: readonly ParamSpec[] = [
  {
    name: 'preset',
    type: 'enum',
    default: 'sorting',
    options: PRESETS,
    description: 'The shipped graph of operations to run (ignored when `file` is set): sorting a list of numbers, set intersection of two lists, keyword counting, document merging (documents separated by lines of ---).',
  },
  {
    name: 'approach',
    type: 'enum',
    default: 'got',
    options: APPROACHES,
    description:
      "Which of the GoT paper's methods the preset runs: got (its graph), or a baseline it is compared with: io (one answer), cot (one answer reasoned in steps), tot (many answers, then rounds of improving the best), tot2 (fewer answers per round, more rounds). Ignored when `file` is set.",
  },
  {
    name: 'file',
    type: 'string',
    default: '',
    maxLength: 1000,
    description: 'A graph-of-operations JSON file to run instead of the preset; relative paths start at the workspace folder (CLI: the current directory).',
  },
  {
    name: 'branches',
    type: 'integer',
    default: 0,
    min: 0,
    max: 20,
    description: "Responses per Generate and Aggregate of a preset; 0 keeps the preset's own (the reference code's) numbers.",
  },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature of every call.' },
];

const WHERE = 'technique "got" parameter "file"';

/** The user's graph file, read and checked; every problem is a one-line ParamError naming the file and field. */
export async function loadGraphFile(path: string, host: TechniqueHost, templates: TemplateLibrary): Promise<GraphSpec> {
  const text = await readWorkspaceFile(path, host, WHERE);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ParamError(`${WHERE}: ${path}: not valid JSON (${(err as Error).message.replace(/\s+/g, ' ').slice(0, 200)})`);
  }
  try {
    return validateGraphSpec(raw, templates);
  } catch (err) {
    if (err instanceof GraphSpecError) throw new ParamError(`${WHERE}: ${path}: ${err.message}`);
    throw err;
  }
}

/** The graph to run; its template prompts are checked against `templates` (the run's library) before any call. */
async function graphFor(p: ParamValues, host: TechniqueHost, input: string, templates: TemplateLibrary): Promise<GraphSpec> {
  const file = (p.file as string).trim();
  if (file !== '') return loadGraphFile(file, host, templates);
  try {
    return presetGraph(p.preset as PresetName, input, p.branches as number, p.approach as Approach, templates);
  } catch (err) {
    if (err instanceof GraphSpecError) throw new ParamError(`technique "got": ${err.message}`);
    throw err;
  }
}

/** The final answer in a thought: its last "Answer:" line, or the whole text. */
function answerIn(text: string): string {
  const lines = [...text.matchAll(/^\s*(?:final\s+)?answer\s*:\s*(.+)$/gim)];
  return lines.length > 0 ? lines[lines.length - 1][1].trim() : text.trim();
}

export const gotTechnique: Technique = {
  id: 'got',
  name: 'Graph of Thoughts',
  description: 'Run a graph of operations (generate, score, keep best, aggregate, refine) over thoughts: a preset or your own JSON file (Besta et al., 2024).',
  params,
  // The graph is built here too, so a preset that cannot use the input is a parameter error found
  // before any call (the CLI exits 2), not a failed run.
  async validate(p, host, _run, input) {
    if ((p.file as string).trim() !== '' || input !== undefined) await graphFor(p, host, input ?? '', host.templates ?? TemplateLibrary.builtIn());
  },
  async run({ run, task, input, params: p, host }) {
    const spec = await graphFor(p, host, input, task.templates);
    const question = run.graph.addNode({ kind: 'question', text: input, meta: { graph: spec.name, operations: spec.operations.length } });
    const ctx = new GotContext(run, input, p.temperature as number, task.templates);
    const outputs = new Map<string, Thought[]>([['input', [{ nodeId: question.id, text: input, source: input }]]]);
    for (const op of spec.operations) {
      run.throwIfCancelled();
      const inputs = op.from.flatMap((id) => outputs.get(id) ?? []);
      outputs.set(op.id, await createOperation(op).execute(ctx, inputs));
    }
    const last = outputs.get(spec.operations[spec.operations.length - 1].id) ?? [];
    const best = rankThoughts(last)[0];
    if (!best) return { answer: '', candidates: [] };
    const answer = answerIn(best.text);
    const correct = run.graph.get(best.nodeId).meta?.correct;
    const node = run.graph.addNode(
      { kind: 'answer', text: answer, score: typeof correct === 'boolean' ? (correct ? 1 : 0) : undefined, meta: typeof correct === 'boolean' ? { correct } : undefined },
      [{ id: best.nodeId, kind: 'answer' }],
    );
    return { answer, answerNodeId: node.id, candidates: last.map((t) => answerIn(t.text)) };
  },
};
