// Constitutional critique-and-revise (Bai et al., 2022), the inference-time loop of its supervised
// stage: draft a response, then for each round ask for a critique of the current response against one
// principle drawn at random (seeded by `seed`, the question and the round, as the paper draws one per
// step) and a revision that answers the critique, both prompts led by worked examples as in the paper.
// `principleChoice=cycle` takes the principles in turn; `all` lets the critique cite the one the
// response falls shortest of. The paper's training stages (fine-tuning on the revisions, RL from AI
// feedback) are outside this tool.
// `showOnlyRevised` holds the draft and intermediate revisions back: the graph shows placeholders for
// them (their text stays in each node's model calls and the trace) and only the final revision.
//
// Graph: question → draft → critique 1 → revision 1 → critique 2 → … → answer.
import type { Task } from '../tasks/types';
import { TemplateLibrary, withParts } from '../templates/library';
import type { RenderedPrompt } from '../templates/types';
import { addJudgedAnswer } from './answerNode';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import { parsePrinciples } from './principles';
import { seededIndex } from './seededDraw';
import type { Technique, TechniqueHost } from './types';
import { readWorkspaceFile } from './workspaceFile';

const params: readonly ParamSpec[] = [
  { name: 'rounds', type: 'integer', default: 1, min: 1, max: 10, description: 'Critique-and-revise rounds after the draft (one critique and one revision each).' },
  {
    name: 'principleChoice',
    type: 'enum',
    default: 'random',
    options: ['random', 'all', 'cycle'],
    description: 'random: each round critiques against one principle drawn at random (the paper), seeded by `seed` and the question. all: each critique reviews against every principle and cites the one the response falls shortest of. cycle: round r critiques against principle r.',
  },
  { name: 'seed', type: 'integer', default: 0, min: 0, max: 2147483647, description: 'Seed of the random draw of principles (principleChoice=random).' },
  { name: 'fewShot', type: 'boolean', default: true, description: 'Lead the critique and revision prompts with worked examples (the paper); false: instructions only.' },
  {
    name: 'principles',
    type: 'string',
    default: '',
    maxLength: 8000,
    description: 'Your principles, one per line (or separated by ` | `). Empty uses the built-in list: correct, helpful, honest, harmless, clear.',
  },
  {
    name: 'principlesFile',
    type: 'string',
    default: '',
    maxLength: 1024,
    description: 'A file of principles, one per line (Markdown bullets are fine); wins over `principles`. Relative paths start at the workspace folder (CLI: the current directory).',
  },
  {
    name: 'showOnlyRevised',
    type: 'boolean',
    default: false,
    description: 'Hold the draft and intermediate revisions back: the graph shows only the final revision and the critiques.',
  },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature of every call.' },
];

const WHERE = 'technique "constitutional"';
const MAX_PRINCIPLES = 50;

/** The principles in use; `template` when they are the built-in list (constitutional/principles), recorded with the critiques that show them. */
interface Principles {
  list: string[];
  template?: RenderedPrompt;
}

async function loadPrinciples(p: ParamValues, host: TechniqueHost, templates: TemplateLibrary): Promise<Principles> {
  const file = (p.principlesFile as string).trim();
  const inline = p.principles as string;
  let list: string[];
  let where: string;
  let template: RenderedPrompt | undefined;
  if (file) {
    where = `${WHERE} parameter "principlesFile" (${file})`;
    list = parsePrinciples(await readWorkspaceFile(file, host, `${WHERE} parameter "principlesFile"`));
  } else if (inline.trim()) {
    where = `${WHERE} parameter "principles"`;
    list = parsePrinciples(inline);
  } else {
    template = templates.render('constitutional/principles', {});
    where = `${WHERE}: template constitutional/principles (${templates.entry('constitutional/principles').file})`;
    list = parsePrinciples(template.text);
  }
  if (list.length === 0) throw new ParamError(`${where} has no principles: write one per line`);
  if (list.length > MAX_PRINCIPLES) throw new ParamError(`${where} must have between 1 and ${MAX_PRINCIPLES} principles, got ${list.length}`);
  return { list, template };
}

/** constitutional/worked-examples for a critique or a revision, when `fewShot` is on. */
function workedExamples(task: Task, fewShot: boolean, revision: boolean): RenderedPrompt | undefined {
  return fewShot ? task.render(undefined, 'constitutional/worked-examples', { revision }) : undefined;
}

/** Tasks with a checker get their own answer prompt (and format); anything else is sent as written (constitutional/draft). */
function draftPrompt(task: Task, input: string): RenderedPrompt {
  return task.judge ? task.ioPrompt(input) : task.render(undefined, 'constitutional/draft', { input });
}

/** constitutional/critique: against principle `only` (0-based), or against all of them when it is undefined. */
export function critiquePrompt(task: Task, input: string, response: string, principles: Principles, only?: number, fewShot = false): RenderedPrompt {
  const examples = workedExamples(task, fewShot, false);
  const prompt = task.render(undefined, 'constitutional/critique', {
    input,
    response,
    principles: principles.list,
    number: only === undefined ? '' : only + 1,
    principle: only === undefined ? '' : principles.list[only],
    fewShot,
    workedExamples: examples?.text ?? '',
  });
  return withParts(prompt, examples, principles.template);
}

/** constitutional/revision: answer the critique (which cited `principle`, if any). */
export function revisionPrompt(task: Task, input: string, response: string, critique: string, principle: string | undefined, fewShot = false): RenderedPrompt {
  const examples = workedExamples(task, fewShot, true);
  return withParts(task.render(undefined, 'constitutional/revision', { input, response, critique, principle: principle ?? '', fewShot, workedExamples: examples?.text ?? '' }), examples);
}

/** The principle a critique cites: its "Principle: N" line (1-based), "none", or undefined if it names none. */
export function citedPrinciple(critique: string, count: number): number | 'none' | undefined {
  const m = /^\W*principle\W*(\d+|none)\b/im.exec(critique);
  if (!m) return undefined;
  if (m[1].toLowerCase() === 'none') return 'none';
  const n = Number(m[1]);
  return n >= 1 && n <= count ? n : undefined;
}

function stripRevisionLabel(text: string): string {
  return text.trim().replace(/^(?:\*\*)?(?:revised response|revision|revised)(?:\*\*)?\s*:\s*/i, '').trim();
}

/** The 0-based principle of a round: drawn at random (seeded), in turn, or undefined to let the critique choose. */
export function principleFor(p: ParamValues, count: number, input: string, round: number): number | undefined {
  if (p.principleChoice === 'cycle') return (round - 1) % count;
  if (p.principleChoice === 'random') return seededIndex(count, p.seed as number, `${input.trim()}\u0000${round}`);
  return undefined;
}

const HAS_ANSWER_LINE = /^\W*(?:final\s+)?answer\s*[:：]/im;

export const constitutionalTechnique: Technique = {
  id: 'constitutional',
  name: 'Constitutional (critique and revise)',
  description: 'Draft, then critique against a principle drawn at random and revise, round by round (Bai et al., 2022, without its training stages).',
  params,
  async validate(p, host) {
    await loadPrinciples(p, host, host.templates ?? TemplateLibrary.builtIn());
  },
  async run({ run, task, input, params: p, host }) {
    const principles = await loadPrinciples(p, host, task.templates);
    const rounds = p.rounds as number;
    const holdBack = p.showOnlyRevised as boolean;
    const ask = (nodeId: string, role: string, prompt: RenderedPrompt) =>
      run.call(nodeId, role, { messages: [{ role: 'user', content: prompt.text }], temperature: p.temperature as number }, { templates: prompt.templates });
    const shown = (text: string, final: boolean, name: string) => (holdBack && !final ? `${name} (held back until the review is done)` : text);

    const question = run.graph.addNode({ kind: 'question', text: input });
    const draftNode = run.graph.addNode({ kind: 'thought', text: 'Draft…', status: 'pending', meta: { stage: 'draft' } }, [{ id: question.id, kind: 'expand' }]);
    let current = stripRevisionLabel((await ask(draftNode.id, 'draft', draftPrompt(task, input))).choices[0] ?? '');
    run.graph.update(draftNode.id, { text: shown(current, false, 'Draft'), meta: { stage: 'draft', ...(holdBack ? { heldBack: true } : {}) } });
    let previous = draftNode.id;

    for (let round = 1; round <= rounds; round++) {
      run.throwIfCancelled();
      const only = principleFor(p, principles.list.length, input, round);
      const critiqueNode = run.graph.addNode(
        { kind: 'critique', text: `Critique ${round}…`, status: 'pending', meta: { round } },
        [{ id: previous, kind: 'evaluate' }],
      );
      const critique = (await ask(critiqueNode.id, 'critique', critiquePrompt(task, input, current, principles, only, p.fewShot as boolean))).choices[0] ?? '';
      const cited = only !== undefined ? only + 1 : citedPrinciple(critique, principles.list.length);
      const principle = typeof cited === 'number' ? `${cited}. ${principles.list[cited - 1]}` : cited === 'none' ? 'none (meets every principle)' : 'not named';
      run.graph.update(critiqueNode.id, { text: `Principle ${principle}\n\n${critique.trim()}`, meta: { round, principle } });

      const final = round === rounds;
      const revisionNode = run.graph.addNode(
        { kind: 'thought', text: `Revision ${round}…`, status: 'pending', meta: { stage: 'revision', round } },
        [{ id: critiqueNode.id, kind: 'refine', label: typeof cited === 'number' ? `principle ${cited}` : undefined }],
      );
      const revised = (await ask(revisionNode.id, 'revise', revisionPrompt(task, input, current, critique, typeof cited === 'number' ? principles.list[cited - 1] : undefined, p.fewShot as boolean))).choices[0] ?? '';
      current = stripRevisionLabel(revised) || current;
      run.graph.update(revisionNode.id, {
        text: shown(current, final, `Revision ${round}`),
        meta: { stage: 'revision', round, ...(holdBack && !final ? { heldBack: true } : {}) },
      });
      previous = revisionNode.id;
    }

    // A response with an "Answer:" line (tasks with a checker, math questions) answers with that line;
    // anything else (a rewritten text, an explanation) is its whole revised text.
    const answer = HAS_ANSWER_LINE.test(current) ? task.extractAnswer(current) : current.trim();
    const answerNode = addJudgedAnswer(run, task, input, answer, previous);
    return { answer, answerNodeId: answerNode.id, candidates: [answer] };
  },
};
