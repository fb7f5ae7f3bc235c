// "Run in sandbox" without vscode: the fenced Python/JavaScript blocks of a Markdown text, a fence
// long enough for any content, and a program's output as inserted text and as a one-line summary
// shown after the block. Unit-tested under Node (test/unit/codeBlocks.test.ts).
import type { ExecutionResult, ProgramLanguage } from './types';

/** A fenced code block: ``` or ~~~ (three or more), closed by the same character at least as long. */
export interface FencedBlock {
  /** First word of the info string, lower case ('' when there is none). */
  tag: string;
  /** The content, with the opening fence's indentation taken off each line. */
  code: string;
  /** 0-based lines of the opening and the closing fence. */
  openLine: number;
  closeLine: number;
}

export interface RunnableBlock extends FencedBlock {
  language: ProgramLanguage;
}

/**
 * Info-string tags that run, and in which interpreter. TypeScript is not among them: QuickJS runs
 * JavaScript only, and the sandbox has no compiler to strip the types.
 */
const TAGS: Record<string, ProgramLanguage> = {
  python: 'python',
  py: 'python',
  python3: 'python',
  py3: 'python',
  javascript: 'javascript',
  js: 'javascript',
  mjs: 'javascript',
};

export function languageOfTag(tag: string): ProgramLanguage | undefined {
  return Object.prototype.hasOwnProperty.call(TAGS, tag.toLowerCase()) ? TAGS[tag.toLowerCase()] : undefined;
}

/** The language of an editor (VS Code language id) whose selected code can run, if it can. */
export function languageOfEditor(languageId: string): ProgramLanguage | undefined {
  return languageId === 'python' || languageId === 'javascript' ? languageId : undefined;
}

const OPENING = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

/**
 * The fenced code blocks of a Markdown text, in order. Fences may be indented (list items); a
 * block inside a longer fence is content, not a block of its own; a fence never closed is ignored
 * (with everything after it, which CommonMark counts as its content). Block quotes are not read.
 */
export function findFencedBlocks(text: string): FencedBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    // A backtick fence's info string may not contain backticks (then it is inline code).
    if (fence[0] === '`' && info.includes('`')) continue;
    const close = findClosing(lines, i + 1, fence);
    if (close < 0) break;
    const body = lines.slice(i + 1, close).map((line) => dedent(line, indent));
    blocks.push({ tag: (/^[^\s{]+/.exec(info.trim())?.[0] ?? '').toLowerCase(), code: body.join('\n'), openLine: i, closeLine: close });
    i = close;
  }
  return blocks;
}

function findClosing(lines: string[], from: number, fence: string): number {
  for (let j = from; j < lines.length; j++) {
    const trimmed = lines[j].trim();
    if (trimmed.length >= fence.length && trimmed === fence[0].repeat(trimmed.length)) return j;
  }
  return -1;
}

function dedent(line: string, indent: string): string {
  if (line.startsWith(indent)) return line.slice(indent.length);
  const leading = /^[ \t]*/.exec(line)![0];
  return line.slice(Math.min(leading.length, indent.length));
}

/** The blocks "Run in sandbox" offers: tagged with a language the sandbox runs, and not empty. */
export function findRunnableBlocks(text: string): RunnableBlock[] {
  return findFencedBlocks(text).flatMap((block) => {
    const language = languageOfTag(block.tag);
    return language && block.code.trim() ? [{ ...block, language }] : [];
  });
}

/** A backtick fence longer than any run of backticks in `content`, so the content cannot close it. */
export function fenceFor(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** `content` as a fenced block tagged `tag`, without trailing blank lines and without a final newline. */
export function fencedBlock(tag: string, content: string): string {
  const body = content.replace(/\n+$/, '');
  const fence = fenceFor(body);
  return `${fence}${tag}\n${body}\n${fence}`;
}

/** What a run printed, as the text that "Insert output" puts below the block. */
export function outputText(result: ExecutionResult): string {
  const parts: string[] = [];
  const stdout = result.stdout.replace(/\s+$/, '');
  if (stdout) parts.push(stdout);
  const stderr = result.stderr.replace(/\s+$/, '');
  if (stderr) parts.push(stderr);
  const lastPrinted = stdout.split('\n').pop()?.trim();
  if (result.ok && result.result !== undefined && result.result.trim() !== '' && result.result.trim() !== lastPrinted) {
    parts.push(`result: ${result.result}`);
  }
  if (!result.ok) parts.push(result.error ?? 'The program failed.');
  return parts.length > 0 ? parts.join('\n') : '(no output)';
}

// Terminal escape sequences (CSI and others), control characters and bidirectional overrides: none
// of them belong in one line of text shown in the editor.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Untrusted program output as plain, printable text: no escapes, controls or direction overrides. */
export function plainText(text: string): string {
  return text.replace(ANSI, '').replace(/\t/g, '  ').replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(BIDI, '');
}

const SUMMARY_LINES = 3;

/**
 * One line for the end of the block: the first lines of the output (or the error), joined with
 * " ↵ ", cut to `maxChars` characters, with how many lines were left out.
 */
export function inlineSummary(result: ExecutionResult, maxChars = 120): string {
  const lines = plainText(result.ok ? outputText(result) : (result.error ?? 'The program failed.'))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const shown = lines.slice(0, SUMMARY_LINES).join(' ↵ ');
  const more = lines.length > SUMMARY_LINES ? ` … (+${lines.length - SUMMARY_LINES} lines)` : '';
  const prefix = result.ok ? '→ ' : '✗ ';
  const room = Math.max(1, maxChars - prefix.length - more.length);
  const chars = Array.from(shown || '(no output)');
  const cut = chars.length > room ? `${chars.slice(0, room - 1).join('')}…` : chars.join('');
  return `${prefix}${cut}${more}`;
}

/** Lines `start`..`end` (0-based, inclusive) of a document: a block that ran, or a selection. */
export interface LineSpan {
  start: number;
  end: number;
}

/** One text change: the replaced range (0-based lines, the end's character) and the new text. */
export interface LineEdit {
  startLine: number;
  endLine: number;
  endCharacter: number;
  text: string;
}

/**
 * Where a span is after an edit: moved up or down by an edit wholly above it, the same after an
 * edit below it, undefined when the edit touched its lines (the output shown for it is then stale).
 */
export function spanAfterEdit(span: LineSpan, edit: LineEdit): LineSpan | undefined {
  const endsAtLineStart = edit.endLine === span.start && edit.endCharacter === 0 && (edit.text === '' || edit.text.endsWith('\n'));
  if (edit.endLine < span.start || endsAtLineStart) {
    const delta = (edit.text.match(/\n/g)?.length ?? 0) - (edit.endLine - edit.startLine);
    return { start: span.start + delta, end: span.end + delta };
  }
  if (edit.startLine > span.end) return span;
  return undefined;
}
