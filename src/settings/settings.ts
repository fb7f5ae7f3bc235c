// Reads and checks the `thoughtscope.*` settings. Any invalid value stops the run before anything is
// sent, with one SettingsError naming the setting. Bounds and defaults come from settingsSchema.ts.
// No vscode import: pass `vscode.workspace.getConfiguration('thoughtscope')` (or any `get`).
import { ModelError, type ReasoningEffort } from '../core/model/types';
import { tracesUrl } from '../core/otel/config';
import { validateBaseUrl } from '../core/model/openaiModel';
import { validatePricingTable, type PricingTable } from '../core/pricing';
import { validateProfiles, type ModelProfile } from '../core/profiles';
import type { GrowthLimits } from '../core/graph/growth';
import type { Budget } from '../core/run/budget';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isTaskFileName, resolveTask, taskIds } from '../core/tasks/registry';
import { taskOf } from '../core/tasks/builtIn';
import type { LoadedTaskFile } from '../core/tasks/spec';
import { readTaskFile, TaskFileError } from '../core/tasks/taskFile';
import type { Task } from '../core/tasks/types';
import { TemplateError } from '../core/templates/errors';
import type { TemplateLibrary } from '../core/templates/library';
import { coerceParam, ParamError, type ParamValues } from '../core/techniques/params';
import type { Technique } from '../core/techniques/types';
import { generalSetting, SECTION, techniqueSettingKey } from './settingsSchema';

/** What `vscode.WorkspaceConfiguration` offers; a Map-backed stand-in works in tests. */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
  /** Where a value comes from (VS Code's inspect); without it every value counts as the user's own. */
  inspect?(key: string): { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined;
}

export class SettingsError extends Error {
  constructor(
    /** Full setting id, e.g. "thoughtscope.concurrency", for "Open Settings". */
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

export type Provider = 'openai-compatible';

export interface Settings {
  provider: Provider;
  baseUrl: string;
  model: string;
  /** A task id, "auto" (resolved against the input with resolveTask), or a task file's path as written. */
  task: string;
  /** The task file thoughtscope.task names, absolute; undefined for a built-in task. */
  taskFile: string | undefined;
  /** That file as read and checked when the settings were read (settingsTask makes the task from it). */
  loadedTaskFile?: LoadedTaskFile;
  /** Overrides every technique's temperature when set. */
  temperature: number | undefined;
  /** Sent as reasoning_effort with every request, when set. */
  reasoningEffort: ReasoningEffort | undefined;
  /** The run's seed, when set. */
  seed: number | undefined;
  concurrency: number;
  requestTimeoutMs: number;
  maxRetries: number;
  stream: boolean;
  budget: Budget;
  /** How far a run's graph may grow (thoughtscope.limits.*). */
  growth: GrowthLimits;
  /** The response cache across runs (thoughtscope.cache.*). */
  cache: { enabled: boolean; maxBytes: number; maxAgeMs: number };
  pricing: PricingTable;
  /** Named model profiles (thoughtscope.profiles). */
  profiles: ModelProfile[];
  /** The profile runs use as their own model; undefined: baseUrl and model. */
  activeProfile: string | undefined;
}

function fullKey(key: string): string {
  return `${SECTION}.${key}`;
}

/** The user's value, or the declared default when the source has none (VS Code always has one). */
function raw(config: ConfigSource, key: string): unknown {
  const value = config.get<unknown>(key);
  return value === undefined ? generalSetting(key).schema.default : value;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function readString(config: ConfigSource, key: string): string {
  const value = raw(config, key);
  if (typeof value !== 'string') throw new SettingsError(fullKey(key), `Setting "${fullKey(key)}" must be a string, got ${show(value)}`);
  const schema = generalSetting(key).schema;
  const options = schema.enum as string[] | undefined;
  if (options && !options.includes(value)) {
    throw new SettingsError(fullKey(key), `Setting "${fullKey(key)}" must be one of ${options.join(', ')}, got ${show(value)}`);
  }
  return value.trim();
}

function readNumber(config: ConfigSource, key: string): number {
  const value = raw(config, key);
  const schema = generalSetting(key).schema;
  const integer = schema.type === 'integer' || (Array.isArray(schema.type) && schema.type.includes('integer'));
  const min = schema.minimum as number | undefined;
  const max = schema.maximum as number | undefined;
  const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` >= ${min}` : '';
  const wanted = `${integer ? 'a whole number' : 'a number'}${range}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new SettingsError(fullKey(key), `Setting "${fullKey(key)}" must be ${wanted}, got ${show(value)}`);
  }
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw new SettingsError(fullKey(key), `Setting "${fullKey(key)}" must be ${wanted}, got ${value}`);
  }
  return value;
}

function readBoolean(config: ConfigSource, key: string): boolean {
  const value = raw(config, key);
  if (typeof value !== 'boolean') throw new SettingsError(fullKey(key), `Setting "${fullKey(key)}" must be true or false, got ${show(value)}`);
  return value;
}

/** Whether the user (or workspace) set `key`, rather than leaving the default. */
function setByUser(config: ConfigSource, key: string): boolean {
  if (!config.inspect) return config.get(key) !== undefined;
  const where = config.inspect(key);
  return where?.globalValue !== undefined || where?.workspaceValue !== undefined || where?.workspaceFolderValue !== undefined;
}

/** A limit where 0 means none. */
function readLimit(config: ConfigSource, key: string): number | undefined {
  const value = readNumber(config, key);
  return value === 0 ? undefined : value;
}

/**
 * Where a task file named in thoughtscope.task is looked for: a relative path starts at the first
 * workspace folder. A file in the workspace is read only when the workspace is trusted (a cloned
 * repository must not decide what is sent to the model), as .thoughtscope/templates is.
 */
export interface TaskFileScope {
  folder: string | undefined;
  trusted: boolean;
}

export function readSettings(config: ConfigSource, scope?: TaskFileScope): Settings {
  const provider = readString(config, 'provider') as Provider;

  const baseUrl = readString(config, 'baseUrl');
  if (!baseUrl) throw new SettingsError(fullKey('baseUrl'), `Setting "${fullKey('baseUrl')}" is empty; set it to your server's API URL, e.g. http://localhost:11434/v1`);
  try {
    validateBaseUrl(baseUrl);
  } catch (err) {
    const detail = err instanceof ModelError ? err.message : String(err);
    throw new SettingsError(fullKey('baseUrl'), `Setting "${fullKey('baseUrl')}": ${detail}`);
  }

  const model = readString(config, 'model');
  if (!model) throw new SettingsError(fullKey('model'), `Setting "${fullKey('model')}" is empty; set it to the model (or Azure deployment) name`);

  const { task, taskFile, loadedTaskFile } = readTask(config, scope);

  const temperatureRaw = raw(config, 'temperature');
  const temperature = temperatureRaw === null ? undefined : readNumber(config, 'temperature');
  const reasoningEffort = (readString(config, 'reasoningEffort') || undefined) as ReasoningEffort | undefined;
  const seed = raw(config, 'seed') === null ? undefined : readNumber(config, 'seed');

  let pricing: PricingTable;
  try {
    pricing = validatePricingTable(raw(config, 'pricing'), `Setting "${fullKey('pricing')}"`);
  } catch (err) {
    throw new SettingsError(fullKey('pricing'), err instanceof Error ? err.message : String(err));
  }

  let profiles: ModelProfile[];
  try {
    profiles = validateProfiles(raw(config, 'profiles'), `Setting "${fullKey('profiles')}"`);
  } catch (err) {
    throw new SettingsError(fullKey('profiles'), err instanceof Error ? err.message : String(err));
  }
  const activeName = readString(config, 'activeProfile');
  const active = activeName ? profiles.find((p) => p.name === activeName) : undefined;
  if (activeName && !active) {
    throw new SettingsError(fullKey('activeProfile'), `Setting "${fullKey('activeProfile')}" names "${activeName}", which is not in thoughtscope.profiles; known: ${profiles.map((p) => p.name).join(', ') || '(none)'}`);
  }
  if (active?.provider === 'cascade') {
    throw new SettingsError(fullKey('activeProfile'), `Setting "${fullKey('activeProfile')}": "${activeName}" is a cascade; run it with the frugal technique (stages = ${activeName}) and pick a model profile here`);
  }

  return {
    provider,
    profiles,
    activeProfile: active?.name,
    baseUrl,
    model,
    task,
    taskFile,
    ...(loadedTaskFile ? { loadedTaskFile } : {}),
    temperature,
    reasoningEffort,
    seed,
    concurrency: readNumber(config, 'concurrency'),
    requestTimeoutMs: Math.round(readNumber(config, 'requestTimeoutSeconds') * 1000),
    maxRetries: readNumber(config, 'maxRetries'),
    stream: readBoolean(config, 'stream'),
    budget: {
      maxCalls: readLimit(config, 'budget.maxCalls'),
      maxTokens: readLimit(config, 'budget.maxTokens'),
      maxUsd: readLimit(config, 'budget.maxUsd'),
      // The default dollar limit cannot apply to a model with no price (a local model): it is then
      // unlimited in dollars. A limit the user set is kept, and the run refuses an unpriced model.
      unpricedUsd: setByUser(config, 'budget.maxUsd') ? 'refuse' : 'ignore',
    },
    growth: {
      maxNodes: readNumber(config, 'limits.maxNodes'),
      maxDepth: readNumber(config, 'limits.maxDepth'),
      maxMemoryBytes: readNumber(config, 'limits.maxMemoryMb') * 1024 * 1024,
    },
    cache: {
      enabled: readBoolean(config, 'cache.enabled'),
      maxBytes: readNumber(config, 'cache.maxSizeMb') * 1024 * 1024,
      maxAgeMs: Math.round(readNumber(config, 'cache.maxAgeDays') * 24 * 60 * 60 * 1000),
    },
    pricing,
  };
}

/** thoughtscope.task: a built-in task's id or "auto", or a task file (checked against its schema now). */
function readTask(config: ConfigSource, scope: TaskFileScope | undefined): { task: string; taskFile: string | undefined; loadedTaskFile?: LoadedTaskFile } {
  const setting = fullKey('task');
  const value = raw(config, 'task');
  if (typeof value === 'string' && isTaskFileName(value.trim())) {
    const name = value.trim();
    // In an untrusted workspace the value is the user's own (the setting is restricted, so VS Code ignores
    // the workspace's), but a relative path would still read a file of the untrusted folder.
    if (!scope?.trusted && !isAbsolute(name)) throw new SettingsError(setting, `Setting "${setting}" names a task file in the workspace (${name}), which is read only in a trusted workspace; trust the workspace, give a full path in your user settings, or choose a built-in task`);
    if (!isAbsolute(name) && !scope?.folder) throw new SettingsError(setting, `Setting "${setting}" names a task file by a relative path (${name}), which starts at the workspace folder; open a folder, or give the full path`);
    const path = isAbsolute(name) ? name : resolve(scope!.folder!, name);
    if (!existsSync(path)) throw new SettingsError(setting, `Setting "${setting}": no such task file ${name}${isAbsolute(name) ? '' : ` (in ${scope!.folder})`}`);
    try {
      return { task: name, taskFile: path, loadedTaskFile: readTaskFile(path, name) };
    } catch (err) {
      if (err instanceof TaskFileError) throw new SettingsError(setting, `Setting "${setting}": ${err.message}`);
      throw err;
    }
  }
  if (typeof value === 'string' && taskIds().includes(value)) return { task: value, taskFile: undefined };
  throw new SettingsError(setting, `Setting "${setting}" must be one of ${taskIds().join(', ')}, or a task file (*.task.yaml), got ${show(value)}`);
}

/**
 * The task a run on `input` uses: thoughtscope.task's task file (as read with the settings, not read
 * again), or the built-in task it names ("auto": by the input), rendering from `templates` (the
 * workspace's). A task file that names a template the library does not have is a SettingsError naming
 * the file.
 */
export function settingsTask(settings: Settings, input: string, templates: TemplateLibrary): Task {
  const setting = fullKey('task');
  if (settings.loadedTaskFile) {
    try {
      return taskOf(settings.loadedTaskFile, templates, settings.task);
    } catch (err) {
      if (err instanceof TemplateError) throw new SettingsError(setting, `Setting "${setting}": ${err.message}`);
      throw err;
    }
  }
  const task = resolveTask(settings.task, input);
  if (!task) throw new SettingsError(setting, `Setting "${setting}" must be one of ${taskIds().join(', ')}, got ${show(settings.task)}`);
  return task.withTemplates(templates);
}

export interface ProxySettings {
  port: number;
  tokenRequired: boolean;
}

export function readProxySettings(config: ConfigSource): ProxySettings {
  return { port: readNumber(config, 'proxy.port'), tokenRequired: readBoolean(config, 'proxy.tokenRequired') };
}

export interface OtelSettings {
  /** The traces URL, undefined when export is off. */
  url: string | undefined;
  protocol: 'http/protobuf' | 'http/json';
  captureContent: boolean;
}

export function readOtelSettings(config: ConfigSource): OtelSettings {
  const endpoint = readString(config, 'otel.endpoint');
  let url: string | undefined;
  try {
    url = endpoint ? tracesUrl(endpoint) : undefined;
  } catch (err) {
    throw new SettingsError(fullKey('otel.endpoint'), `Setting "${fullKey('otel.endpoint')}": ${(err as Error).message}`);
  }
  return { url, protocol: readString(config, 'otel.protocol') as OtelSettings['protocol'], captureContent: readBoolean(config, 'otel.captureContent') };
}

/**
 * A technique's parameters from `thoughtscope.techniques.<id>.<param>`, checked against its
 * declarations; `temperatureOverride` (thoughtscope.temperature) wins over the technique's own.
 */
export function readTechniqueParams(config: ConfigSource, technique: Technique, temperatureOverride?: number): ParamValues {
  const values: ParamValues = {};
  for (const spec of technique.params) {
    const key = techniqueSettingKey(technique.id, spec.name);
    const setting = fullKey(key);
    let value = config.get<unknown>(key);
    if (value === undefined || value === null) value = spec.default;
    if (spec.name === 'temperature' && temperatureOverride !== undefined) value = temperatureOverride;
    const context = `technique "${technique.id}"`;
    try {
      values[spec.name] = coerceParam(spec, value, context);
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      const prefix = `${context} parameter "${spec.name}" `;
      const reason = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      const source = spec.name === 'temperature' && temperatureOverride !== undefined ? fullKey('temperature') : setting;
      throw new SettingsError(source, `Setting "${source}" ${reason}`);
    }
  }
  return values;
}
