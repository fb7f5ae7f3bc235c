// Turns model profiles into the RunProfiles a Run calls by name. OpenAI-compatible profiles get an
// OpenAIChatModel here; providers core cannot build (the VS Code Language Model API) come from the
// host through `external`. Keys are looked up by the host (SecretStorage or environment variables).
import type { ModelProfile } from '../profiles';
import { ProfileError } from '../profiles';
import type { RunProfile } from '../run/run';
import { OpenAIChatModel } from './openaiModel';
import type { ChatModel } from './types';

export interface ProfileModelOptions {
  /** The profile's API key, if it has one. */
  apiKeyOf(profile: ModelProfile): string | undefined;
  /** Extra headers for a key (Azure's api-key). */
  headersOf?(profile: ModelProfile, key: string | undefined): Record<string, string> | undefined;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  stream?: boolean;
  /** Models for providers the core does not implement; undefined means "not available here". */
  external?(profile: ModelProfile): ChatModel | undefined;
}

export function modelForProfile(profile: ModelProfile, options: ProfileModelOptions): ChatModel | undefined {
  if (profile.provider === 'cascade') return undefined;
  if (profile.provider === 'openai-compatible') {
    const apiKey = options.apiKeyOf(profile);
    try {
      return new OpenAIChatModel({
        baseUrl: profile.baseUrl ?? '',
        model: profile.model ?? '',
        apiKey,
        timeoutMs: options.timeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        stream: options.stream,
        headers: options.headersOf?.(profile, apiKey),
      });
    } catch (err) {
      throw new ProfileError(`model profile "${profile.name}": ${(err as Error).message}`);
    }
  }
  const model = options.external?.(profile);
  if (!model) throw new ProfileError(`model profile "${profile.name}" uses the ${profile.provider} provider, which only works inside VS Code`);
  return model;
}

/**
 * Every profile as a RunProfile. A profile that cannot be built here (a vscode-lm profile in the CLI)
 * is left out only when `skipUnavailable` is set; using it by name then fails with "no model profile".
 */
export function buildRunProfiles(profiles: readonly ModelProfile[], options: ProfileModelOptions & { skipUnavailable?: boolean }): RunProfile[] {
  const out: RunProfile[] = [];
  for (const p of profiles) {
    const cascade = p.provider === 'cascade' ? { stages: p.stages ?? [], thresholds: p.thresholds ?? [], scorer: p.scorer, samples: p.samples } : undefined;
    let model: ChatModel | undefined;
    try {
      model = modelForProfile(p, options);
    } catch (err) {
      if (options.skipUnavailable && p.provider !== 'openai-compatible') continue;
      throw err;
    }
    const embedder = p.embeddingModel && model instanceof OpenAIChatModel ? model.embeddingModel(p.embeddingModel) : undefined;
    out.push({ name: p.name, model, price: p.price, maxConcurrency: p.maxConcurrency, rpm: p.rpm, tpm: p.tpm, cascade, ...(embedder ? { embedder } : {}) });
  }
  return out;
}
