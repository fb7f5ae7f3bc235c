// Budgets (calls, tokens, USD) kept exactly. A BudgetLedger counts what was spent and holds, for every
// request in flight, its worst case: one call, its prompt tokens plus the output it may write, and
// what those cost. A request starts only when its worst case fits beside everything spent and held;
// when it does not, it waits for requests in flight to settle (they usually use less than they held),
// and the budget stops only when nothing is in flight and it still does not fit. Near the limit a
// request is granted fewer output tokens than it asked for (sent as max_tokens), so what is left is
// used, not overrun. A ledger may be shared by several runs (an evaluation's --max-usd).
import type { ModelPrice } from '../pricing';
import { abortError } from './limiter';

export interface Budget {
  maxCalls?: number;
  maxTokens?: number;
  maxUsd?: number;
  /**
   * What a USD limit does for a model with no price: refuse it before any call (the default), or
   * leave it unlimited in dollars (a default limit the user never chose, e.g. the extension's $1 with
   * a local model).
   */
  unpricedUsd?: 'refuse' | 'ignore';
}

export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

/** A USD budget that cannot be checked because a model has no price: a setup error, found before any call. */
export class UnpricedBudgetError extends Error {
  constructor(readonly model: string, maxUsd: number) {
    super(`a budget of $${maxUsd} cannot be kept: the price of model "${model}" is unknown; give it a price (--pricing prices.json, or thoughtscope.pricing) or limit tokens instead (--max-tokens, thoughtscope.budget.maxTokens)`);
    this.name = 'UnpricedBudgetError';
  }
}

/** What a request asks to hold. `promptTokens` is an upper estimate; `outputTokens` the most it may write. */
export interface Ask {
  promptTokens: number;
  outputTokens: number;
  /** undefined: price unknown (refused under a USD budget). */
  price: ModelPrice | undefined;
  model: string;
}

/** What a settled request actually used. */
export interface Spend {
  calls: number;
  tokens: number;
  /** null when the price is unknown. */
  usd: number | null;
}

interface Amount {
  calls: number;
  tokens: number;
  usd: number;
}

export interface Hold {
  readonly amount: Amount;
}

/** Fewer output tokens than this is not worth a request: the budget counts as reached. */
export const MIN_OUTPUT_TOKENS = 16;

function usdOf(price: ModelPrice, promptTokens: number, outputTokens: number): number {
  return (promptTokens * price.input + outputTokens * price.output) / 1_000_000;
}

export class BudgetLedger {
  private readonly spent: Amount;
  private readonly held: Amount = { calls: 0, tokens: 0, usd: 0 };
  private holds = 0;
  private waiters: Array<() => void> = [];
  /** Why this budget stopped, once it has. */
  stopped: string | undefined;

  constructor(
    readonly budget: Budget,
    /** Already spent before this ledger started (an evaluation resumed from its checkpoint). */
    spentUsd = 0,
  ) {
    this.spent = { calls: 0, tokens: 0, usd: spentUsd };
  }

  /** Whether requests must estimate their tokens (a token or USD limit is set). */
  get weighsTokens(): boolean {
    return this.budget.maxTokens !== undefined || this.budget.maxUsd !== undefined;
  }

  get inFlight(): number {
    return this.holds;
  }

  /** Refuses, before any call, a USD budget over a model with no price. */
  checkPriced(model: string, price: ModelPrice | undefined): void {
    if (this.budget.maxUsd !== undefined && !price && this.budget.unpricedUsd !== 'ignore') throw new UnpricedBudgetError(model, this.budget.maxUsd);
  }

  /** The output tokens this ask may have now (at most what it asked), or why it does not fit. */
  grant(ask: Ask): { outputTokens: number } | { reason: string } {
    const { maxCalls, maxTokens, maxUsd } = this.budget;
    if (maxCalls !== undefined && this.spent.calls + this.held.calls + 1 > maxCalls) return { reason: `budget of ${maxCalls} calls reached` };
    // An embeddings request writes no output: it only needs room for its input.
    const least = Math.min(MIN_OUTPUT_TOKENS, ask.outputTokens);
    let output = ask.outputTokens;
    if (maxTokens !== undefined) {
      const used = this.spent.tokens + this.held.tokens;
      output = Math.min(output, maxTokens - used - ask.promptTokens);
      if (output < least) return { reason: `budget of ${maxTokens} tokens reached (${this.spent.tokens} used${this.held.tokens ? `, ${this.held.tokens} held by requests in flight` : ''}; the next request needs about ${ask.promptTokens + least})` };
    }
    if (maxUsd !== undefined) this.checkPriced(ask.model, ask.price);
    if (maxUsd !== undefined && ask.price) {
      const price = ask.price;
      const room = maxUsd - this.spent.usd - this.held.usd - usdOf(price, ask.promptTokens, 0);
      if (price.output > 0) output = Math.min(output, Math.floor((room * 1_000_000) / price.output));
      if (output < least || room < 0) {
        return { reason: `budget of $${maxUsd} reached ($${this.spent.usd.toFixed(4)} spent; the next request may cost up to $${usdOf(price, ask.promptTokens, least).toFixed(4)})` };
      }
    }
    return { outputTokens: output };
  }

  hold(ask: Ask, outputTokens: number): Hold {
    const amount = { calls: 1, tokens: ask.promptTokens + outputTokens, usd: ask.price ? usdOf(ask.price, ask.promptTokens, outputTokens) : 0 };
    this.add(this.held, amount, 1);
    this.holds++;
    return { amount };
  }

  /** The request ended: its hold is released and what it used (if it was answered) is spent. */
  settle(hold: Hold, spend: Spend | undefined): void {
    this.add(this.held, hold.amount, -1);
    this.holds--;
    if (spend) this.add(this.spent, { calls: spend.calls, tokens: spend.tokens, usd: spend.usd ?? 0 }, 1);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  stop(reason: string): void {
    this.stopped ??= reason;
  }

  /** Resolves when a request in flight settles. */
  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError());
      const onAbort = () => reject(abortError());
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private add(into: Amount, amount: Amount, sign: 1 | -1): void {
    into.calls += sign * amount.calls;
    into.tokens += sign * amount.tokens;
    into.usd += sign * amount.usd;
  }
}

export interface Grant {
  holds: Array<[BudgetLedger, Hold]>;
  /** Output tokens granted; below what was asked when the budget is nearly used. */
  outputTokens: number;
}

/**
 * Hold `ask` in every ledger at once (all or none), waiting while a ledger it does not fit in has
 * requests in flight. Throws BudgetExceededError once one is stopped or cannot make room.
 */
export async function reserve(ledgers: readonly BudgetLedger[], ask: Ask, signal: AbortSignal): Promise<Grant> {
  for (;;) {
    const stopped = ledgers.find((l) => l.stopped);
    if (stopped) throw new BudgetExceededError(stopped.stopped!);
    let outputTokens = ask.outputTokens;
    let blocked: { ledger: BudgetLedger; reason: string } | undefined;
    for (const ledger of ledgers) {
      const granted = ledger.grant(ask);
      if ('reason' in granted) {
        blocked = { ledger, reason: granted.reason };
        break;
      }
      outputTokens = Math.min(outputTokens, granted.outputTokens);
    }
    if (!blocked) return { holds: ledgers.map((l) => [l, l.hold(ask, outputTokens)]), outputTokens };
    if (blocked.ledger.inFlight === 0) {
      blocked.ledger.stop(blocked.reason);
      throw new BudgetExceededError(blocked.reason);
    }
    await blocked.ledger.changed(signal);
  }
}
