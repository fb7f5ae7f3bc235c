// Reading the answer out of a Graph-of-Thoughts reply, as the GoT reference's parsers do
// (spcl/graph-of-thoughts, examples/*/): a list task's answer is the first bracketed list after the
// last "Output" line, a counting task's the last JSON object after "Output:", a document the text
// after the last "Output:" line. Error functions score only that answer, never other numbers in
// the reply; an operation with `answer` set keeps only it as the thought's text (the reference's
// "current" state), so later prompts quote the answer and not the whole reply.

export const ANSWER_KINDS = ['reply', 'list', 'json', 'output'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/** "[1, 2, 3]" → [1, 2, 3]; "[]" → []; anything else (a piece that is not a number) → undefined. */
function listOf(bracketed: string): number[] | undefined {
  const inner = bracketed.slice(1, -1);
  if (inner.trim() === '') return [];
  const pieces = inner.split(',').map((p) => p.trim());
  return pieces.every((p) => NUMBER.test(p)) ? pieces.map(Number) : undefined;
}

/** From the last line mentioning "Output" on, when there is one (the reference's rule). */
function fromLastOutput(lines: string[]): string[] {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].includes('Output')) return lines.slice(i);
  return lines;
}

/** The bracketed part of a line: from its first "[" to the first "]" after it. */
function bracketed(line: string): string | undefined {
  const start = line.indexOf('[');
  const end = line.indexOf(']', start);
  return start < 0 || end < 0 ? undefined : line.slice(start, end + 1);
}

/**
 * The answer list of a reply: among lines holding both "[" and "]", from the last one mentioning
 * "Output", the first; its numbers. A merge's reply with no bracketed line may give the list bare on
 * a line ("1, 2, 3"), as the reference's aggregation parser allows. Undefined when there is none or
 * it holds something that is not a number; [] for "[]".
 */
export function answerList(reply: string, fromMerge = false): number[] | undefined {
  const lines = reply.trim().split('\n');
  if (fromMerge) {
    const cut = fromLastOutput(lines);
    const withList = cut.filter((l) => l.includes('[') && l.includes(']'));
    if (withList.length > 0) return listOf(bracketed(withList[0]) ?? '');
    for (const line of cut) {
      const bare = listOf(`[${line}]`);
      if (bare && bare.length > 0) return bare;
    }
    return undefined;
  }
  const withList = fromLastOutput(lines.filter((l) => l.includes('[') && l.includes(']')));
  if (withList.length === 0) return undefined;
  const list = bracketed(withList[0]);
  return list === undefined ? undefined : listOf(list);
}

/** The JSON object of a reply: after the first "Output:", from the last "{" to the last "}"; "{}" when that is not JSON. */
export function answerJson(reply: string): string {
  let text = reply.trim();
  const output = text.indexOf('Output:');
  if (output >= 0) text = text.slice(output + 'Output:'.length).trim();
  const start = text.lastIndexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return '{}';
  const candidate = text.slice(start, end + 1);
  try {
    JSON.parse(candidate);
    return candidate;
  } catch {
    return '{}';
  }
}

/** The text after the last line starting with "Output:" (the rest of that line included), or the whole reply. */
export function answerOutput(reply: string): string {
  const lines = reply.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^\s*Output:\s*(.*)$/.exec(lines[i]);
    if (m) return [m[1], ...lines.slice(i + 1)].join('\n').trim();
  }
  return reply.trim();
}

/** What an operation with `answer` keeps of a reply as the thought's text. */
export function answerOf(reply: string, kind: AnswerKind, fromMerge = false): string {
  switch (kind) {
    case 'reply':
      return reply.trim();
    case 'list': {
      const list = answerList(reply, fromMerge);
      return list === undefined ? '[]' : `[${list.join(', ')}]`;
    }
    case 'json':
      return answerJson(reply);
    case 'output':
      return answerOutput(reply);
  }
}
