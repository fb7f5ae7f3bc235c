// Find: which nodes match the filter box (text, status, minimum score). Pure, so the unit tests run it
// without a browser; graphView.ts highlights the matches and dims the rest.
import type { NodeStatus, ThoughtNode } from '../src/core/graph/types';

export interface FilterCriteria {
  /** Words that must all occur in the node's text, id or kind (any case). */
  text: string;
  /** Only nodes with this status; empty: any. */
  status: NodeStatus | '';
  /** Only nodes scored at least this; undefined: any (unscored nodes included). */
  minScore: number | undefined;
}

export const NO_FILTER: FilterCriteria = { text: '', status: '', minScore: undefined };

export function isActive(criteria: FilterCriteria): boolean {
  return criteria.text.trim() !== '' || criteria.status !== '' || criteria.minScore !== undefined;
}

export function matches(node: ThoughtNode, criteria: FilterCriteria): boolean {
  if (criteria.status && node.status !== criteria.status) return false;
  if (criteria.minScore !== undefined && !(typeof node.score === 'number' && node.score >= criteria.minScore)) return false;
  const words = criteria.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = `${node.text}\n${node.id}\n${node.kind}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** The minimum score typed in the box: a finite number, or undefined for an empty or unreadable box. */
export function parseMinScore(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
