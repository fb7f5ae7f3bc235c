// Model profiles: named models a run can use side by side (EoT participants, FrugalGPT stages).
// The same JSON shape is the `thoughtscope.profiles` setting and the CLI's `--profiles <file.json>`.
// Keys never live here: the extension keeps each profile's key in SecretStorage under its name,
// the CLI reads it from the environment variable the profile names (`apiKeyEnv`).
import { validatePrice, type ModelPrice } from './pricing';

export const PROFILE_PROVIDERS = ['openai-compatible', 'vscode-lm', 'cascade'] as const;
export type ProfileProvider = (typeof PROFILE_PROVIDERS)[number];

export interface ModelProfile {
  name: string;
  provider: ProfileProvider;
  /** openai-compatible: the API base URL. */
  baseUrl?: string;
  /** The model name (openai-compatible), or the model family/id to select (vscode-lm). */
  model?: string;
  /** vscode-lm: the vendor to select, e.g. "copilot". */
  vendor?: string;
  /** openai-compatible: an embeddings model on the same server (rag re-ranks retrieved chunks with it). */
  embeddingModel?: string;
  /** USD per million tokens; wins over the price table for this profile's calls. */
  price?: ModelPrice;
  /** Requests in flight at once for this profile (the run's overall limit still applies). */
  maxConcurrency?: number;
  /** The account's requests per minute on this server and model: request starts are spaced to keep it. */
  rpm?: number;
  /** The account's tokens per minute on this server and model. */
  tpm?: number;
  /** CLI: the environment variable holding this profile's API key. */
  apiKeyEnv?: string;
  /** cascade: profile names cheap → expensive, and the acceptance threshold of every stage but the last. */
  stages?: string[];
  thresholds?: number[];
  scorer?: 'agreement' | 'judge';
  samples?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Fields that look like a key: refused so a key never ends up in settings or a profiles file. */
const SECRET_FIELDS = ['apiKey', 'key', 'api_key', 'token', 'secret'];

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Check a list of profiles (settings value, CLI file) and say exactly what is wrong, naming the profile. */
export function validateProfiles(raw: unknown, source: string): ModelProfile[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ProfileError(`${source} must be a list of profiles like [{ "name": "mini", "provider": "openai-compatible", "baseUrl": "…", "model": "…" }]`);
  const seen = new Set<string>();
  const profiles = raw.map((entry, i) => {
    const where = `${source} entry ${i + 1}`;
    if (!isRecord(entry)) throw new ProfileError(`${where} must be an object`);
    const name = entry.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ProfileError(`${where}: "name" must be 1-64 letters, digits, ".", "_" or "-", got ${JSON.stringify(name)}`);
    }
    if (name === 'default') throw new ProfileError(`${where}: "default" is reserved for the run's own model; choose another name`);
    if (seen.has(name)) throw new ProfileError(`${source}: two profiles are named "${name}"`);
    seen.add(name);
    return checkProfile(entry, `${source} profile "${name}"`, name);
  });
  for (const p of profiles) {
    for (const stage of p.stages ?? []) {
      const target = profiles.find((q) => q.name === stage);
      if (!target) throw new ProfileError(`${source} profile "${p.name}": stage "${stage}" is not a profile`);
      if (target.provider === 'cascade') throw new ProfileError(`${source} profile "${p.name}": stage "${stage}" is itself a cascade`);
    }
  }
  return profiles;
}

function checkProfile(entry: Record<string, unknown>, where: string, name: string): ModelProfile {
  for (const field of SECRET_FIELDS) {
    if (field in entry) throw new ProfileError(`${where}: "${field}" is not allowed; keys belong in secret storage (Thoughtscope: Set API Key) or the environment variable named by "apiKeyEnv"`);
  }
  const provider = entry.provider ?? 'openai-compatible';
  if (typeof provider !== 'string' || !(PROFILE_PROVIDERS as readonly string[]).includes(provider)) {
    throw new ProfileError(`${where}: "provider" must be one of ${PROFILE_PROVIDERS.join(', ')}, got ${JSON.stringify(provider)}`);
  }
  const profile: ModelProfile = { name, provider: provider as ProfileProvider };
  const text = (field: 'baseUrl' | 'model' | 'vendor' | 'apiKeyEnv' | 'embeddingModel'): string | undefined => {
    const value = entry[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw new ProfileError(`${where}: "${field}" must be non-empty text`);
    return value.trim();
  };
  profile.baseUrl = text('baseUrl');
  profile.model = text('model');
  profile.vendor = text('vendor');
  profile.apiKeyEnv = text('apiKeyEnv');
  profile.embeddingModel = text('embeddingModel');
  if (profile.embeddingModel && profile.provider !== 'openai-compatible') throw new ProfileError(`${where}: "embeddingModel" needs an openai-compatible profile (it names a model of the profile's /embeddings endpoint)`);
  if (profile.apiKeyEnv && !ENV_NAME.test(profile.apiKeyEnv)) throw new ProfileError(`${where}: "apiKeyEnv" must be an environment variable name, got "${profile.apiKeyEnv}"`);
  if (entry.price !== undefined) {
    try {
      profile.price = validatePrice(entry.price, `${where}: "price"`);
    } catch (err) {
      throw new ProfileError((err as Error).message);
    }
  }
  for (const field of ['rpm', 'tpm'] as const) {
    const v = entry[field];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ProfileError(`${where}: "${field}" must be a whole number >= 1 (${field === 'rpm' ? 'requests' : 'tokens'} per minute), got ${JSON.stringify(v)}`);
    profile[field] = v;
  }
  if (entry.maxConcurrency !== undefined) {
    const c = entry.maxConcurrency;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 64) throw new ProfileError(`${where}: "maxConcurrency" must be a whole number from 1 to 64, got ${JSON.stringify(c)}`);
    profile.maxConcurrency = c;
  }
  if (profile.provider === 'openai-compatible') {
    if (!profile.baseUrl) throw new ProfileError(`${where}: "baseUrl" is required, e.g. http://localhost:11434/v1`);
    if (!profile.model) throw new ProfileError(`${where}: "model" is required`);
  }
  if (profile.provider === 'cascade') return checkCascade(entry, where, profile);
  return profile;
}

function checkCascade(entry: Record<string, unknown>, where: string, profile: ModelProfile): ModelProfile {
  const stages = entry.stages;
  if (!Array.isArray(stages) || stages.length < 1 || !stages.every((s) => typeof s === 'string' && s.trim() !== '')) {
    throw new ProfileError(`${where}: "stages" must be a list of profile names, cheapest first`);
  }
  const thresholds = entry.thresholds ?? [];
  if (!Array.isArray(thresholds) || !thresholds.every((t) => typeof t === 'number' && t >= 0 && t <= 1.01)) {
    throw new ProfileError(`${where}: "thresholds" must be numbers from 0 to 1, one per stage but the last`);
  }
  if (thresholds.length !== stages.length - 1) throw new ProfileError(`${where}: ${stages.length} stages need ${stages.length - 1} thresholds, got ${thresholds.length}`);
  if (entry.scorer !== undefined && entry.scorer !== 'agreement' && entry.scorer !== 'judge') throw new ProfileError(`${where}: "scorer" must be agreement or judge`);
  if (entry.samples !== undefined && (typeof entry.samples !== 'number' || !Number.isInteger(entry.samples) || entry.samples < 1 || entry.samples > 20)) {
    throw new ProfileError(`${where}: "samples" must be a whole number from 1 to 20`);
  }
  return {
    ...profile,
    stages: (stages as string[]).map((s) => s.trim()),
    thresholds: thresholds as number[],
    scorer: entry.scorer as ModelProfile['scorer'],
    samples: entry.samples as number | undefined,
  };
}

/** A comma-separated list of profile names from a technique parameter ("mini, big" → ["mini", "big"]). */
export function splitNames(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A valid profile name made from free text: other characters become "-"; at most 64 characters. */
export function profileNameFrom(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '').slice(0, 64) || 'model';
}

/**
 * The profile name "Set Up a Model" gives a model on an OpenAI-compatible server: the domain's own label
 * and the model (api.openai.com → "openai-gpt-4o-mini"); for an IP address or a one-label host such as
 * localhost, the host and port (127.0.0.1:8000 → "127.0.0.1-8000-llama3"), so local servers are told apart.
 */
export function serverProfileName(baseUrl: URL, model: string): string {
  const host = baseUrl.hostname.replace(/^\[|\]$/g, '');
  const labels = host.split('.');
  const local = /^\d+(\.\d+){3}$/.test(host) || host.includes(':') || labels.length < 2;
  const server = local ? [host, baseUrl.port].filter(Boolean).join('-') : labels[labels.length - 2];
  return profileNameFrom(`${server}-${model}`);
}

/** How a profile reads in a picker: "mini — gpt-4o-mini at api.openai.com". */
export function describeProfile(p: ModelProfile): string {
  if (p.provider === 'cascade') return `cascade ${(p.stages ?? []).join(' → ')}`;
  if (p.provider === 'vscode-lm') return `VS Code language model ${[p.vendor, p.model].filter(Boolean).join(' / ') || '(any)'}`;
  let host = p.baseUrl ?? '';
  try {
    host = new URL(host).host;
  } catch {
    // keep the text as it is
  }
  return `${p.model} at ${host}`;
}
