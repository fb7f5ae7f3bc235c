// The graph-of-operations file (GoT, Besta et al., 2024): a JSON object with a list of operations run
// in order. Each operation takes the thoughts of the operations named in `from` (default: the one
// before it; the first takes the input) and passes thoughts on. Presets are written in this same
// form and checked by the same validator. README.md ("Graph of Thoughts") documents the schema.
//
// A prompt is inline text with {placeholders}, or a named template ({"template": "got/sorting/sort",
// "variables": {...}}) rendered from the run's template library with the operation's values (input,
// thought, ...) and the fixed variables given. Presets use templates (templates/got/), so a workspace
// can override their wording.
//
// Every problem is reported before any model call as one line naming the field, e.g.
//   operations[2] ("sort 1").responses must be a whole number from 1 to 20, got 0
import { TemplateError } from '../../templates/errors';
import type { TemplateLibrary } from '../../templates/library';
import { ANSWER_KINDS, type AnswerKind } from './answers';
import { ERROR_FUNCTIONS, findErrorFunction } from './functions';

export const OPERATION_TYPES = ['generate', 'select', 'score', 'keepBest', 'aggregate', 'refine', 'validateAndImprove', 'groundTruth'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** A value a template prompt is given when the graph is built (numbers of the input, a part flag, ...). */
export type TemplateValue = string | number | boolean | ReadonlyArray<string | number>;

/** A prompt rendered from a named template with the operation's values and these fixed `variables`. */
export interface TemplatePrompt {
  template: string;
  variables: Record<string, TemplateValue>;
}

/** Inline text with {placeholders}, or a template. */
export type PromptSpec = string | TemplatePrompt;

interface OpBase {
  id: string;
  /** Ids of earlier operations, or "input"; default the previous operation. */
  from: string[];
}

export interface GenerateSpec extends OpBase {
  type: 'generate';
  prompt: PromptSpec;
  responses: number;
  /** How one response becomes thoughts: whole, one per line, or one per value of a JSON object/array. */
  split: 'none' | 'lines' | 'json';
  /** What of a reply the thought keeps (answers.ts): the reply, or only its answer list / JSON object / Output text. */
  answer: AnswerKind;
}
export interface SelectSpec extends OpBase {
  type: 'select';
  /** Keep the thoughts that are this part (1-based) of a split. */
  part: number;
}
export interface ScoreSpec extends OpBase {
  type: 'score';
  /** "llm" or the name of an error function. */
  scorer: string;
  prompt?: PromptSpec;
  samples: number;
  /** llm scores: which is better. Error functions: always lower. */
  better: 'higher' | 'lower';
}
export interface KeepBestSpec extends OpBase {
  type: 'keepBest';
  n: number;
}
export interface AggregateSpec extends OpBase {
  type: 'aggregate';
  prompt: PromptSpec;
  responses: number;
  answer: AnswerKind;
  /** What the merged thought works on: its parts' sources joined, or the whole input (a merge covering all of it). */
  source: 'parts' | 'input';
}
export interface RefineSpec extends OpBase {
  type: 'refine';
  prompt: PromptSpec;
  responses: number;
  /** Upper bound on refinement rounds per thought. */
  rounds: number;
  /** Error function: keep a refinement only if it has fewer errors, stop at 0. Without: a chain of `rounds` refinements. */
  scorer?: string;
  answer: AnswerKind;
}
export interface ValidateAndImproveSpec extends OpBase {
  type: 'validateAndImprove';
  /** "llm" or the name of an error function (valid = 0 errors). */
  validator: string;
  validatePrompt?: PromptSpec;
  prompt: PromptSpec;
  tries: number;
  answer: AnswerKind;
}
export interface GroundTruthSpec extends OpBase {
  type: 'groundTruth';
  /** Error function: a thought is correct when it has 0 errors against the whole input. */
  check: string;
}

export type OperationSpec = GenerateSpec | SelectSpec | ScoreSpec | KeepBestSpec | AggregateSpec | RefineSpec | ValidateAndImproveSpec | GroundTruthSpec;

export interface GraphSpec {
  name: string;
  operations: OperationSpec[];
}

/** Placeholders (template variables) a prompt may use: the whole input, the thought, its source, all input thoughts, feedback. */
export const PLACEHOLDERS: Record<string, readonly string[]> = {
  generate: ['input', 'thought', 'source'],
  aggregate: ['input', 'thoughts'],
  score: ['input', 'thought', 'source'],
  refine: ['input', 'thought', 'source', 'feedback'],
  validateAndImprove: ['input', 'thought', 'source', 'feedback', 'thoughts'],
  validatePrompt: ['input', 'thought', 'source'],
};

export const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const FIELDS: Record<OperationType, readonly string[]> = {
  generate: ['prompt', 'responses', 'split', 'answer'],
  select: ['part'],
  score: ['scorer', 'prompt', 'samples', 'better'],
  keepBest: ['n'],
  aggregate: ['prompt', 'responses', 'answer', 'source'],
  refine: ['prompt', 'responses', 'rounds', 'scorer', 'answer'],
  validateAndImprove: ['validator', 'validatePrompt', 'prompt', 'tries', 'answer'],
  groundTruth: ['check'],
};

const MAX_OPERATIONS = 200;
const MAX_PROMPT = 20_000;
const MAX_TEMPLATE_VARIABLES = 20;
const MAX_TEMPLATE_LIST = 10_000;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class GraphSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphSpecError';
  }
}

type Raw = Record<string, unknown>;

/**
 * Check a parsed JSON value against the schema; returns it with defaults filled in, or throws
 * GraphSpecError. With `templates`, a template prompt must name a template there that reads only the
 * values its operation gives.
 */
export function validateGraphSpec(raw: unknown, templates?: TemplateLibrary): GraphSpec {
  if (!isObject(raw)) throw new GraphSpecError(`the file must hold a JSON object with an "operations" list, got ${kindOf(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!['name', 'description', 'operations'].includes(key)) throw new GraphSpecError(`unknown top-level field "${key}"; allowed: name, description, operations`);
  }
  if (raw.name !== undefined && typeof raw.name !== 'string') throw new GraphSpecError(`"name" must be text, got ${kindOf(raw.name)}`);
  if (raw.description !== undefined && typeof raw.description !== 'string') throw new GraphSpecError(`"description" must be text, got ${kindOf(raw.description)}`);
  const ops = raw.operations;
  if (!Array.isArray(ops)) throw new GraphSpecError(`"operations" must be a list of operations, got ${kindOf(ops)}`);
  if (ops.length === 0 || ops.length > MAX_OPERATIONS) throw new GraphSpecError(`"operations" must hold 1 to ${MAX_OPERATIONS} operations, got ${ops.length}`);
  const seen = new Set<string>(['input']);
  const operations = ops.map((op, i) => {
    const spec = validateOperation(op, i, seen, templates);
    seen.add(spec.id);
    return spec;
  });
  // Default `from`: the operation before.
  operations.forEach((op, i) => {
    if (op.from.length === 0) op.from = [i === 0 ? 'input' : operations[i - 1].id];
  });
  checkScoredBeforeKeepBest(operations);
  return { name: typeof raw.name === 'string' ? raw.name : 'custom graph', operations };
}

function validateOperation(raw: unknown, index: number, earlier: Set<string>, templates: TemplateLibrary | undefined): OperationSpec {
  let where = `operations[${index}]`;
  if (!isObject(raw)) throw new GraphSpecError(`${where} must be an object, got ${kindOf(raw)}`);
  const id = raw.id === undefined ? `op${index + 1}` : raw.id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9 _.-]{1,40}$/.test(id)) {
    throw new GraphSpecError(`${where}.id must be 1 to 40 letters, digits, spaces or _ . -, got ${JSON.stringify(raw.id)}`);
  }
  if (raw.id !== undefined) where = `${where} ("${id}")`;
  if (earlier.has(id)) throw new GraphSpecError(`${where}.id "${id}" is used ${id === 'input' ? 'for the input' : 'twice'}; ids must be unique`);
  const type = raw.type;
  if (typeof type !== 'string' || !(OPERATION_TYPES as readonly string[]).includes(type)) {
    throw new GraphSpecError(`${where}.type must be one of ${OPERATION_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const t = type as OperationType;
  const allowed = ['id', 'type', 'from', ...FIELDS[t]];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new GraphSpecError(`${where}: unknown field "${key}" for a ${t} operation; allowed: ${allowed.join(', ')}`);
  }
  const from = readFrom(raw.from, where, earlier);
  const f = new FieldReader(raw, where, templates);
  switch (t) {
    case 'generate':
      return {
        id,
        from,
        type: t,
        prompt: f.prompt('prompt', PLACEHOLDERS.generate),
        responses: f.int('responses', 1, 30, 1),
        split: f.choice('split', ['none', 'lines', 'json'], 'none'),
        answer: f.choice('answer', ANSWER_KINDS, 'reply'),
      };
    case 'select':
      return { id, from, type: t, part: f.int('part', 1, 64) };
    case 'score': {
      const scorer = f.scorer('scorer');
      const prompt = scorer === 'llm' ? f.prompt('prompt', PLACEHOLDERS.score) : f.absent('prompt', 'only an llm scorer takes a prompt');
      const better = scorer === 'llm' ? f.choice('better', ['higher', 'lower'], 'higher') : (f.absentOr('better', 'lower', 'error functions count errors, so lower is always better') as 'lower');
      return { id, from, type: t, scorer, prompt, samples: f.int('samples', 1, 20, 1), better };
    }
    case 'keepBest':
      return { id, from, type: t, n: f.int('n', 1, 100) };
    case 'aggregate':
      return {
        id,
        from,
        type: t,
        prompt: f.prompt('prompt', PLACEHOLDERS.aggregate),
        responses: f.int('responses', 1, 30, 1),
        answer: f.choice('answer', ANSWER_KINDS, 'reply'),
        source: f.choice('source', ['parts', 'input'], 'parts'),
      };
    case 'refine':
      return {
        id,
        from,
        type: t,
        prompt: f.prompt('prompt', PLACEHOLDERS.refine),
        responses: f.int('responses', 1, 30, 1),
        rounds: f.int('rounds', 1, 10, 1),
        scorer: raw.scorer === undefined ? undefined : f.errorFunction('scorer'),
        answer: f.choice('answer', ANSWER_KINDS, 'reply'),
      };
    case 'validateAndImprove': {
      const validator = f.scorer('validator');
      const validatePrompt = validator === 'llm' ? f.prompt('validatePrompt', PLACEHOLDERS.validatePrompt) : f.absent('validatePrompt', 'only an llm validator takes a validatePrompt');
      return {
        id,
        from,
        type: t,
        validator,
        validatePrompt,
        prompt: f.prompt('prompt', PLACEHOLDERS.validateAndImprove),
        tries: f.int('tries', 1, 10, 3),
        answer: f.choice('answer', ANSWER_KINDS, 'reply'),
      };
    }
    case 'groundTruth':
      return { id, from, type: t, check: f.errorFunction('check') };
  }
}

function readFrom(raw: unknown, where: string, earlier: Set<string>): string[] {
  if (raw === undefined) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string')) {
    throw new GraphSpecError(`${where}.from must be an operation id or a non-empty list of ids, got ${JSON.stringify(raw)}`);
  }
  for (const ref of list as string[]) {
    if (!earlier.has(ref)) throw new GraphSpecError(`${where}.from names "${ref}", which is not "input" or the id of an earlier operation`);
  }
  return [...new Set(list as string[])];
}

/** keepBest needs scored thoughts: some score (or scoring refine) operation must come before it on every path. */
function checkScoredBeforeKeepBest(ops: OperationSpec[]): void {
  const scored = new Map<string, boolean>([['input', false]]);
  ops.forEach((op, i) => {
    const inputsScored = op.from.every((id) => scored.get(id) === true);
    if (op.type === 'keepBest' && !inputsScored) {
      throw new GraphSpecError(`operations[${i}] ("${op.id}") is a keepBest whose input thoughts are not all scored; put a score operation before it`);
    }
    const out = op.type === 'score' || (op.type === 'refine' && op.scorer !== undefined) ? true : op.type === 'keepBest' || op.type === 'select' || op.type === 'groundTruth' ? inputsScored : false;
    scored.set(op.id, out);
  });
}

/** Reads and checks one field of an operation. */
class FieldReader {
  constructor(
    private readonly raw: Raw,
    private readonly where: string,
    private readonly templates: TemplateLibrary | undefined,
  ) {}

  int(name: string, min: number, max: number, fallback?: number): number {
    const v = this.raw[name];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new GraphSpecError(`${this.where}.${name} must be a whole number from ${min} to ${max}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    }
    return v;
  }

  choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const v = this.raw[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new GraphSpecError(`${this.where}.${name} must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  prompt(name: string, allowed: readonly string[]): PromptSpec {
    const v = this.raw[name];
    if (isObject(v)) return this.templatePrompt(name, v, allowed);
    if (typeof v !== 'string' || v.trim() === '') {
      throw new GraphSpecError(`${this.where}.${name} must be a non-empty prompt text or {"template": ...}, got ${v === undefined ? 'nothing' : kindOf(v)}`);
    }
    if (v.length > MAX_PROMPT) throw new GraphSpecError(`${this.where}.${name} must be at most ${MAX_PROMPT} characters, got ${v.length}`);
    for (const m of v.matchAll(PLACEHOLDER)) {
      if (!allowed.includes(m[1])) throw new GraphSpecError(`${this.where}.${name} uses the unknown placeholder {${m[1]}}; allowed here: ${allowed.map((a) => `{${a}}`).join(', ')}`);
    }
    return v;
  }

  /** {"template": name, "variables": {...}}: fixed variables must not shadow the operation's values. */
  private templatePrompt(name: string, v: Raw, allowed: readonly string[]): TemplatePrompt {
    const at = `${this.where}.${name}`;
    for (const key of Object.keys(v)) {
      if (key !== 'template' && key !== 'variables') throw new GraphSpecError(`${at}: unknown field "${key}"; a template prompt has template and variables`);
    }
    if (typeof v.template !== 'string' || v.template.trim() === '') throw new GraphSpecError(`${at}.template must be a template name such as "got/sorting/sort", got ${v.template === undefined ? 'nothing' : kindOf(v.template)}`);
    const variables: Record<string, TemplateValue> = {};
    if (v.variables !== undefined) {
      if (!isObject(v.variables)) throw new GraphSpecError(`${at}.variables must be an object of names and values, got ${kindOf(v.variables)}`);
      const entries = Object.entries(v.variables);
      if (entries.length > MAX_TEMPLATE_VARIABLES) throw new GraphSpecError(`${at}.variables may hold at most ${MAX_TEMPLATE_VARIABLES} values, got ${entries.length}`);
      for (const [key, value] of entries) {
        if (!VARIABLE_NAME.test(key)) throw new GraphSpecError(`${at}.variables: "${key}" is not a variable name (letters, digits and _)`);
        if (allowed.includes(key)) throw new GraphSpecError(`${at}.variables: "${key}" is given by the operation itself; choose another name`);
        variables[key] = templateValue(value, `${at}.variables.${key}`);
      }
    }
    const prompt = { template: v.template, variables };
    if (this.templates) checkTemplate(prompt, allowed, this.templates, at);
    return prompt;
  }

  scorer(name: string): string {
    const v = this.raw[name];
    if (v === 'llm' || (typeof v === 'string' && findErrorFunction(v))) return v;
    throw new GraphSpecError(`${this.where}.${name} must be "llm" or one of ${functionNames()}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }

  errorFunction(name: string): string {
    const v = this.raw[name];
    if (typeof v === 'string' && findErrorFunction(v)) return v;
    throw new GraphSpecError(`${this.where}.${name} must be one of ${functionNames()}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }

  absent(name: string, why: string): undefined {
    if (this.raw[name] !== undefined) throw new GraphSpecError(`${this.where}.${name} is not allowed here: ${why}`);
    return undefined;
  }

  absentOr(name: string, only: string, why: string): string {
    const v = this.raw[name];
    if (v !== undefined && v !== only) throw new GraphSpecError(`${this.where}.${name} must be "${only}" here (${why}), got ${JSON.stringify(v)}`);
    return only;
  }
}

function templateValue(value: unknown, at: string): TemplateValue {
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (Array.isArray(value) && value.length <= MAX_TEMPLATE_LIST && value.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))) return value as Array<string | number>;
  throw new GraphSpecError(`${at} must be text, a number, true/false or a list of texts and numbers (at most ${MAX_TEMPLATE_LIST}), got ${kindOf(value)}`);
}

/** The template exists and reads nothing but the operation's values and the prompt's own variables. */
function checkTemplate(prompt: TemplatePrompt, allowed: readonly string[], templates: TemplateLibrary, at: string): void {
  let reads: string[];
  try {
    reads = templates.variablesOf(prompt.template);
  } catch (err) {
    if (err instanceof TemplateError) throw new GraphSpecError(`${at}.template: ${err.message}`);
    throw err;
  }
  const given = [...allowed, ...Object.keys(prompt.variables)];
  const missing = reads.filter((r) => !given.includes(r));
  if (missing.length > 0) {
    const file = templates.entry(prompt.template).file;
    throw new GraphSpecError(`${at}: template "${prompt.template}" (${file}) reads ${missing.map((m) => `"${m}"`).join(', ')}, which this operation does not give (it gives: ${given.join(', ')})`);
  }
}

function functionNames(): string {
  return ERROR_FUNCTIONS.map((f) => f.name).join(', ');
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v === '' ? 'empty text' : 'text';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
