// The traces of an evaluation's items: a JSONL file (`<name>.traces.jsonl` beside the checkpoint), one
// line `{"index":N,"trace":{...}}` per finished item, the same trace as a single run's --out (src/core/trace.ts,
// which holds no API key). Appended as each item finishes, before its checkpoint line, so a cancel or a
// crash loses nothing; a resume keeps the lines of the checkpoint's items and appends the rest.
// Reading is lazy: an index of line offsets (only the first bytes of each line are looked at), then one
// line parsed for the item asked. A torn last line (a kill mid-write) is skipped.
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import type { Trace } from '../trace';
import { DatasetError } from './dataset';

export class TraceLogError extends DatasetError {
  constructor(message: string) {
    super(message);
    this.name = 'TraceLogError';
  }
}

export interface TraceLog {
  append(index: number, trace: Trace): void;
}

/** `{"index":N,` opens every line (JSON.stringify keeps the key order). */
const LINE_HEAD = /^\{"index":(\d+),/;

const traceLine = (index: number, trace: Trace) => `${JSON.stringify({ index, trace })}\n`;

function openToRead(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TraceLogError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message}`);
  }
}

/**
 * Checks, before anything is written, that `path` may be started: without `resume` an existing
 * non-empty traces file is an error, so earlier traces are never overwritten.
 */
export function refuseExistingTraces(path: string, resume: boolean): void {
  if (!resume && existsSync(path) && statSync(path).size > 0) {
    throw new TraceLogError(`the traces file ${path} already exists: pass --resume to continue it, or delete it to start over`);
  }
}

/**
 * Opens `path` for appending. With `keep` (a resume: the indices the checkpoint has finished), lines of
 * other items (run again now) and a torn last line are dropped, so each item ends with exactly one line.
 * Without it the file starts empty.
 */
export function openTraceLog(path: string, keep?: ReadonlySet<number>): TraceLog {
  if (!keep || !existsSync(path)) {
    writeFileSync(path, '');
  } else {
    const text = readFileSync(path, 'utf8');
    // What follows the last newline is empty, or a torn line.
    const complete = text.split('\n').slice(0, -1);
    const torn = !text.endsWith('\n') && text !== '';
    const kept = new Map<number, string>();
    for (const [i, line] of complete.entries()) {
      if (line.trim() === '') continue;
      const head = LINE_HEAD.exec(line);
      if (!head) throw new TraceLogError(`${path} line ${i + 1} is not an item's trace`);
      const index = Number(head[1]);
      if (keep.has(index)) kept.set(index, line);
    }
    if (torn || kept.size !== complete.length) {
      writeFileSync(path, [...kept.values()].map((l) => `${l}\n`).join(''));
    }
  }
  return { append: (index, trace) => appendFileSync(path, traceLine(index, trace)) };
}

/** Where each item's line is: byte offset and length (without the newline), and its line number. */
export interface TraceLine {
  offset: number;
  length: number;
  line: number;
}

const HEAD_BYTES = 32;
const CHUNK = 1 << 20;

/**
 * Indexes the complete lines of a traces file by item index, reading it in chunks and looking only at
 * each line's first bytes. A last line without its newline (torn, or being written) is left out; a later
 * line of the same item wins. Throws a TraceLogError naming the file when it cannot be read.
 */
export function indexTraceLines(path: string): Map<number, TraceLine> {
  const found = new Map<number, TraceLine>();
  const fd = openToRead(path);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = 0;
    let lineStart = 0;
    let lineNo = 1;
    let head: Buffer[] = [];
    let headLength = 0;
    for (let n = readSync(fd, buf, 0, CHUNK, pos); n > 0; pos += n, n = readSync(fd, buf, 0, CHUNK, pos)) {
      const chunk = buf.subarray(0, n);
      let i = 0;
      while (i < n) {
        const nl = chunk.indexOf(10, i);
        const end = nl === -1 ? n : nl;
        if (headLength < HEAD_BYTES) {
          const part = Buffer.from(chunk.subarray(i, Math.min(end, i + HEAD_BYTES - headLength)));
          head.push(part);
          headLength += part.length;
        }
        if (nl === -1) break;
        const match = LINE_HEAD.exec(Buffer.concat(head).toString('utf8'));
        if (match) found.set(Number(match[1]), { offset: lineStart, length: pos + nl - lineStart, line: lineNo });
        lineStart = pos + nl + 1;
        lineNo++;
        head = [];
        headLength = 0;
        i = nl + 1;
      }
    }
  } finally {
    closeSync(fd);
  }
  return found;
}

/** The shape of a run trace, checked loosely: what readers of traces rely on. */
export function isTrace(value: unknown): value is Trace {
  const t = value as Trace;
  return !!t && typeof t === 'object' && typeof t.technique === 'string' && typeof t.input === 'string' && Array.isArray(t.nodes) && Array.isArray(t.edges) && !!t.totals;
}

/** Reads and checks the one line `at` of `path`; problems are a one-line TraceLogError naming the file and line. */
export function readTraceLine(path: string, at: TraceLine): Trace {
  const bytes = Buffer.alloc(at.length);
  const fd = openToRead(path);
  try {
    readSync(fd, bytes, 0, at.length, at.offset);
  } finally {
    closeSync(fd);
  }
  let parsed: { trace?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as { trace?: unknown };
  } catch {
    throw new TraceLogError(`${path} line ${at.line} is not valid JSON`);
  }
  if (!isTrace(parsed?.trace)) throw new TraceLogError(`${path} line ${at.line} does not hold a run trace`);
  return parsed.trace;
}
