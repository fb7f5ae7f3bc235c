// The named model profiles of one run (EoT participants, FrugalGPT stages, team roles): lookup by
// name with one-line errors, the profile a model belongs to (for its price and label), and each
// profile's own concurrency limit.
import type { ChatModel, EmbeddingModel } from '../model/types';
import type { ModelPrice } from '../pricing';
import { Limiter } from './limiter';
import { gateFor } from './rateGate';

/**
 * A named model profile available to the run's techniques (EoT participants, FrugalGPT stages).
 * A profile's own price wins over the price table; its maxConcurrency caps its requests in flight
 * below the run's overall limit. A cascade profile (a saved FrugalGPT cascade) has no model.
 */
export interface RunProfile {
  name: string;
  model?: ChatModel;
  price?: ModelPrice;
  maxConcurrency?: number;
  /** Requests and tokens per minute the account may use on this profile's server and model. */
  rpm?: number;
  tpm?: number;
  cascade?: { stages: string[]; thresholds: number[]; scorer?: string; samples?: number };
  /** The profile's embeddings model (its `embeddingModel`), for rag's re-ranking. */
  embedder?: EmbeddingModel;
}

export class RunProfiles {
  private readonly byName = new Map<string, RunProfile>();
  private readonly byModel = new Map<ChatModel, RunProfile>();
  private readonly limiters = new Map<ChatModel, Limiter>();

  constructor(
    profiles: readonly RunProfile[],
    private readonly runModel: ChatModel,
  ) {
    for (const profile of profiles) {
      this.byName.set(profile.name, profile);
      if (!profile.model) continue;
      this.byModel.set(profile.model, profile);
      if (profile.maxConcurrency) this.limiters.set(profile.model, new Limiter(profile.maxConcurrency));
      if (profile.rpm || profile.tpm) gateFor(profile.model).declare({ rpm: profile.rpm, tpm: profile.tpm });
    }
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Profile prices by profile name (they win over the model-name price table). */
  prices(): Record<string, ModelPrice> {
    return Object.fromEntries([...this.byName.values()].flatMap((p) => (p.price ? [[p.name, p.price]] : [])));
  }

  get(name: string): RunProfile {
    const found = this.byName.get(name);
    if (found) return found;
    const known = this.names();
    throw new Error(`no model profile named "${name}"; ${known.length ? `known profiles: ${known.join(', ')}` : 'no profiles are configured (thoughtscope.profiles, or --profiles in the CLI)'}`);
  }

  modelNamed(name: string): ChatModel {
    if (name === '' || name === 'default') return this.runModel;
    const profile = this.get(name);
    if (!profile.model) throw new Error(`model profile "${name}" is a cascade, not a model`);
    return profile.model;
  }

  embedderNamed(name: string): EmbeddingModel | undefined {
    if (name === '' || name === 'default') return this.byModel.get(this.runModel)?.embedder;
    const profile = this.get(name);
    if (!profile.embedder) throw new Error(`model profile "${name}" has no "embeddingModel"; add one (an embeddings model of its server) to re-rank with it`);
    return profile.embedder;
  }

  /** The name of the profile `model` belongs to, if any (its price is looked up by it). */
  nameOf(model: ChatModel): string | undefined {
    return this.byModel.get(model)?.name;
  }

  limiterOf(model: ChatModel): Limiter | undefined {
    return this.limiters.get(model);
  }
}
