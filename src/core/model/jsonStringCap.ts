// Caps every string value in JSON text as it streams past, so a 300 MB completion is never held whole:
// the first `maxStringChars` characters of each string are kept, the rest is dropped and replaced by a
// mark saying how much was dropped, and what comes out is still valid JSON (or SSE lines of JSON) for
// the SDK to parse. Works chunk by chunk on decoded text; escape sequences are kept or dropped whole.
// A raw newline cannot be inside a JSON string, so it always ends string state: one malformed SSE
// event cannot make the rest of the stream look like the inside of a string.

/** The text put where a string was cut; `truncatedChars` reads it back. Plain characters only (JSON-safe). */
export function truncationMark(droppedChars: number): string {
  return ` [… truncated by Thoughtscope: ${droppedChars} more characters not kept]`;
}

const MARK_PATTERN = / \[… truncated by Thoughtscope: (\d+) more characters not kept\]$/;

/** How many characters were dropped from a text that ends in a truncation mark (0 if it does not). */
export function truncatedChars(text: string): number {
  const match = MARK_PATTERN.exec(text);
  return match ? Number(match[1]) : 0;
}

/** Thrown when the capped text still exceeds its overall limit (e.g. a million tiny strings). */
export class ResponseTooLargeError extends Error {
  constructor(readonly limitChars: number) {
    super(`the response is larger than ${limitChars} characters even with each text cut to size`);
    this.name = 'ResponseTooLargeError';
  }
}

export interface CapOptions {
  /** Characters kept of any one string value. */
  maxStringChars: number;
  /** Characters of capped output allowed in all (per line when `perLine`, for SSE streams). */
  maxOutputChars: number;
  /** Count `maxOutputChars` per line (an SSE stream is many small events, each one line). */
  perLine?: boolean;
}

const SPECIAL = /["\\\n]/g;

export class JsonStringCapper {
  private inString = false;
  /** 0: not in an escape; -1: just after a backslash; n > 0: hex digits of \uXXXX still to come. */
  private escape = 0;
  private escapeKept = true;
  private kept = 0;
  private dropped = 0;
  private output = 0;
  /** Strings cut so far, and the characters dropped from them. */
  truncatedStrings = 0;
  droppedChars = 0;

  constructor(private readonly options: CapOptions) {}

  push(chunk: string): string {
    const out: string[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.escape !== 0) i = this.continueEscape(chunk, i, out);
      else if (!this.inString) i = this.outside(chunk, i, out);
      else i = this.inside(chunk, i, out);
    }
    return out.join('');
  }

  private emit(out: string[], text: string): void {
    if (text === '') return;
    out.push(text);
    const newline = this.options.perLine ? text.lastIndexOf('\n') : -1;
    this.output = newline >= 0 ? text.length - newline - 1 : this.output + text.length;
    if (this.output > this.options.maxOutputChars) throw new ResponseTooLargeError(this.options.maxOutputChars);
  }

  private outside(chunk: string, i: number, out: string[]): number {
    const quote = chunk.indexOf('"', i);
    if (quote < 0) {
      this.emit(out, chunk.slice(i));
      return chunk.length;
    }
    this.emit(out, chunk.slice(i, quote + 1));
    this.inString = true;
    this.kept = 0;
    this.dropped = 0;
    return quote + 1;
  }

  private inside(chunk: string, i: number, out: string[]): number {
    SPECIAL.lastIndex = i;
    const found = SPECIAL.exec(chunk);
    const end = found ? found.index : chunk.length;
    this.keepUpTo(out, chunk.slice(i, end));
    if (!found) return chunk.length;
    const ch = chunk[end];
    if (ch === '\\') {
      this.escape = -1;
      this.escapeKept = this.kept < this.options.maxStringChars;
      if (this.escapeKept) {
        this.kept++;
        this.emit(out, '\\');
      } else this.dropped++;
      return end + 1;
    }
    // A closing quote, or a raw newline that ends a malformed string.
    if (this.dropped > 0) {
      this.emit(out, truncationMark(this.dropped));
      this.truncatedStrings++;
      this.droppedChars += this.dropped;
    }
    this.emit(out, ch);
    this.inString = false;
    return end + 1;
  }

  private keepUpTo(out: string[], text: string): void {
    const max = this.options.maxStringChars;
    let cut = Math.min(text.length, Math.max(0, max - this.kept));
    // Never keep half of a surrogate pair: a high surrogate kept last with no room left for its pair.
    if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1)) && this.kept + cut >= max) cut--;
    this.emit(out, text.slice(0, cut));
    this.kept += cut;
    if (cut < text.length) {
      this.dropped += text.length - cut;
      this.kept = max;
    }
  }

  private continueEscape(chunk: string, i: number, out: string[]): number {
    if (this.escape === -1) {
      const ch = chunk[i];
      this.escape = ch === 'u' ? 4 : 0;
      if (this.escapeKept) this.emit(out, ch);
      return i + 1;
    }
    const take = Math.min(this.escape, chunk.length - i);
    if (this.escapeKept) this.emit(out, chunk.slice(i, i + take));
    this.escape -= take;
    return i + take;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
