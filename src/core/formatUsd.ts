// Costs as people read them; null is "price unknown", never $0. Apart from pricing.ts so the panel's
// bundle does not take in the price catalog.
export function formatUsd(cost: number | null): string {
  if (cost === null) return 'price unknown';
  if (cost === 0) return '$0';
  if (cost < 0.000001) return '<$0.000001';
  // Two significant digits for fractions of a cent, e.g. $0.000084, so tiny costs stay readable.
  if (cost < 0.01) return `$${cost.toFixed(Math.min(8, 1 - Math.floor(Math.log10(cost))))}`;
  if (cost < 1) return `$${cost.toFixed(4)}`;
  return `$${cost.toFixed(2)}`;
}
