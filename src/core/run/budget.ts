// A per-run budget. Checked before each call is sent: a run stops cleanly, keeping its graph,
// as soon as the next call would start past a limit.
import type { RunTotals } from '../graph/types';

export interface Budget {
  maxCalls?: number;
  maxTokens?: number;
  maxUsd?: number;
}

export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

/**
 * Why the next call may not start, or undefined when it may. `reserved` counts calls already in flight;
 * calls answered from the cache across runs count as calls (they cost nothing).
 */
export function budgetViolation(budget: Budget, totals: Omit<RunTotals, 'wallMs'>, reservedCalls: number): string | undefined {
  const calls = totals.calls + (totals.replayed?.calls ?? 0) + reservedCalls;
  if (budget.maxCalls !== undefined && calls >= budget.maxCalls) return `budget of ${budget.maxCalls} calls reached`;
  const tokens = totals.promptTokens + totals.completionTokens;
  if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) return `budget of ${budget.maxTokens} tokens reached (${tokens} used)`;
  if (budget.maxUsd !== undefined && totals.costUsd !== null && totals.costUsd >= budget.maxUsd) {
    return `budget of $${budget.maxUsd} reached ($${totals.costUsd.toFixed(4)} spent)`;
  }
  return undefined;
}
