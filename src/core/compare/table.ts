// The comparison as a table: aligned plain text for the terminal, or Markdown for reports.
import { formatUsd } from '../pricing';
import type { CompareResult } from './compare';

const HEADERS = ['technique', 'model', 'effort', 'answer', 'agree', 'correct', 'calls', 'tokens in', 'tokens out', 'cost', 'wall'];

function cells(result: CompareResult): string[][] {
  return result.rows.map((r) => [
    r.technique,
    r.model,
    r.reasoningEffort ?? '-',
    r.outcome === 'done' ? oneLine(r.answer, 40) : `(${r.outcome})`,
    `${Math.round(r.agreement * 100)}%`,
    r.correct === null ? '-' : r.correct ? 'yes' : 'no',
    String(r.calls),
    String(r.promptTokens),
    String(r.completionTokens),
    formatUsd(r.costUsd),
    `${(r.wallMs / 1000).toFixed(1)} s`,
  ]);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function textTable(headers: string[], rows: string[][], rightAligned: (column: number) => boolean): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (rightAligned(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table; pipes and line breaks in cells are escaped. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [`| ${headers.map(esc).join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function compareText(result: CompareResult): string {
  return textTable(HEADERS, cells(result), (c) => c >= 4);
}

export function compareMarkdown(result: CompareResult): string {
  return markdownTable(HEADERS, cells(result));
}
