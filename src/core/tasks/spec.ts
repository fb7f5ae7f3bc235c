// A task file's contents (schemas/task.schema.json): what a kind of problem declares in data. The
// built-in tasks (tasks/*.task.yaml) and a user's task files have this shape.

export type TaskKind = 'generic' | 'game24' | 'crosswords' | 'creative-writing';

/** Prompt slots a task fills with templates. */
export type TemplateSlot = 'io' | 'cot' | 'propose' | 'cotSteps' | 'sample' | 'value' | 'valueLast' | 'vote' | 'aot' | 'judge' | 'potPython' | 'potJavascript';

export type ScorerSpec =
  | { type: 'exact'; caseSensitive?: boolean }
  | { type: 'numeric'; tolerance?: number; rounding?: 'none' | 'gold'; percent?: boolean }
  | { type: 'multiple-choice'; letters?: string }
  | { type: 'regex'; pattern: string; flags?: string }
  | { type: 'contains'; caseSensitive?: boolean }
  | { type: 'judge'; template?: string; pass?: number; min?: number; max?: number; samples?: number }
  | { type: 'javascript'; function: string; pass?: number }
  | { type: 'game24' | 'crosswords' };

export interface TaskExample {
  input: string;
  reasoning?: string;
  answer: string;
  options?: string[];
}

export interface TaskSpec {
  id: string;
  description: string;
  kind?: TaskKind;
  defaultSteps?: number;
  auto?: string;
  templates?: Partial<Record<TemplateSlot, string>>;
  variables?: Record<string, string | number | boolean>;
  progress?: { left?: string; final?: string; maxSteps?: number };
  answer?: { pattern?: string; strip?: string[] };
  scorer?: ScorerSpec;
  examples?: TaskExample[];
  data?: { file: string; format?: 'jsonl' | 'csv' | 'lines' | 'crosswords'; range?: [number, number]; source?: string };
}

/** A task file as loaded: its spec and where it was read from (data files resolve against its folder). */
export interface LoadedTaskFile {
  spec: TaskSpec;
  file: string;
}
