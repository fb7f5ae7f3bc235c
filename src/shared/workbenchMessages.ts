// Messages between the extension host and the workbench panel (compare table, evaluation report).
import type { CompareRow } from '../core/compare/compare';
import type { Report } from '../core/report/pareto';

/** A comparison row without its trace (the host keeps traces; a row is opened by index). */
export type CompareRowView = Omit<CompareRow, 'trace' | 'params' | 'message'>;

export type HostToWorkbench =
  | { type: 'compare'; input: string; expected?: string; rows: CompareRowView[] }
  | { type: 'report'; report: Report };

export type WorkbenchToHost = { type: 'ready' } | { type: 'openRow'; index: number };

export function isWorkbenchToHost(value: unknown): value is WorkbenchToHost {
  if (!value || typeof value !== 'object') return false;
  const v = value as { type?: unknown; index?: unknown };
  return v.type === 'ready' || (v.type === 'openRow' && Number.isInteger(v.index));
}
