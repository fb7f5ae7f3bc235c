// Prices from a catalog kept current upstream: @pydantic/genai-prices (README "Prices" says why this
// one). Looked up by model name among the model makers' own APIs, so a local model (llama3.2 on
// Ollama) finds no price rather than some host's. The catalog is loaded on first use: most runs of a
// local model never need it. Embeddings models, which the catalog lacks, keep a small table here.
import type { ModelPrice } from './pricing';

export const CATALOG_NAME = '@pydantic/genai-prices';

/** The providers whose prices apply to a bare model name: the makers' own APIs. */
const MAKERS = new Set(['openai', 'anthropic', 'google', 'deepseek', 'mistral', 'x-ai', 'cohere']);

/** Not in the catalog: OpenAI's embeddings models (rag re-ranking), input tokens only. */
const EMBEDDINGS: Readonly<Record<string, ModelPrice>> = {
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

export interface CatalogPrice {
  price: ModelPrice;
  /** Where it came from, for `thoughtscope prices`: "catalog @pydantic/genai-prices (openai gpt-4o)". */
  source: string;
}

type Rate = number | { base: number } | undefined;
interface CatalogModule {
  calcPrice(usage: { input_tokens: number; output_tokens: number }, modelId: string): null | { provider: { id: string }; model: { id: string }; model_price: Record<string, Rate> };
}

let catalog: CatalogModule | undefined;
const found = new Map<string, CatalogPrice | undefined>();

/** The base rate of a price that may be tiered by prompt length (the first tier covers ordinary prompts). */
function rate(value: Rate): number | undefined {
  if (typeof value === 'number') return value;
  return value && typeof value.base === 'number' ? value.base : undefined;
}

function tiered(...values: Rate[]): boolean {
  return values.some((v) => typeof v === 'object' && v !== null);
}

export function catalogPrice(model: string): CatalogPrice | undefined {
  if (found.has(model)) return found.get(model);
  const embedding = Object.hasOwn(EMBEDDINGS, model) ? EMBEDDINGS[model] : undefined;
  let result: CatalogPrice | undefined = embedding ? { price: embedding, source: 'built-in embeddings prices (not in the catalog)' } : undefined;
  if (!result) {
    catalog ??= require('@pydantic/genai-prices') as CatalogModule;
    const hit = catalog.calcPrice({ input_tokens: 0, output_tokens: 0 }, model);
    const p = hit?.model_price;
    const input = rate(p?.input_mtok);
    const output = rate(p?.output_mtok);
    if (hit && p && MAKERS.has(hit.provider.id) && input !== undefined && output !== undefined) {
      const cached = rate(p.cache_read_mtok);
      const note = tiered(p.input_mtok, p.output_mtok) ? '; longer prompts cost more there, the first tier is used' : '';
      result = { price: { input, output, ...(cached !== undefined ? { cachedInput: cached } : {}) }, source: `catalog ${CATALOG_NAME} (${hit.provider.id} ${hit.model.id}${note})` };
    }
  }
  found.set(model, result);
  return result;
}
