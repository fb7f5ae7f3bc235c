import type { Run } from '../run/run';
import type { Task } from '../tasks/types';
import type { ParamSpec, ParamValues } from './params';
import type { WorkspaceIndexProvider } from '../rag/provider';
import type { TemplateLibrary } from '../templates/library';

/**
 * What the host (the extension or the CLI) supplies besides parameters, so techniques never need
 * vscode: where relative file parameters resolve, and examples the user picked for the session.
 */
export interface TechniqueHost {
  /** Folder that relative file parameters resolve against: the workspace folder in VS Code, the cwd in the CLI. */
  baseDir?: string;
  /** Few-shot examples stored for this session (VS Code: "Use Selection as ICL Examples"), as raw text. */
  examples?: string;
  /** Where techniques may keep data across sessions (the RAG index): the extension's storage, or a cache folder in the CLI. */
  storageDir?: string;
  /** A workspace index kept current by the host (VS Code: a file watcher); without one, rag indexes on each run. */
  workspaceIndex?: WorkspaceIndexProvider;
  /**
   * Kept for one whole evaluation (every item of `thoughtscope eval`), absent in single runs. ToT's
   * `valueCache=evaluation` keeps value responses here by prompt, as the ToT authors' task object does
   * across all puzzles.
   */
  evaluationCache?: Map<string, Promise<string[]>>;
  /** The templates prompts are rendered from: the built-in ones with a workspace's or user's overrides (default: built-in only). */
  templates?: TemplateLibrary;
}

export interface TechniqueContext {
  run: Run;
  task: Task;
  input: string;
  params: ParamValues;
  host: TechniqueHost;
}

export interface TechniqueResult {
  answer: string;
  /** The node holding the answer, shown apart in the graph. */
  answerNodeId?: string;
  /** Every final candidate, for sampling techniques (best-of-k evaluation). */
  candidates?: string[];
  /**
   * Other final answers the technique names by a rule of its own, scored beside `answer` in evaluations
   * (ToT on Game of 24: `authors`, the final state the paper's authors count as solved).
   */
  picks?: Record<string, string>;
  /** Voting techniques: the share of votes the answer got (0..1), shown as its confidence. */
  confidence?: number;
}

export interface Technique {
  /** Stable id used by the CLI, settings and commands: "io", "cot", "tot". */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /**
   * Checks that need more than parameter ranges (files to read, rules between parameters). Runs before
   * any call; throws ParamError with a one-line message naming the parameter.
   */
  /**
   * `run`, when given, lets the check look up model profiles; nothing may be sent from here. `input`
   * is the run's input, for parameters that only make sense with some inputs (GoT's presets).
   */
  validate?(params: ParamValues, host: TechniqueHost, run?: Run, input?: string): void | Promise<void>;
  run(ctx: TechniqueContext): Promise<TechniqueResult>;
}
