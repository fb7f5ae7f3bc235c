// A run as a Markdown report: what was asked, the answer, the thought graph (Mermaid, which GitHub and
// VS Code's preview draw) and a cost table by call role. Model text is fenced, never inlined as Markdown.
import { markdownTable } from '../compare/table';
import { formatUsd } from '../pricing';
import { cachedNote } from '../run/cachedNote';
import { renderMermaid } from '../render/mermaid';
import type { Trace } from '../trace';
import { snapshotFromTrace } from './restore';

/** A fenced block that no backtick run inside `text` can close early. */
export function fence(text: string, info = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const bar = '`'.repeat(longest + 1);
  return `${bar}${info}\n${text}\n${bar}`;
}

export function runMarkdown(trace: Trace): string {
  const t = trace.totals;
  const byRole = new Map<string, { calls: number; prompt: number; completion: number }>();
  for (const node of trace.nodes) {
    for (const call of node.calls) {
      const row = byRole.get(call.role) ?? { calls: 0, prompt: 0, completion: 0 };
      row.calls += 1;
      byRole.set(call.role, row);
    }
    // Tokens are kept per node; attribute them to the node's (first) call role.
    const role = node.calls[0]?.role;
    if (role) {
      const row = byRole.get(role)!;
      row.prompt += node.usage.promptTokens;
      row.completion += node.usage.completionTokens;
    }
  }
  const params = Object.entries(trace.params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(defaults)';
  return [
    `# Thoughtscope run: ${trace.technique}`,
    '',
    `- Model: ${trace.model}`,
    `- Task: ${trace.task}`,
    `- Parameters: ${params}`,
    `- Outcome: ${trace.outcome}${trace.message ? ` (${trace.message})` : ''}`,
    '',
    '## Input',
    '',
    fence(trace.input),
    '',
    '## Answer',
    '',
    trace.answer === null ? '(none)' : fence(trace.answer),
    '',
    '## Thought graph',
    '',
    fence(renderMermaid(snapshotFromTrace(trace)).trimEnd(), 'mermaid'),
    '',
    '## Cost',
    '',
    markdownTable(
      ['', 'calls', 'tokens in', 'tokens out'],
      [...byRole.entries()].map(([role, r]) => [role, String(r.calls), String(r.prompt), String(r.completion)]),
    ),
    '',
    `Total: ${t.calls} calls${cachedNote(t)}, ${t.estimated ? '~' : ''}${t.promptTokens} tokens in, ${t.estimated ? '~' : ''}${t.completionTokens} out, ${formatUsd(t.costUsd)}, ${(t.wallMs / 1000).toFixed(1)} s wall time.`,
    '',
  ].join('\n');
}
