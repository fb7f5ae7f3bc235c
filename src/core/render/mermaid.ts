// Turns a thought graph into Mermaid flowchart source. The CLI's `--mermaid` writes this text and the
// panel draws the very same text, so the function is pure and deterministic: no DOM, no Node APIs.
//
// Every label is untrusted model text. Labels are written inside double quotes and every character
// outside a tiny safe set is written as a Mermaid entity code (`#60;` for `<`). Mermaid turns those
// codes into HTML character references only when it builds the label, so quotes, brackets, `%%`
// directives, `click` lines, markup and markdown in the text stay plain characters of the label.
import type { EdgeKind, GraphSnapshot, NodeKind, NodeStatus, ThoughtEdge, ThoughtNode } from '../graph/types';
import { formatUsd } from '../formatUsd';
import { neutralizeBidi } from './bidi';
import type { DisplayGraph, PrunedGroup } from './collapse';

export interface MermaidOptions {
  /** How many characters of the node's text to show (default 60). */
  excerptChars?: number;
  /** TD: the graph grows downwards (the default); LR: to the right, siblings stacked. */
  direction?: GraphDirection;
}

export type GraphDirection = 'TD' | 'LR';

/** The style classes a node can carry, in the order their classDef lines are written. */
export const NODE_CLASSES = ['question', 'answer', 'selected', 'pruned', 'running', 'pending', 'failed', 'cancelled', 'more'] as const;
export type NodeClass = (typeof NODE_CLASSES)[number];

const CLASS_DEFS: Record<NodeClass, string> = {
  question: 'fill:#1d3f66,stroke:#5a9bd8,stroke-width:2px,color:#ffffff',
  answer: 'fill:#6a4f00,stroke:#e3b341,stroke-width:3px,color:#ffffff',
  selected: 'fill:#1b4d2b,stroke:#3fb950,stroke-width:2px,color:#ffffff',
  pruned: 'fill:#3b3b3b,stroke:#8b8b8b,stroke-width:1px,stroke-dasharray:4 3,color:#c8c8c8',
  running: 'fill:#0f3550,stroke:#58a6ff,stroke-width:2px,stroke-dasharray:3 3,color:#ffffff',
  pending: 'fill:#2d2d2d,stroke:#6e7681,stroke-width:1px,stroke-dasharray:2 4,color:#b8b8b8',
  failed: 'fill:#5c1a1a,stroke:#f85149,stroke-width:2px,color:#ffffff',
  cancelled: 'fill:#4a3a1e,stroke:#d29922,stroke-width:2px,stroke-dasharray:6 3,color:#ffffff',
  more: 'fill:#252526,stroke:#8b8b8b,stroke-width:1px,stroke-dasharray:2 2,color:#d4d4d4',
};

/** Arrow per edge kind: expansion solid, evaluation dotted, aggregation/selection/answer thick. */
const ARROWS: Record<EdgeKind, string> = {
  expand: '-->',
  evaluate: '-.->',
  aggregate: '==>',
  refine: '-->',
  select: '==>',
  answer: '==>',
  backtrack: '-.->',
};

/** Edge kinds whose name is written on the edge when the edge has no label of its own. */
const NAMED_EDGES: ReadonlySet<EdgeKind> = new Set<EdgeKind>(['aggregate', 'refine', 'select', 'backtrack']);

const STATUS_WORDS: Partial<Record<NodeStatus, string>> = {
  pending: 'pending',
  running: 'running',
  pruned: 'pruned',
  failed: 'failed',
  cancelled: 'cancelled',
};

const RESERVED_IDS = new Set(['end', 'graph', 'flowchart', 'subgraph', 'style', 'class', 'classdef', 'click', 'linkstyle', 'default', 'direction']);

/** Characters written as themselves inside a label; everything else becomes `#NNN;`. */
const SAFE_CHAR = /^[A-Za-z0-9 .,()/+=-]$/;

/**
 * Mermaid sanitizes each label with DOMPurify, which turns `#NNN;` codes back into plain characters
 * before it looks for its own label syntax: `$$…$$` (KaTeX), `fa:fa-name` (icons), a backslash and
 * `n` (line break), and its entity placeholders `ﬂ°…¶ß`. An empty element between the two characters
 * that would start such a pattern keeps them apart without changing the label's text.
 */
const BREAK = '<span></span>';

function breaksPattern(chars: readonly string[], i: number): boolean {
  const a = chars[i];
  const b = chars[i + 1];
  if (b === undefined) return false;
  return (
    (a === '$' && b === '$') ||
    (a === '\\' && b === 'n') ||
    (a === ':' && b === 'f' && chars[i + 2] === 'a' && chars[i + 3] === '-') ||
    (a === '\ufb02' && b === '\u00b0') ||
    (a === '\u00b6' && b === '\u00df')
  );
}

/**
 * Encode plain text for use inside a double-quoted Mermaid label. Line breaks become `<br/>`,
 * every character outside the safe set becomes `#NNN;`, and Mermaid's own label syntax is defused.
 */
export function escapeLabel(text: string): string {
  const chars = Array.from(neutralizeBidi(text));
  let out = '';
  chars.forEach((ch, i) => {
    if (ch === '\n') out += '<br/>';
    else if (SAFE_CHAR.test(ch)) out += ch;
    else out += `#${ch.codePointAt(0)};`;
    if (breaksPattern(chars, i)) out += BREAK;
  });
  return out;
}

/** Decode what `escapeLabel` wrote (for tests and tools): `#NNN;` back to characters, `<br/>` to newlines. */
export function unescapeLabel(label: string): string {
  return label
    .split(BREAK)
    .join('')
    .replace(/<br\/>/g, '\n')
    .replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

/** Collapse whitespace and control characters, drop bidi controls and lone surrogates. */
function normalizeText(text: string): string {
  let clean = '';
  for (const ch of neutralizeBidi(text)) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) clean += '\ufffd';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) clean += ' ';
    else clean += ch;
  }
  return clean.replace(/\s+/g, ' ').trim();
}

/** The first `maxChars` characters of the text, on one line or split in two near the middle. */
export function excerpt(text: string, maxChars = 60): string[] {
  let chars = Array.from(normalizeText(text));
  if (chars.length === 0) return [];
  if (chars.length > maxChars) chars = [...chars.slice(0, Math.max(1, maxChars - 1)).join('').trimEnd()].concat('…');
  const oneLine = Math.ceil(maxChars / 2) + 4;
  if (chars.length <= oneLine) return [chars.join('')];
  const half = Math.ceil(chars.length / 2);
  let cut = -1;
  for (let i = Math.min(chars.length - 2, half + 8); i >= Math.max(1, half - 12); i--) {
    if (chars[i] === ' ') {
      cut = i;
      break;
    }
  }
  if (cut < 0) return [chars.slice(0, half).join(''), chars.slice(half).join('')];
  return [chars.slice(0, cut).join(''), chars.slice(cut + 1).join('')];
}

function formatScore(score: number): string {
  if (!Number.isFinite(score)) return String(score);
  return String(Number(score.toFixed(2)));
}

/** "120 in / 45 out", with "~" before counts that were estimated rather than reported by the API. */
export function formatTokens(node: Pick<ThoughtNode, 'usage'>): string {
  const mark = node.usage.estimated ? '~' : '';
  return `${mark}${node.usage.promptTokens} in / ${mark}${node.usage.completionTokens} out`;
}

/**
 * The plain-text label of a node, lines separated by "\n": an excerpt of its text, then a line with
 * the score, tokens, cost and any notable status. Not escaped; `renderMermaid` escapes it.
 */
export function labelFor(node: ThoughtNode, options: MermaidOptions = {}): string {
  const lines = excerpt(node.text, options.excerptChars ?? 60);
  // A call streaming for the node: the end of what it has written so far.
  const live = node.status === 'running' && node.live ? excerpt(`…${Array.from(node.live).slice(-(options.excerptChars ?? 60)).join('')}`, options.excerptChars ?? 60) : [];
  if (lines.length === 0 && live.length === 0) lines.push(node.status === 'running' || node.status === 'pending' ? '…' : '(empty)');
  lines.push(...live);
  const facts: string[] = [];
  if (node.score !== undefined && node.score !== null) facts.push(`score ${formatScore(node.score)}`);
  if (node.calls.length > 0 || node.usage.promptTokens > 0 || node.usage.completionTokens > 0) {
    facts.push(formatTokens(node));
    facts.push(formatUsd(node.costUsd));
  }
  const replayed = replayedNote(node);
  if (replayed) facts.push(replayed);
  const status = STATUS_WORDS[node.status];
  if (status) facts.push(status);
  if (facts.length > 0) lines.push(facts.join(' · '));
  return lines.join('\n');
}

/** "cached (was $0.0012)" when calls of the node were answered from the cache across runs ("2 of 3 cached ..." for some). */
function replayedNote(node: ThoughtNode): string | undefined {
  const replayed = node.calls.filter((c) => c.replayed);
  if (replayed.length === 0) return undefined;
  let was: number | null = 0;
  for (const c of replayed) was = was === null || c.replayed!.costUsd === null ? null : was + c.replayed!.costUsd;
  const share = replayed.length === node.calls.length ? 'cached' : `${replayed.length} of ${node.calls.length} cached`;
  return `${share} (was ${formatUsd(was)})`;
}

/**
 * The label of a summary node: "+12 pruned · 1234 in / 300 out · $0.0012" (tokens and cost summed), or,
 * off a focused path, only "+12 more" (Focus keeps its drawing narrow; the header has the totals).
 */
export function prunedLabel(group: PrunedGroup): string {
  if (group.reason === 'focus') return `+${group.pruned} more`;
  return [`+${group.pruned} pruned`, formatTokens(group), formatUsd(group.costUsd)].join(' · ');
}

/** The style class of a node: unfinished/failed states first, then answer/question kinds, then selection. */
export function classFor(node: Pick<ThoughtNode, 'kind' | 'status'>): NodeClass | undefined {
  switch (node.status) {
    case 'failed':
    case 'cancelled':
    case 'running':
    case 'pending':
    case 'pruned':
      return node.status;
  }
  if (node.kind === 'answer') return 'answer';
  if (node.kind === 'question') return 'question';
  if (node.status === 'selected') return 'selected';
  return undefined;
}

function shapeFor(kind: NodeKind, label: string): string {
  switch (kind) {
    case 'question':
      return `(["${label}"])`;
    case 'answer':
      return `[["${label}"]]`;
    case 'evaluation':
    case 'vote':
    case 'critique':
      return `{{"${label}"}}`;
    default:
      return `("${label}")`;
  }
}

/**
 * Mermaid ids for the graph's nodes, keyed by node id. Engine ids (n0, n1, …) are used as they are;
 * anything else gets a generated id, so an odd id can never break out of the diagram syntax.
 */
export function mermaidIds(graph: GraphSnapshot): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  graph.nodes.forEach((node) => {
    const own = node.id;
    const ok = /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(own) && !RESERVED_IDS.has(own.toLowerCase()) && !own.startsWith('ts_');
    let id = ok && !used.has(own) ? own : `ts_${ids.size}`;
    while (used.has(id)) id = `${id}_`;
    ids.set(own, id);
    used.add(id);
  });
  return ids;
}

function edgeLine(edge: ThoughtEdge, ids: Map<string, string>): string | undefined {
  const from = ids.get(edge.from);
  const to = ids.get(edge.to);
  if (!from || !to) return undefined;
  const arrow = ARROWS[edge.kind] ?? '-->';
  const text = edge.label ?? (NAMED_EDGES.has(edge.kind) ? edge.kind : undefined);
  const label = text ? normalizeText(text) : '';
  return label ? `  ${from} ${arrow}|"${escapeLabel(label)}"| ${to}` : `  ${from} ${arrow} ${to}`;
}

/**
 * Mermaid flowchart source for the graph. Same graph in, same text out. A snapshot is drawn in full;
 * pass `collapsePruned(snapshot)` to draw what the panel draws (summary nodes labelled by prunedLabel).
 */
export function renderMermaid(graph: DisplayGraph, options: MermaidOptions = {}): string {
  const ids = mermaidIds(graph);
  const summaries = new Map((graph.pruned ?? []).map((group) => [group.id, group]));
  const lines = [`flowchart ${options.direction === 'LR' ? 'LR' : 'TD'}`];
  for (const name of NODE_CLASSES) lines.push(`  classDef ${name} ${CLASS_DEFS[name]}`);
  const byClass = new Map<NodeClass, string[]>();
  for (const node of graph.nodes) {
    const id = ids.get(node.id) as string;
    const summary = summaries.get(node.id);
    const label = summary ? prunedLabel(summary) : labelFor(node, options);
    lines.push(`  ${id}${shapeFor(node.kind, escapeLabel(label))}`);
    const cls = summary?.reason === 'focus' ? 'more' : classFor(node);
    if (cls) byClass.set(cls, [...(byClass.get(cls) ?? []), id]);
  }
  lines.push(...laneLines(graph, ids));
  for (const edge of graph.edges) {
    const line = edgeLine(edge, ids);
    if (line) lines.push(line);
  }
  for (const name of NODE_CLASSES) {
    const members = byClass.get(name);
    if (members) lines.push(`  class ${members.join(',')} ${name}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Lanes: nodes whose meta names a `lane` (an EoT participant, a FrugalGPT stage) are grouped in one
 * subgraph per lane, titled with the escaped lane name, in order of first appearance.
 */
function laneLines(graph: GraphSnapshot, ids: Map<string, string>): string[] {
  const lanes = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const lane = node.meta?.lane;
    if (typeof lane !== 'string' || lane === '') continue;
    lanes.set(lane, [...(lanes.get(lane) ?? []), ids.get(node.id) as string]);
  }
  const lines: string[] = [];
  [...lanes.entries()].forEach(([lane, members], i) => {
    lines.push(`  subgraph ts_lane${i}["${escapeLabel(normalizeText(lane))}"]`, '    direction TB', ...members.map((m) => `    ${m}`), '  end');
  });
  return lines;
}
