// How totals say which calls were not sent: " (+5 cached, 3 of them from earlier runs, first paid $0.0012)".
// The CLI, the extension's notifications and the Markdown report print the same words.
import type { RunTotals } from '../graph/types';
import { formatUsd } from '../pricing';

export function cachedNote(t: Pick<RunTotals, 'cachedCalls' | 'replayed'>): string {
  if (!t.cachedCalls) return '';
  const replayed = t.replayed?.calls ? `, ${t.replayed.calls === t.cachedCalls ? 'all' : t.replayed.calls} of them from earlier runs, first paid ${formatUsd(t.replayed.costUsd)}` : '';
  return ` (+${t.cachedCalls} cached${replayed})`;
}
