// Reading an experiment file (thoughtscope.yaml, or .yml / .json): YAML through the `yaml` package,
// checked against experimentSchema() with ajv, then what a schema cannot say (the templates folder and
// the task, a task file read as `eval --task` reads it, relative to this file; labels unique, profiles
// known, thresholds naming real runs, parameters the task needs). Every problem is one ExperimentError
// line naming the file, the line and the field: "thoughtscope.yaml:7: techniques[1].params.breadth: must be <= 20".
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { Budget } from '../run/budget';
import { evalTask, EvalTaskError } from '../eval/evalTask';
import type { Scorer } from '../eval/scorers';
import { validatePricingTable, type PricingTable } from '../pricing';
import { validateProfiles, type ModelProfile } from '../profiles';
import type { Task } from '../tasks/types';
import { TemplateError } from '../templates/errors';
import { TemplateLibrary } from '../templates/library';
import { ParamError, resolveParams } from '../techniques/params';
import { findTechnique } from '../techniques/registry';
import type { Technique } from '../techniques/types';
import { experimentSchema } from './schema';
import { parseThreshold, ThresholdError, type Threshold } from './thresholds';

export class ExperimentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentError';
  }
}

/** One technique of the matrix, with its raw parameters (checked against its declarations). */
export interface ExperimentTechnique {
  label: string;
  technique: Technique;
  params: Record<string, unknown>;
}

/** A model of the matrix: a name at the experiment's server, or a profile. */
export type ModelRef = { name: string } | { profile: string };

export interface DatasetSpec {
  /** As written (relative to the experiment's folder), or undefined for the task's shipped data. */
  file?: string;
  from?: number;
  to?: number;
  size?: number;
}

export interface Experiment {
  /** The file, absolute, and its folder (relative paths in it are taken from there). */
  file: string;
  dir: string;
  name: string;
  scorer: Scorer;
  /** A scorer's task, a built-in task or a task file's (relative to the file), rendering from `templates`. */
  task: Task;
  /** What prompts render from: the host's templates with the file's `templates` folder over them. */
  templates: TemplateLibrary;
  dataset: DatasetSpec;
  /** The first N items of the dataset; undefined: all. */
  items?: number;
  concurrency: number;
  /** Stop starting items once the experiment has spent this much (USD, known prices). */
  maxUsd?: number;
  /** Each item's run budget. */
  perRun: Budget;
  server: { baseUrl?: string; apiKeyEnv?: string };
  /** Empty: the host's default model. */
  models: ModelRef[];
  /** The file's own profiles (the host may add its own). */
  profiles: ModelProfile[];
  pricing: PricingTable;
  techniques: ExperimentTechnique[];
  thresholds: Threshold[];
  /** Absolute output folder. */
  output: string;
  traces: boolean;
}

export interface LoadOptions {
  /** Profile names the host has besides the file's (VS Code's thoughtscope.profiles). */
  hostProfiles?: readonly string[];
  /**
   * The templates before the file's own folder: the built-in ones with the workspace's overrides (VS Code,
   * trusted workspaces) or the current directory's and --templates (CLI). Default: the built-in ones.
   */
  templates?: TemplateLibrary;
}

interface Located {
  doc: Document;
  lines: LineCounter;
  file: string;
}

/** Read and check an experiment file; throws one ExperimentError line for the first problem. */
export function loadExperiment(path: string, options: LoadOptions = {}): Experiment {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ExperimentError(`${path}: cannot read the experiment file: ${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message}`);
  }
  return parseExperiment(text, file, options);
}

export function parseExperiment(text: string, file: string, options: LoadOptions = {}): Experiment {
  const shown = basename(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0].line ?? lines.linePos(syntax.pos[0]).line;
    throw new ExperimentError(`${shown}:${line}: ${syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const at: Located = { doc, lines, file: shown };
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ExperimentError(`${shown}:1: the experiment must be a mapping of fields (task, techniques, ...)`);
  checkSchema(raw, at);
  return build(raw as RawExperiment, file, at, options);
}

// ---- schema errors -------------------------------------------------------------------------------

let validator: ReturnType<Ajv['compile']> | undefined;

function checkSchema(raw: unknown, at: Located): void {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(experimentSchema());
  if (validator(raw)) return;
  const error = mostSpecific(validator.errors ?? []);
  const path = pathOf(error.instancePath);
  const extra = error.keyword === 'additionalProperties' ? String((error.params as { additionalProperty: string }).additionalProperty) : undefined;
  const fieldPath = extra === undefined ? path : [...path, extra];
  throw locatedError(at, fieldPath, describe(error, validator.errors ?? [], extra), extra !== undefined);
}

/** The error deepest in the document (the branch of an anyOf that got furthest), never an if/anyOf summary. */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  const useful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf');
  const depth = (e: ErrorObject) => pathOf(e.instancePath).length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 0.5 : 0);
  return (useful.length ? useful : errors).reduce((best, e) => (depth(e) > depth(best) ? e : best));
}

function describe(error: ErrorObject, all: readonly ErrorObject[], extra: string | undefined): string {
  if (extra !== undefined) {
    if (/key|token|secret|password/i.test(extra)) return `"${extra}" is not allowed: keys never go in an experiment file; name the environment variable that holds it with apiKeyEnv`;
    return `unknown field "${extra}"`;
  }
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => String(v)).join(', ')}${error.instancePath === '/task' ? ', or a task file (*.task.yaml)' : ''}`;
    case 'type': {
      // Alternatives of an anyOf at the same place: "must be string or object".
      const types = [...new Set(all.filter((e) => e.keyword === 'type' && e.instancePath === error.instancePath).map((e) => String((e.params as { type: string }).type)))];
      return `must be ${types.join(' or ')}`;
    }
    case 'required':
      return `"${String(p.missingProperty)}" is required`;
    case 'pattern':
      return error.instancePath.startsWith('/thresholds') ? 'must read "[label] metric op value", e.g. "tot accuracy >= 0.6" or "cost per item <= $0.01"' : `does not look right (${error.message})`;
    default:
      return error.message ?? 'is not valid';
  }
}

function pathOf(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** "techniques[1].params.breadth" */
export function fieldName(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
}

/**
 * The line of a field: its value's line, or its key's for a missing-field error (`key`) or a nested
 * mapping or list; the nearest parent's when the field is not in the file.
 */
function lineOf(at: Located, path: ReadonlyArray<string | number>, key = false): number {
  let node: unknown = at.doc.contents;
  let line = rangeLine(at.lines, node) ?? 1;
  for (const [i, part] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === part);
      if (!pair) break;
      const target = last && (key || !isScalar(pair.value)) ? pair.key : (pair.value ?? pair.key);
      line = rangeLine(at.lines, target) ?? rangeLine(at.lines, pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
      node = node.items[part];
      line = rangeLine(at.lines, node) ?? line;
    } else {
      break;
    }
  }
  return line;
}

function rangeLine(lines: LineCounter, node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}

function locatedError(at: Located, path: ReadonlyArray<string | number>, message: string, key = false): ExperimentError {
  return new ExperimentError(`${at.file}:${lineOf(at, path, key)}: ${fieldName(path)}: ${message}`);
}

// ---- what the schema cannot say ------------------------------------------------------------------

interface RawExperiment {
  name?: string;
  task: string;
  templates?: string;
  dataset?: string | DatasetSpec;
  items?: number;
  concurrency?: number;
  budget?: { maxUsd?: number; perRun?: Budget };
  server?: { baseUrl?: string; apiKeyEnv?: string };
  models?: Array<string | { profile: string }>;
  profiles?: string | unknown[];
  pricing?: string | Record<string, unknown>;
  techniques: Array<string | { technique: string; label?: string; params?: Record<string, unknown> }>;
  thresholds?: string[];
  output?: string;
  traces?: boolean;
}

function build(raw: RawExperiment, file: string, at: Located, options: LoadOptions): Experiment {
  const dir = dirname(file);
  const fail = (path: ReadonlyArray<string | number>, message: string): never => {
    throw locatedError(at, path, message);
  };
  const templates = readTemplates(raw.templates, dir, options.templates ?? TemplateLibrary.builtIn(), at);
  let chosen: ReturnType<typeof evalTask>;
  try {
    // As `thoughtscope eval --task` reads it; a task file's own errors keep their file:line.
    chosen = evalTask(raw.task, { templates, baseDir: dir });
  } catch (err) {
    if (err instanceof EvalTaskError) fail(['task'], err.message);
    throw err;
  }
  const { task, scorer } = chosen!;

  const techniques = raw.techniques.map((entry, i): ExperimentTechnique => {
    const spec = typeof entry === 'string' ? { technique: entry } : entry;
    const technique = findTechnique(spec.technique)!;
    const params = { ...(spec.params ?? {}) };
    if (scorer.technique) {
      if (technique.id !== scorer.technique.id) fail(['techniques', i], `the ${scorer.id} task runs the ${scorer.technique.id} technique (its "approach" parameter picks the paper's method), not ${technique.id}`);
      for (const [name, value] of Object.entries(scorer.technique.params)) {
        if (params[name] !== undefined && String(params[name]) !== value) fail(['techniques', i, 'params', name], `the ${scorer.id} task needs ${name}=${value}`);
        params[name] = value;
      }
    }
    try {
      resolveParams(technique.params, params, `technique "${technique.id}"`);
    } catch (err) {
      if (err instanceof ParamError) fail(typeof entry === 'string' ? ['techniques', i] : ['techniques', i, 'params'], err.message);
      throw err;
    }
    return { label: spec.label ?? technique.id, technique, params };
  });
  const seen = new Map<string, number>();
  techniques.forEach((t, i) => {
    if (seen.has(t.label)) fail(['techniques', i], `a second run labelled "${t.label}" (also techniques[${seen.get(t.label)}]); give each a different label`);
    seen.set(t.label, i);
  });

  const profiles = readProfiles(raw.profiles, dir, at);
  const knownProfiles = [...profiles.map((p) => p.name), ...(options.hostProfiles ?? [])];
  const models: ModelRef[] = (raw.models ?? []).map((m, i) => {
    if (typeof m === 'string') return { name: m };
    if (!knownProfiles.includes(m.profile)) fail(['models', i, 'profile'], `no profile named "${m.profile}"; known: ${knownProfiles.join(', ') || '(none: add "profiles" to this file)'}`);
    const p = profiles.find((q) => q.name === m.profile);
    if (p?.provider === 'cascade') fail(['models', i, 'profile'], `"${m.profile}" is a cascade, not a model; run it with technique frugal and params.stages: ${m.profile}`);
    return { profile: m.profile };
  });
  const modelNames = models.map(modelLabel);
  modelNames.forEach((name, i) => {
    if (modelNames.indexOf(name) !== i) fail(['models', i], `"${name}" is listed twice`);
  });

  const thresholds = (raw.thresholds ?? []).map((text, i) => {
    let t: Threshold;
    try {
      t = parseThreshold(text);
    } catch (err) {
      if (err instanceof ThresholdError) fail(['thresholds', i], err.message);
      throw err;
    }
    if (t!.label !== undefined && !seen.has(t!.label)) fail(['thresholds', i], `no technique labelled "${t!.label}"; labels: ${[...seen.keys()].join(', ')}`);
    if (t!.model !== undefined && modelNames.length > 0 && !modelNames.includes(t!.model)) fail(['thresholds', i], `no model "${t!.model}" in models; models: ${modelNames.join(', ')}`);
    if (scorer.judgesCorrectness === false && /accuracy|best of k/.test(t!.metric)) fail(['thresholds', i], `the ${scorer.id} task judges no answer right or wrong; use its ${scorer.metric?.name ?? 'metric'} (median ${scorer.metric?.name ?? 'score'})`);
    if (/^(median|mean) /.test(t!.metric) && scorer.metric?.name !== t!.metric.split(' ')[1]) fail(['thresholds', i], `the ${scorer.id} task measures ${scorer.metric ? `"${scorer.metric.name}"` : 'no errors or score'}`);
    return t!;
  });

  const dataset: DatasetSpec = typeof raw.dataset === 'string' ? { file: raw.dataset } : { ...(raw.dataset ?? {}) };
  if (dataset.from !== undefined && dataset.to !== undefined && dataset.to < dataset.from) fail(['dataset', 'to'], `must be at least from (${dataset.from})`);
  const name = raw.name ?? basename(file, extname(file));
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) fail([], `the file name "${basename(file)}" cannot name the experiment; add name: with letters, digits, ".", "_" or "-"`);
  return {
    file,
    dir,
    name,
    scorer,
    task,
    templates,
    dataset,
    ...(raw.items !== undefined ? { items: raw.items } : {}),
    concurrency: raw.concurrency ?? 4,
    ...(raw.budget?.maxUsd !== undefined ? { maxUsd: raw.budget.maxUsd } : {}),
    perRun: { ...(raw.budget?.perRun ?? {}) },
    server: { ...(raw.server ?? {}) },
    models,
    profiles,
    pricing: readPricing(raw.pricing, dir, at),
    techniques,
    thresholds,
    output: resolve(dir, raw.output ?? `.thoughtscope/experiments/${name}`),
    traces: raw.traces ?? true,
  };
}

/** "gpt-4o-mini", or the profile's name. */
export function modelLabel(ref: ModelRef): string {
  return 'profile' in ref ? ref.profile : ref.name;
}

function readJsonFile(path: string, dir: string, field: string, at: Located): unknown {
  const full = resolve(dir, path);
  try {
    return JSON.parse(readFileSync(full, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw locatedError(at, [field], `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0]}`);
  }
}

/** The file's `templates` folder over `base`; one that holds no templates, or a broken one, is an error at the field. */
function readTemplates(raw: string | undefined, dir: string, base: TemplateLibrary, at: Located): TemplateLibrary {
  if (raw === undefined) return base;
  try {
    return base.withNamedDir(resolve(dir, raw), 'user', raw);
  } catch (err) {
    if (err instanceof TemplateError) throw locatedError(at, ['templates'], err.message);
    throw err;
  }
}

function readProfiles(raw: RawExperiment['profiles'], dir: string, at: Located): ModelProfile[] {
  if (raw === undefined) return [];
  const value = typeof raw === 'string' ? readJsonFile(raw, dir, 'profiles', at) : raw;
  try {
    return validateProfiles(value, typeof raw === 'string' ? raw : 'profiles');
  } catch (err) {
    const entry = /entry (\d+)/.exec((err as Error).message);
    const named = /profile "([^"]+)"/.exec((err as Error).message);
    const index = entry ? Number(entry[1]) - 1 : Array.isArray(value) && named ? value.findIndex((p) => (p as { name?: unknown })?.name === named[1]) : -1;
    throw locatedError(at, typeof raw === 'string' || index < 0 ? ['profiles'] : ['profiles', index], (err as Error).message);
  }
}

function readPricing(raw: RawExperiment['pricing'], dir: string, at: Located): PricingTable {
  if (raw === undefined) return {};
  const value = typeof raw === 'string' ? readJsonFile(raw, dir, 'pricing', at) : raw;
  try {
    return validatePricingTable(value, typeof raw === 'string' ? raw : 'pricing');
  } catch (err) {
    throw locatedError(at, ['pricing'], (err as Error).message);
  }
}
