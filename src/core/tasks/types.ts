// A task supplies the prompts and judging for a kind of problem (generic free text, Game of 24, ...).
// Techniques stay task-agnostic by asking the task for every prompt they send. A task is a task file
// (tasks/*.task.yaml, or a user's) read by the code of its `kind`; its prompts are templates.
import type { TemplateLibrary } from '../templates/library';
import type { RenderedPrompt } from '../templates/types';
import type { VerdictParsing } from './answer';
import type { TaskSpec, TemplateSlot } from './spec';

export interface Task {
  readonly id: string;
  readonly description: string;
  /** How many thought steps a full solution takes (ToT's default `steps`). */
  readonly defaultSteps: number;
  /** What its task file declares. */
  readonly spec: TaskSpec;
  /** The task file (data files resolve against its folder). */
  readonly file: string;
  /** The templates its prompts are rendered from. */
  readonly templates: TemplateLibrary;
  /** The same task rendering from `templates` (a workspace's or user's overrides). */
  withTemplates(templates: TemplateLibrary): Task;
  /**
   * A technique's own prompt for this task: the template the task file names for `slot`, else
   * `fallback`, given the task's variables (input, examples, its `variables`) and `variables`.
   */
  render(slot: TemplateSlot | undefined, fallback: string, variables: Record<string, unknown>): RenderedPrompt;

  /** Direct answer prompt (IO). */
  ioPrompt(input: string): RenderedPrompt;
  /** Chain-of-thought prompt; `fewShot` adds worked examples. */
  cotPrompt(input: string, fewShot: boolean): RenderedPrompt;
  /** Prompt that proposes several next steps from partial solution `steps` (ToT propose). */
  proposePrompt(input: string, steps: string): RenderedPrompt;
  /**
   * Turn a propose response into next-step lines. `reference` (default) keeps every line as the ToT
   * authors' code does; `lenient` keeps only lines the task recognises as steps.
   */
  parseProposals(input: string, steps: string, response: string, parsing?: VerdictParsing): string[];
  /** Prompt for one sampled continuation (ToT sample). */
  samplePrompt(input: string, steps: string): RenderedPrompt;
  /** Turn a sample response into the next step text (appended to steps). */
  parseSample(input: string, steps: string, response: string): string;
  /** Prompt that rates one partial solution (ToT value). */
  valuePrompt(input: string, steps: string): RenderedPrompt;
  /** Turn the value responses of one state into a score (see answer.ts for the two readings). */
  parseValues(input: string, steps: string, responses: string[], parsing?: VerdictParsing): number;
  /** Prompt that votes for the best of several partial solutions (ToT vote). */
  votePrompt(input: string, candidates: string[]): RenderedPrompt;
  /** Turn vote responses into one score per candidate. */
  parseVotes(candidates: string[], responses: string[], parsing?: VerdictParsing): number[];
  /** The final answer in a model's output, or the output itself. */
  extractAnswer(output: string): string;
  /** Whether a finished answer is correct; undefined when the task has no judge. */
  judge?(input: string, answer: string): boolean;
  /**
   * The final state the paper's authors count as the answer, when the task has such a rule (Game of 24:
   * the first final state whose "Answer:" uses exactly the input numbers); its index, or undefined.
   */
  authorsPick?(input: string, finalStates: readonly string[]): number | undefined;
  /** A short display label for a state in the graph (the step just taken). */
  stepLabel(steps: string): string;
  /** Optional facts about a state for display in the graph (e.g. Game of 24's remaining numbers). */
  stateMeta?(input: string, steps: string): Record<string, string | number | boolean>;
}
