// Limits on how far one run's graph may grow: nodes, depth (the longest chain of parents) and the
// memory it holds. A run that reaches one stops like a budget stop, keeping its graph, instead of
// growing until the process runs out of memory and loses everything (a Graph of Thoughts file that
// multiplies thoughts at every operation does that in seconds).

export interface GrowthLimits {
  maxNodes: number;
  maxDepth: number;
  /** Bytes of memory the graph may hold, as estimated by `graphBytes`. */
  maxMemoryBytes: number;
}

export const DEFAULT_GROWTH_LIMITS: GrowthLimits = { maxNodes: 20_000, maxDepth: 500, maxMemoryBytes: 512 * 1024 * 1024 };

export const UNLIMITED_GROWTH: GrowthLimits = { maxNodes: Infinity, maxDepth: Infinity, maxMemoryBytes: Infinity };

/**
 * The memory a graph holds, estimated: a node with its edges, events and bookkeeping is about a
 * kilobyte, a recorded call half of one, and text two bytes a character (JavaScript strings).
 */
export const NODE_BYTES = 1024;
export const CALL_BYTES = 512;
export function textBytes(chars: number): number {
  return 2 * chars;
}

export class GrowthLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrowthLimitError';
  }
}

/** Why a graph of `nodes` nodes, a new node at `depth`, and `bytes` of memory would pass a limit. */
export function growthViolation(limits: GrowthLimits, nodes: number, depth: number, bytes: number): string | undefined {
  if (nodes >= limits.maxNodes) return `the run reached its limit of ${limits.maxNodes} nodes`;
  if (depth > limits.maxDepth) return `the run reached its limit of depth ${limits.maxDepth} (a chain of ${limits.maxDepth} thoughts)`;
  if (bytes > limits.maxMemoryBytes) return `the run reached its memory limit of ${Math.round(limits.maxMemoryBytes / (1024 * 1024))} MB`;
  return undefined;
}
