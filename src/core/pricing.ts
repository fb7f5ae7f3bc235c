// Prices in USD per million tokens. Defaults are the providers' published list prices for common
// models; users override or add models in settings (`thoughtscope.pricing`) or with `--price` in the CLI.
// An unknown model has no price: cost is reported as unknown, never guessed.

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  input: number;
  /** USD per million output (completion) tokens. */
  output: number;
}

export type PricingTable = Record<string, ModelPrice>;

export const DEFAULT_PRICES: Readonly<PricingTable> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  // Embeddings models (rag re-ranking): input tokens only.
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

/** A dated snapshot name ("gpt-4o-2024-08-06", "gpt-4-0613") or a provider prefix ("openai/gpt-4o"). */
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{4})$/;

export class Pricing {
  private readonly table: PricingTable;
  /** Prices a model profile carries, by profile name: they win over the model-name table. */
  private readonly profilePrices: PricingTable;

  constructor(overrides: PricingTable = {}, defaults: PricingTable = DEFAULT_PRICES, profilePrices: PricingTable = {}) {
    this.table = { ...defaults, ...overrides };
    this.profilePrices = { ...profilePrices };
  }

  /** The same table plus per-profile prices (two profiles may serve one model name at different prices). */
  withProfilePrices(prices: PricingTable): Pricing {
    return new Pricing({}, this.table, { ...this.profilePrices, ...prices });
  }

  /** Every price times `factor`: the Batch API's rate (OpenAI charges half, factor 0.5). */
  scaled(factor: number): Pricing {
    const times = (table: PricingTable) => Object.fromEntries(Object.entries(table).map(([name, p]) => [name, { input: p.input * factor, output: p.output * factor }]));
    return new Pricing({}, times(this.table), times(this.profilePrices));
  }

  priceOf(model: string): ModelPrice | undefined {
    const candidates = [model, model.replace(/^[^/]+\//, '')];
    for (const name of candidates) {
      if (this.table[name]) return this.table[name];
      const base = name.replace(SNAPSHOT_SUFFIX, '');
      if (base !== name && this.table[base]) return this.table[base];
    }
    return undefined;
  }

  /** USD for a call, or null when the model's price is unknown. A profile's own price comes first. */
  cost(model: string, promptTokens: number, completionTokens: number, profile?: string): number | null {
    const price = (profile !== undefined ? this.profilePrices[profile] : undefined) ?? this.priceOf(model);
    if (!price) return null;
    return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
  }
}

/** Check a user-supplied table (settings JSON, CLI file) and say exactly what is wrong. */
export function validatePricingTable(raw: unknown, source: string): PricingTable {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source} must be an object of model name to { input, output } prices`);
  const table: PricingTable = {};
  for (const [model, price] of Object.entries(raw as Record<string, unknown>)) {
    const p = price as Partial<ModelPrice> | null;
    if (!p || typeof p !== 'object' || typeof p.input !== 'number' || typeof p.output !== 'number' || p.input < 0 || p.output < 0) {
      throw new Error(`${source}: price of "${model}" must be { "input": <USD per 1M tokens>, "output": <USD per 1M tokens> } with numbers >= 0`);
    }
    table[model] = { input: p.input, output: p.output };
  }
  return table;
}

export function formatUsd(cost: number | null): string {
  if (cost === null) return 'price unknown';
  if (cost === 0) return '$0';
  if (cost < 0.000001) return '<$0.000001';
  // Two significant digits for fractions of a cent, e.g. $0.000084, so tiny costs stay readable.
  if (cost < 0.01) return `$${cost.toFixed(Math.min(8, 1 - Math.floor(Math.log10(cost))))}`;
  if (cost < 1) return `$${cost.toFixed(4)}`;
  return `$${cost.toFixed(2)}`;
}
