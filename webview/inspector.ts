// Details of the clicked node: its full text, numbers, and every model call with full prompt and
// responses. Everything from the model is set with textContent.
import type { CallRecord, ThoughtNode } from '../src/core/graph/types';
import type { TemplateUse } from '../src/core/templates/types';
import { el, formatDuration, formatUsage, formatUsd } from './format';
import { button } from './toolkit';
import { highlightedCode } from './codeHighlight';

export class Inspector {
  private nodeId: string | undefined;
  private node: ThoughtNode | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly onClose: () => void,
    /** Open a workspace file at a line range (rag chunks and the answer's cited sources); `root` is the folder `path` is relative to. */
    private readonly onOpenFile?: (path: string, startLine: number, endLine: number, root?: string) => void,
  ) {
    host.classList.add('inspector');
    host.hidden = true;
  }

  get shownId(): string | undefined {
    return this.nodeId;
  }

  /** The node object last drawn (updates arrive as new objects, so identity tells whether it changed). */
  get shownNode(): ThoughtNode | undefined {
    return this.node;
  }

  close(): void {
    this.nodeId = undefined;
    this.node = undefined;
    this.host.hidden = true;
    this.host.replaceChildren();
  }

  show(node: ThoughtNode): void {
    const sameNode = this.nodeId === node.id;
    const open = sameNode ? this.openCalls() : undefined;
    this.nodeId = node.id;
    this.node = node;
    this.host.hidden = false;

    const head = el('div', 'inspector-head');
    const title = el('h2', undefined, `${node.id} · ${node.kind}`);
    const status = el('span', `status status-${node.status}`, node.status);
    title.append(' ', status);
    head.append(title, button('Close', () => this.onClose(), { look: 'secondary', title: 'Close the inspector' }));

    const facts = el('dl', 'facts');
    const fact = (name: string, value: string) => facts.append(el('dt', undefined, name), el('dd', undefined, value));
    if (node.score !== undefined) fact('Score', String(node.score));
    fact('Tokens', formatUsage(node.usage));
    fact('Cost', formatUsd(node.costUsd));
    fact('Latency', formatDuration(node.latencyMs));
    if (node.model) fact('Model', node.model);
    fact('Calls', String(node.calls.length));
    if (node.error) fact('Error', node.error);
    for (const [key, value] of Object.entries(node.meta ?? {})) fact(key, String(value));

    // Programs (Program of Thoughts) are highlighted; the code still goes in as text only.
    const text = node.kind === 'program' && node.text ? highlightedCode(node.text, String(node.meta?.language ?? 'python')) : el('pre', 'node-text', node.text || '(empty)');
    const links = this.locationLinks(node);

    const calls = el('div', 'calls');
    node.calls.forEach((call, i) => calls.append(this.callView(call, i, open ? open.has(i) : i === 0 || node.calls.length <= 3)));

    // Text streaming in for a call still running (the panel's throttled copy of it).
    const live = node.live ? [el('h3', undefined, 'Streaming'), el('pre', 'live-text', node.live)] : [];
    this.host.replaceChildren(head, facts, ...links, el('h3', undefined, 'Text'), text, ...live, el('h3', undefined, `Model calls (${node.calls.length})`), calls);
    if (!sameNode) this.host.scrollIntoView({ block: 'nearest' });
  }

  /**
   * "Open" buttons for a chunk's file range (meta file/startLine/endLine) and an answer's "source n"
   * entries ("path:a-b"); paths are relative to meta.root (the rag index root) when the node has one.
   */
  private locationLinks(node: ThoughtNode): HTMLElement[] {
    const open = this.onOpenFile;
    if (!open) return [];
    const places: Array<{ label: string; path: string; start: number; end: number }> = [];
    const meta = node.meta ?? {};
    const root = typeof meta.root === 'string' && meta.root !== '' ? meta.root : undefined;
    if (typeof meta.file === 'string' && typeof meta.startLine === 'number' && typeof meta.endLine === 'number') {
      places.push({ label: `Open ${meta.file}:${meta.startLine}-${meta.endLine}`, path: meta.file, start: meta.startLine, end: meta.endLine });
    }
    for (const [key, value] of Object.entries(meta)) {
      const m = /^source (\d+)$/.exec(key) && typeof value === 'string' ? /^(.+):(\d+)-(\d+)$/.exec(value) : null;
      if (m) places.push({ label: `[${key.slice(7)}] ${value}`, path: m[1], start: Number(m[2]), end: Number(m[3]) });
    }
    if (places.length === 0) return [];
    const row = el('div', 'locations');
    for (const p of places) row.append(button(p.label, () => open(p.path, p.start, p.end, root), { look: 'secondary', title: 'Open the file at these lines' }));
    return [row];
  }

  private openCalls(): Set<number> {
    const open = new Set<number>();
    this.host.querySelectorAll('details.call').forEach((d, i) => {
      if ((d as HTMLDetailsElement).open) open.add(i);
    });
    return open;
  }

  private callView(call: CallRecord, index: number, open: boolean): HTMLElement {
    const details = el('details', 'call');
    details.open = open;
    const parts = [
      `#${index + 1} ${call.role}`,
      call.model,
      formatUsage(call.usage) + (call.usageSource !== 'reported' ? ` (${call.usageSource})` : '') + tokenDetails(call),
      formatUsd(call.costUsd),
      formatDuration(call.latencyMs),
    ];
    const summary = el('summary', undefined, parts.join(' · '));
    if (call.cached) summary.append(' ', el('span', 'cached', call.replayed ? `cached · first sent ${call.replayed.storedAt.slice(0, 16).replace('T', ' ')} · was ${formatUsd(call.replayed.costUsd)}` : 'cached'));
    details.append(summary);
    if (call.error) details.append(el('p', 'call-error', call.error));
    for (const dropped of call.droppedParams ?? []) details.append(el('p', 'call-note', dropped.note));
    if (call.reasoningEffort || call.seed !== undefined) details.append(el('p', 'muted', [call.reasoningEffort && `reasoning effort ${call.reasoningEffort}`, call.seed !== undefined && `seed ${call.seed}`].filter(Boolean).join(' · ')));
    if (call.templates?.length) details.append(el('h4', undefined, call.templates.length > 1 ? 'Templates' : 'Template'), ...call.templates.map(templateView));
    details.append(el('h4', undefined, 'Prompt'), el('pre', 'prompt', call.prompt));
    call.responses.forEach((response, i) => {
      details.append(el('h4', undefined, call.responses.length > 1 ? `Response ${i + 1} of ${call.responses.length}` : 'Response'));
      // The model's reasoning, folded: it is not part of the answer and never parsed as one.
      const reasoning = call.reasoning?.[i];
      if (reasoning) {
        const fold = el('details', 'reasoning');
        fold.append(el('summary', undefined, `Reasoning (${reasoning.length} characters)`), el('pre', 'reasoning-text', reasoning));
        details.append(fold);
      }
      details.append(el('pre', 'response', response));
    });
    if (call.responses.length === 0) details.append(el('p', 'muted', 'No response.'));
    return details;
  }
}

/** " (40 cached, 300 reasoning)" for the parts of a call's tokens the server reported. */
function tokenDetails(call: CallRecord): string {
  const parts = [call.usage.cachedPromptTokens ? `${call.usage.cachedPromptTokens} cached` : '', call.usage.reasoningTokens ? `${call.usage.reasoningTokens} reasoning` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** A template a call's prompt came from: its name, where it came from (built-in, workspace, user) and the variables it was given. */
function templateView(use: TemplateUse): HTMLElement {
  const box = el('div', 'template');
  box.append(el('p', 'template-name', `${use.name} · ${use.source} · ${use.hash}`));
  const vars = el('dl', 'template-variables');
  for (const [name, value] of Object.entries(use.variables)) vars.append(el('dt', undefined, name), el('dd', undefined, value));
  if (vars.childElementCount) box.append(vars);
  return box;
}
