// Reads the Thoughtscope panel as a person sees it: the drawn graph's node labels, the header totals,
// the outcome and the answer. Numbers come from the visible text (and the data attributes the header
// sets next to it), never from the extension's internals.
import type { Frame } from 'playwright-core';

export interface DrawnNode {
  id: string;
  /** The label as drawn: the text excerpt, then "score · tokens · cost · status". */
  text: string;
  /** Tokens and cost from the label, when it shows them. */
  usage?: { promptTokens: number; completionTokens: number; cost: string };
}

const USAGE = /(~?)(\d+) in \/ ~?(\d+) out · (\$[0-9.]+|<\$0\.000001|price unknown)/;

export async function drawnNodes(frame: Frame): Promise<DrawnNode[]> {
  // Label lines are separated by <br> elements: read them as line breaks, not as nothing.
  const raw = await frame.locator('.graph g.node[data-node-id]').evaluateAll((els) =>
    els.map((e) => {
      const copy = e.cloneNode(true) as Element;
      for (const br of Array.from(copy.querySelectorAll('br'))) br.replaceWith('\n');
      return { id: e.getAttribute('data-node-id') ?? '', text: (copy.textContent ?? '').replace(/\s+/g, ' ').trim() };
    }),
  );
  return raw.map((node) => {
    const m = USAGE.exec(node.text);
    return m ? { ...node, usage: { promptTokens: Number(m[2]), completionTokens: Number(m[3]), cost: m[4] } } : node;
  });
}

/** Wait until the graph is drawn with no render pending, and return how many nodes it shows. */
export async function settledNodeCount(frame: Frame): Promise<number | undefined> {
  const graph = frame.locator('.graph');
  const pending = await graph.getAttribute('data-pending');
  const state = await graph.getAttribute('data-state');
  if (pending !== 'false' || state === 'rendering') return undefined;
  return Number(await graph.getAttribute('data-nodes'));
}

export interface HeaderTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  cost: number | null;
  /** The text shown, e.g. "1,234 in / 56 out". */
  tokensText: string;
  costText: string;
}

export async function headerTotals(frame: Frame): Promise<HeaderTotals> {
  const tokens = frame.locator('.header [data-total="tokens"] .value');
  const cost = frame.locator('.header [data-total="cost"] .value');
  const costValue = await cost.getAttribute('data-value');
  return {
    calls: Number(await frame.locator('.header [data-total="calls"] .value').getAttribute('data-value')),
    promptTokens: Number(await tokens.getAttribute('data-prompt-tokens')),
    completionTokens: Number(await tokens.getAttribute('data-completion-tokens')),
    cost: costValue === 'null' || costValue === null ? null : Number(costValue),
    tokensText: (await tokens.textContent()) ?? '',
    costText: (await cost.textContent()) ?? '',
  };
}

/** The run's outcome once it has one ("done", "cancelled", ...), from the answer section's class. */
export async function outcome(frame: Frame): Promise<string | undefined> {
  const answer = frame.locator('#app section.answer');
  if (await answer.isHidden()) return undefined;
  const cls = (await answer.getAttribute('class')) ?? '';
  return /outcome-(\w+)/.exec(cls)?.[1];
}
