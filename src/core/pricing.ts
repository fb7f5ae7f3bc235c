// Prices in USD per million tokens. The user's table (`thoughtscope.pricing`, the CLI's --pricing file)
// and a model profile's `price` win; otherwise the maintained catalog (priceCatalog.ts). An unknown
// model has no price: its cost is reported as unknown, never guessed. Cached prompt tokens are priced
// at the cached-input rate (the input rate when a price has none); reasoning tokens are part of the
// completion tokens, and billed as output.
import { catalogPrice, type CatalogPrice } from './priceCatalog';

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  input: number;
  /** USD per million output (completion) tokens, reasoning included. */
  output: number;
  /** USD per million prompt tokens served from the provider's prompt cache. */
  cachedInput?: number;
}

export type PricingTable = Record<string, ModelPrice>;

/** A price and where it came from ("--pricing prices.json", "profile mini", "catalog …"). */
export type PriceLookup = CatalogPrice;

/** A catalog: a model name to its price, or undefined. */
export type PriceCatalog = (model: string) => CatalogPrice | undefined;

/** A dated snapshot name ("gpt-4o-2024-08-06", "gpt-4-0613") or a provider prefix ("openai/gpt-4o"). */
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{4})$/;

export interface PricingOptions {
  /** Where the user's table came from, for `thoughtscope prices` (default "your prices"). */
  source?: string;
  /** The catalog behind the user's table (default the maintained one; tests may pass another). */
  catalog?: PriceCatalog;
  profilePrices?: PricingTable;
}

export class Pricing {
  // Maps, not objects: a model called "constructor" or "__proto__" must find no price, not Object.prototype's.
  private readonly table: Map<string, ModelPrice>;
  /** Prices a model profile carries, by profile name: they win over the model-name table. */
  private readonly profilePrices: Map<string, ModelPrice>;
  private readonly source: string;
  private readonly catalog: PriceCatalog;

  constructor(overrides: PricingTable = {}, options: PricingOptions = {}) {
    this.table = new Map(Object.entries(overrides));
    this.profilePrices = new Map(Object.entries(options.profilePrices ?? {}));
    this.source = options.source ?? 'your prices';
    this.catalog = options.catalog ?? catalogPrice;
  }

  /** The same table plus per-profile prices (two profiles may serve one model name at different prices). */
  withProfilePrices(prices: PricingTable): Pricing {
    return new Pricing(Object.fromEntries(this.table), { source: this.source, catalog: this.catalog, profilePrices: { ...Object.fromEntries(this.profilePrices), ...prices } });
  }

  /** Every price times `factor` (the user's table, profiles' prices and the catalog's): the Batch API's rate (OpenAI charges half, factor 0.5). */
  scaled(factor: number): Pricing {
    const times = (p: ModelPrice): ModelPrice => ({ input: p.input * factor, output: p.output * factor, ...(p.cachedInput !== undefined ? { cachedInput: p.cachedInput * factor } : {}) });
    const scaledTable = (table: Map<string, ModelPrice>) => Object.fromEntries([...table].map(([name, p]) => [name, times(p)]));
    const catalog: PriceCatalog = (model) => {
      const found = this.catalog(model);
      return found && { price: times(found.price), source: `${found.source} × ${factor}` };
    };
    return new Pricing(scaledTable(this.table), { source: `${this.source} × ${factor}`, catalog, profilePrices: scaledTable(this.profilePrices) });
  }

  /** The price of a model name and its source: the user's table first (exact, then without a snapshot date or provider prefix), then the catalog. */
  lookup(model: string, profile?: string): PriceLookup | undefined {
    const own = profile !== undefined ? this.profilePrices.get(profile) : undefined;
    if (own) return { price: own, source: `model profile "${profile}"` };
    const candidates = [model, model.replace(/^[^/]+\//, '')];
    for (const name of candidates) {
      const base = name.replace(SNAPSHOT_SUFFIX, '');
      for (const key of base !== name ? [name, base] : [name]) {
        const mine = this.table.get(key);
        if (mine) return { price: mine, source: key === model ? this.source : `${this.source} (as "${key}")` };
      }
    }
    for (const name of new Set(candidates)) {
      const listed = this.catalog(name);
      if (listed) return listed;
    }
    return undefined;
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.lookup(model)?.price;
  }

  /** The price a call is charged at: the profile's own, else the model name's; undefined when unknown. */
  priceFor(model: string, profile?: string): ModelPrice | undefined {
    return this.lookup(model, profile)?.price;
  }

  /** USD for a call, or null when the model's price is unknown. A profile's own price comes first. */
  cost(model: string, promptTokens: number, completionTokens: number, profile?: string, cachedPromptTokens = 0): number | null {
    const price = this.priceFor(model, profile);
    return price ? costAt(price, promptTokens, completionTokens, cachedPromptTokens) : null;
  }
}

/** USD at a price: cached prompt tokens at the cached rate (the input rate when none is given). */
export function costAt(price: ModelPrice, promptTokens: number, completionTokens: number, cachedPromptTokens = 0): number {
  const cached = Math.min(cachedPromptTokens, promptTokens);
  return ((promptTokens - cached) * price.input + cached * (price.cachedInput ?? price.input) + completionTokens * price.output) / 1_000_000;
}

/** Check a user-supplied table (settings JSON, CLI file) and say exactly what is wrong. */
export function validatePricingTable(raw: unknown, source: string): PricingTable {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source} must be an object of model name to { input, output, cachedInput? } prices`);
  const entries: Array<[string, ModelPrice]> = [];
  for (const [model, price] of Object.entries(raw as Record<string, unknown>)) {
    entries.push([model, validatePrice(price, `${source}: price of "${model}"`)]);
  }
  // fromEntries defines own properties, so a model named "__proto__" stays a model, not a prototype.
  return Object.fromEntries(entries);
}

/** One price entry ({ input, output, cachedInput? }, USD per million tokens), or a one-line error naming `where`. */
export function validatePrice(raw: unknown, where: string): ModelPrice {
  const p = raw as Partial<ModelPrice> | null;
  if (!p || typeof p !== 'object' || Array.isArray(p) || !isPrice(p.input) || !isPrice(p.output) || (p.cachedInput !== undefined && !isPrice(p.cachedInput))) {
    throw new Error(`${where} must be { "input": <USD per 1M tokens>, "output": <USD per 1M tokens>, "cachedInput"?: <USD per 1M cached prompt tokens> } with finite numbers >= 0`);
  }
  return { input: p.input, output: p.output, ...(p.cachedInput !== undefined ? { cachedInput: p.cachedInput } : {}) };
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export { formatUsd } from './formatUsd';
