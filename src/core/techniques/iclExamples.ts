// Few-shot examples for In-Context Learning, from JSON Lines, a JSON array, or Markdown with labelled
// input/output pairs. Parsing never throws anything but ExamplesError, whose message names the line.
//
//   {"input": "2 + 2", "output": "4"}          one object per line (also question/answer, prompt/completion)
//
//   Input: 2 + 2                                Markdown: "Input:"/"Output:", "Question:"/"Answer:" or
//   Output: 4                                   "Q:"/"A:" labels (bold or as headings too); text may span
//                                               lines until the next label; text before the first is ignored.
export interface Example {
  input: string;
  output: string;
}

export class ExamplesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExamplesError';
  }
}

export type ExamplesFormat = 'json' | 'markdown';

const KEY_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['input', 'output'],
  ['question', 'answer'],
  ['prompt', 'completion'],
  ['q', 'a'],
];

/** The format a file name implies, if any. */
export function formatOfPath(path: string): ExamplesFormat | undefined {
  if (/\.(jsonl|ndjson|json)$/i.test(path)) return 'json';
  if (/\.(md|markdown|txt)$/i.test(path)) return 'markdown';
  return undefined;
}

export function parseExamples(text: string, format?: ExamplesFormat): Example[] {
  const start = text.trimStart()[0];
  const json = format ? format === 'json' : start === '{' || start === '[';
  const examples = json ? parseJson(text) : parseMarkdown(text);
  if (examples.length === 0) {
    throw new ExamplesError(
      json
        ? 'no examples found: expected one {"input": ..., "output": ...} object per line'
        : 'no examples found: expected "Input:" / "Output:" pairs (or JSON Lines with "input" and "output")',
    );
  }
  return examples;
}

function fromObject(value: unknown, where: string): Example {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).map((k) => k.toLowerCase());
    const lookup = (name: string) => record[Object.keys(record)[keys.indexOf(name)]];
    for (const [inKey, outKey] of KEY_PAIRS) {
      if (!keys.includes(inKey) || !keys.includes(outKey)) continue;
      const input = lookup(inKey);
      const output = lookup(outKey);
      const ok = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
      if (!ok(input) || !ok(output)) throw new ExamplesError(`${where}: "${inKey}" and "${outKey}" must be text`);
      return { input: String(input).trim(), output: String(output).trim() };
    }
  }
  throw new ExamplesError(`${where}: expected an object with "input" and "output" (or "question" and "answer")`);
}

function parseJson(text: string): Example[] {
  if (text.trimStart().startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (err) {
      throw new ExamplesError(`not valid JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!Array.isArray(list)) throw new ExamplesError('expected a JSON array of examples');
    return list.map((item, i) => fromObject(item, `example ${i + 1}`));
  }
  const examples: Example[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new ExamplesError(`line ${i + 1}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
    }
    examples.push(fromObject(value, `line ${i + 1}`));
  });
  return examples;
}

const LABELS = ['input', 'output', 'question', 'answer', 'q', 'a'] as const;
const LABEL_PAIRS: Record<string, string> = { input: 'output', question: 'answer', q: 'a' };
const EMPHASIS = String.raw`(?:\*\*|__)?`;
const INLINE_LABEL = new RegExp(String.raw`^\s*${EMPHASIS}(${LABELS.join('|')})\s*${EMPHASIS}\s*[:：]\s*${EMPHASIS}\s*(.*)$`, 'i');
const HEADING_LABEL = new RegExp(String.raw`^\s*#{1,6}\s*(${LABELS.join('|')})\s*[:：]?\s*$`, 'i');
const RULE = /^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/;

function cap(label: string | undefined): string {
  return label ? label[0].toUpperCase() + label.slice(1) : '';
}

function labelOf(line: string): { label: string; rest: string } | undefined {
  const m = INLINE_LABEL.exec(line) ?? HEADING_LABEL.exec(line);
  return m ? { label: m[1].toLowerCase(), rest: m[2] ?? '' } : undefined;
}

function parseMarkdown(text: string): Example[] {
  const examples: Example[] = [];
  let inLabel: string | undefined;
  let outLabel: string | undefined;
  let section: 'input' | 'output' | undefined;
  let input: string[] = [];
  let output: string[] = [];
  let inputLine = 0;
  const clean = (lines: string[]) => {
    const kept = [...lines];
    while (kept.length && (kept[kept.length - 1].trim() === '' || RULE.test(kept[kept.length - 1]))) kept.pop();
    return kept.join('\n').trim();
  };
  const flush = () => {
    if (section === undefined) return;
    const ex = { input: clean(input), output: clean(output) };
    if (section === 'input' || ex.output === '') throw new ExamplesError(`line ${inputLine}: this example has no "${cap(outLabel)}:" text`);
    if (ex.input === '') throw new ExamplesError(`line ${inputLine}: this example has no "${cap(inLabel)}:" text`);
    examples.push(ex);
  };
  text.split(/\r?\n/).forEach((line, i) => {
    const found = labelOf(line);
    // The first label decides the pair in use; other labels are ordinary text (an "Answer:" line inside an Output).
    if (found && inLabel === undefined && LABEL_PAIRS[found.label]) {
      inLabel = found.label;
      outLabel = LABEL_PAIRS[found.label];
    }
    if (found && found.label === inLabel) {
      flush();
      section = 'input';
      input = [found.rest];
      output = [];
      inputLine = i + 1;
    } else if (found && found.label === outLabel && section !== undefined) {
      if (section === 'output') throw new ExamplesError(`line ${i + 1}: a second "${cap(outLabel)}:" for one "${cap(inLabel)}:"`);
      section = 'output';
      output = [found.rest];
    } else if (found && found.label === outLabel) {
      throw new ExamplesError(`line ${i + 1}: "${cap(outLabel)}:" without an "${cap(inLabel)}:" before it`);
    } else if (section === 'input') input.push(line);
    else if (section === 'output') output.push(line);
  });
  flush();
  return examples;
}

/** One example as the prompt shows it. */
export function formatExample(example: Example): string {
  return `Input: ${example.input}\nOutput: ${example.output}`;
}
