// `thoughtscope prices <model> [...]`: the price each model is charged at and where it came from
// (--pricing file, a --profiles profile's "price", or the catalog), or "price unknown".
import { parseArgs } from 'node:util';
import { Pricing, type PriceLookup } from '../core/pricing';
import { readProfilesFile } from './profilesFlag';
import { readPricingFile } from './fileFlags';
import { UsageError } from './args';
import { parseFlags } from './modelFlags';

export const PRICES_USAGE = `Usage: thoughtscope prices <model> [<model> ...] [--pricing prices.json] [--profiles profiles.json] [--json]
  Shows the price each model is charged at, in USD per million tokens (input, cached input, output;
  reasoning tokens are billed as output), and where it came from: your --pricing file, a profile's
  "price" (a profile name counts as a model here), or the catalog. A model without a price is
  "price unknown": its costs are reported as unknown, never as $0.`;

const OPTIONS = {
  pricing: { type: 'string' },
  profiles: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function pricesCommand(argv: string[]): Promise<number> {
  const { values: args, positionals } = parseFlags(() => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }));
  if (args.help) {
    process.stdout.write(`${PRICES_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('name a model, e.g. thoughtscope prices gpt-4o-mini');
  const profiles = args.profiles ? readProfilesFile(args.profiles) : [];
  const profilePrices = Object.fromEntries(profiles.flatMap((p) => (p.price ? [[p.name, p.price]] : [])));
  const pricing = new Pricing(args.pricing ? readPricingFile(args.pricing) : {}, { source: `--pricing ${args.pricing}`, profilePrices });
  const rows = positionals.map((name) => {
    const profile = profiles.find((p) => p.name === name);
    const lookup = pricing.lookup(profile?.model ?? name, profile ? name : undefined);
    return { model: name, ...(profile?.model ? { servedModel: profile.model } : {}), price: lookup?.price ?? null, source: lookup?.source ?? null };
  });
  if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else for (const row of rows) process.stdout.write(`${priceLine(row.model, row.price ? (row as { price: PriceLookup['price']; source: string }) : undefined)}\n`);
  return rows.every((r) => r.price) ? 0 : 1;
}

export function priceLine(model: string, lookup: PriceLookup | undefined): string {
  if (!lookup) return `${model}: price unknown (not in your prices, a profile or the catalog; add it with --pricing or thoughtscope.pricing)`;
  const { price, source } = lookup;
  const cached = price.cachedInput !== undefined ? ` · cached input $${price.cachedInput}` : ' · cached input at the input price';
  return `${model}: input $${price.input} · output $${price.output}${cached} per 1M tokens — from ${source}`;
}
