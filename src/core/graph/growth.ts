// Limits on how far one run's graph may grow: nodes, depth (the longest chain of parents) and the text
// it keeps (node texts, prompts and responses; a JavaScript string costs up to two bytes a character).
// A run that reaches one stops like a budget stop, keeping its graph, instead of growing until the
// process runs out of memory and loses everything (a Graph of Thoughts file that multiplies thoughts
// at every operation does that in seconds).

export interface GrowthLimits {
  maxNodes: number;
  maxDepth: number;
  /** Characters of text kept in the graph. */
  maxTextChars: number;
}

export const DEFAULT_GROWTH_LIMITS: GrowthLimits = { maxNodes: 20_000, maxDepth: 500, maxTextChars: 128 * 1024 * 1024 };

export const UNLIMITED_GROWTH: GrowthLimits = { maxNodes: Infinity, maxDepth: Infinity, maxTextChars: Infinity };

/** Megabytes of memory the text limit stands for (two bytes a character), for messages and flags. */
export function textLimitMb(limits: GrowthLimits): number {
  return Math.round((limits.maxTextChars * 2) / (1024 * 1024));
}

export class GrowthLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrowthLimitError';
  }
}

/** Why adding a node of `depth` and `chars` to a graph of `nodes` nodes and `kept` characters would pass a limit. */
export function growthViolation(limits: GrowthLimits, nodes: number, depth: number, kept: number): string | undefined {
  if (nodes >= limits.maxNodes) return `the run reached its limit of ${limits.maxNodes} nodes`;
  if (depth > limits.maxDepth) return `the run reached its limit of depth ${limits.maxDepth} (a chain of ${limits.maxDepth} thoughts)`;
  if (kept > limits.maxTextChars) return `the run reached its memory limit of ${textLimitMb(limits)} MB of text`;
  return undefined;
}
