import type { Run } from '../run/run';
import type { Task } from '../tasks/types';
import type { ParamSpec, ParamValues } from './params';

export interface TechniqueContext {
  run: Run;
  task: Task;
  input: string;
  params: ParamValues;
}

export interface TechniqueResult {
  answer: string;
  /** The node holding the answer, shown apart in the graph. */
  answerNodeId?: string;
  /** Every final candidate, for sampling techniques (best-of-k evaluation). */
  candidates?: string[];
}

export interface Technique {
  /** Stable id used by the CLI, settings and commands: "io", "cot", "tot". */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  run(ctx: TechniqueContext): Promise<TechniqueResult>;
}
