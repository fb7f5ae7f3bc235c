// In-Context Learning (few-shot prompting, Brown et al., 2020): the prompt shows `shots` worked
// input/output examples, then the question in the same format, and the model continues the pattern.
// As in the paper, the examples are drawn at random for each question (seeded by `seed` and the
// question, so reruns draw the same); `selection=first` takes the first `shots` for every question.
// Examples come, in this order of preference, from the session (VS Code: "Use Selection as ICL
// Examples"), from `examplesFile` (JSONL or Markdown, relative to the workspace folder or the CLI's
// current directory), or from the inline `examples` parameter.
//
// Graph: example nodes → prompt node (holds the call) ← question; prompt node → answer.
import type { Task } from '../tasks/types';
import type { RenderedPrompt } from '../templates/types';
import { addJudgedAnswer } from './answerNode';
import { ExamplesError, formatExample, formatOfPath, parseExamples, type Example } from './iclExamples';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import { seededSample } from './seededDraw';
import type { Technique, TechniqueHost } from './types';
import { readWorkspaceFile } from './workspaceFile';

const params: readonly ParamSpec[] = [
  {
    name: 'shots',
    type: 'integer',
    default: 0,
    min: 0,
    max: 64,
    description: 'How many examples to show; 0 shows all of them.',
  },
  {
    name: 'selection',
    type: 'enum',
    default: 'random',
    options: ['random', 'first'],
    description: 'random: `shots` examples drawn at random for each question (the paper), seeded by `seed` and the question. first: the first `shots` of the list for every question.',
  },
  { name: 'seed', type: 'integer', default: 0, min: 0, max: 2147483647, description: 'Seed of the random draw of examples (selection=random).' },
  {
    name: 'examplesFile',
    type: 'string',
    default: '',
    maxLength: 1024,
    description:
      'A JSONL file (`{"input": ..., "output": ...}` per line) or Markdown file (`Input:` / `Output:` pairs) of examples. Relative paths start at the workspace folder (CLI: the current directory).',
  },
  {
    name: 'examples',
    type: 'string',
    default: '',
    maxLength: 20000,
    description: 'Examples written here instead of a file, in the same formats (e.g. `Input: 2+2 Output: 4` pairs on separate lines).',
  },
  { name: 'instruction', type: 'string', default: '', maxLength: 4000, description: 'Text put before the examples, e.g. what the task is.' },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature.' },
];

const WHERE = 'technique "icl"';

interface LoadedExamples {
  /** Every example, in the order of its source. */
  all: Example[];
  source: string;
}

async function loadExamples(p: ParamValues, host: TechniqueHost): Promise<LoadedExamples> {
  const file = (p.examplesFile as string).trim();
  const inline = p.examples as string;
  let all: Example[];
  let source: string;
  const parse = (text: string, where: string, hint?: ReturnType<typeof formatOfPath>) => {
    try {
      return parseExamples(text, hint);
    } catch (err) {
      if (err instanceof ExamplesError) throw new ParamError(`${where}: ${err.message}`);
      throw err;
    }
  };
  if (host.examples?.trim()) {
    source = 'selection';
    all = parse(host.examples, 'the ICL examples stored from a selection');
  } else if (file) {
    source = file;
    const where = `${WHERE} parameter "examplesFile"`;
    all = parse(await readWorkspaceFile(file, host, where), `${where} (${file})`, formatOfPath(file));
  } else if (inline.trim()) {
    source = 'examples parameter';
    all = parse(inline, `${WHERE} parameter "examples"`);
  } else {
    throw new ParamError(
      `${WHERE} needs examples: set parameter "examplesFile" (a JSONL or Markdown file) or "examples" (inline text), or in VS Code run "Thoughtscope: Use Selection as ICL Examples"`,
    );
  }
  const shots = p.shots as number;
  if (shots > all.length) {
    throw new ParamError(`${WHERE} parameter "shots" must be between 0 and ${all.length} (the examples in ${source}), got ${shots}`);
  }
  return { all, source };
}

/** The examples shown for `input`: drawn at random per question, or the first `shots`; with their 1-based place in the list. */
export function chooseExamples(all: readonly Example[], p: ParamValues, input: string): Array<{ example: Example; number: number }> {
  const numbered = all.map((example, i) => ({ example, number: i + 1 }));
  const shots = (p.shots as number) === 0 ? all.length : (p.shots as number);
  if (p.selection === 'first') return numbered.slice(0, shots);
  return seededSample(numbered, shots, p.seed as number, input.trim());
}

/** icl/answer: the instruction, the examples in their format, then the question in the same format. */
export function iclPrompt(task: Task, instruction: string, examples: readonly Example[], input: string): RenderedPrompt {
  return task.render(undefined, 'icl/answer', { instruction: instruction.trim(), shots: examples.map(formatExample), input });
}

export const iclTechnique: Technique = {
  id: 'icl',
  name: 'In-Context Learning',
  description: 'Few-shot prompting: show worked input/output examples, then ask the question in the same format.',
  params,
  async validate(p, host) {
    await loadExamples(p, host);
  },
  async run({ run, task, input, params: p, host }) {
    const { all, source } = await loadExamples(p, host);
    const chosen = chooseExamples(all, p, input);
    const examples = chosen.map((c) => c.example);
    const question = run.graph.addNode({ kind: 'question', text: input });
    const exampleNodes = chosen.map((c, i) => run.graph.addNode({ kind: 'example', text: formatExample(c.example), meta: { shot: i + 1, example: c.number, source } }));
    const promptNode = run.graph.addNode(
      { kind: 'thought', text: `Prompt: ${examples.length} example${examples.length === 1 ? '' : 's'}, then the question`, status: 'pending', meta: { shots: examples.length, source } },
      [...exampleNodes.map((n, i) => ({ id: n.id, kind: 'aggregate' as const, label: `shot ${i + 1}` })), { id: question.id, kind: 'expand' as const }],
    );
    const prompt = iclPrompt(task, p.instruction as string, examples, input);
    const response = await run.call(
      promptNode.id,
      'answer',
      {
        messages: [{ role: 'user', content: prompt.text }],
        temperature: p.temperature as number,
        // The model may go on to invent the next example; its answer ends where that would start.
        stop: ['\nInput:'],
      },
      { templates: prompt.templates },
    );
    const output = response.choices[0] ?? '';
    const answer = task.extractAnswer(output);
    const answerNode = addJudgedAnswer(run, task, input, answer, promptNode.id);
    return { answer, answerNodeId: answerNode.id, candidates: [answer] };
  },
};
