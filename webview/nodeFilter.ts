// Find: which nodes match the filter box (text, status, minimum score). Pure, so the unit tests run it
// without a browser; graphView.ts highlights the matches and dims the rest.
import type { NodeStatus, ThoughtNode } from '../src/core/graph/types';

export interface FilterCriteria {
  /** Text that must occur, as typed (any case, spaces collapsed), in the node's text, id or kind. */
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
  const wanted = collapse(criteria.text);
  if (wanted === '') return true;
  return [node.text, node.id, node.kind].some((field) => collapse(field).includes(wanted));
}

function collapse(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The minimum score typed in the box: a finite number, or undefined for an empty or unreadable box. */
export function parseMinScore(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
