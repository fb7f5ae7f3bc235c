// The messages between the sandbox host (Node: the extension host or the CLI) and one sandbox
// process (Deno running dist/sandbox/runner.mjs). Both directions use the same framing: a JSON header
// on one line, then, when the header says `bytes: n`, n raw bytes. The host treats everything the
// process sends as untrusted: a program may take over the process's JavaScript and write anything.
import type { LimitKind, ProgramLanguage, SandboxLimits } from './types';

/** Host → process. */
export type HostFrame =
  /** Make a Pyodide memory snapshot and send it back (no program runs in this process). */
  | { type: 'snapshot'; pyodideDir: string }
  /** Start the interpreter; for Python, the snapshot to restore follows as `bytes`. Folders end with a separator. */
  | { type: 'start'; language: ProgramLanguage; heapMaxBytes: number; pyodideDir: string; quickjsWasm: string; bytes?: number }
  | { type: 'run'; code: string; limits: SandboxLimits };

/** Process → host. */
export type GuestFrame =
  | { type: 'snapshot'; bytes: number }
  | { type: 'ready' }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'result'; ok: boolean; result?: string; error?: string; limit?: LimitKind; memoryBytes?: number }
  | { type: 'failed'; message: string };

export interface Frame<T> {
  header: T;
  payload?: Uint8Array;
}

const NEWLINE = 10;

/** Splits a byte stream into frames; refuses headers and payloads over the given sizes. */
export class FrameReader<T> {
  private buffered: Uint8Array = new Uint8Array(0);
  /** A header whose payload is still arriving, and the payload's chunks so far (joined once, at the end). */
  private waiting: { header: T; bytes: number; chunks: Uint8Array[]; have: number } | undefined;

  constructor(private readonly maxHeaderBytes: number, private readonly maxPayloadBytes: number) {}

  /** Adds bytes; returns the frames they complete. Throws on a malformed or oversized frame. */
  push(chunk: Uint8Array): Frame<T>[] {
    const frames: Frame<T>[] = [];
    if (this.waiting) {
      this.waiting.chunks.push(chunk);
      this.waiting.have += chunk.length;
      if (this.waiting.have < this.waiting.bytes) return frames;
      const all = joinChunks(this.waiting.chunks, this.waiting.have);
      frames.push({ header: this.waiting.header, payload: all.slice(0, this.waiting.bytes) });
      this.buffered = all.subarray(this.waiting.bytes);
      this.waiting = undefined;
    } else {
      this.buffered = joinChunks([this.buffered, chunk], this.buffered.length + chunk.length);
    }
    for (;;) {
      const end = this.buffered.indexOf(NEWLINE);
      if (end < 0) {
        if (this.buffered.length > this.maxHeaderBytes) throw new Error('a message header is too long');
        break;
      }
      if (end > this.maxHeaderBytes) throw new Error('a message header is too long');
      const header = JSON.parse(new TextDecoder().decode(this.buffered.subarray(0, end))) as T & { bytes?: unknown };
      this.buffered = this.buffered.subarray(end + 1);
      if (typeof header !== 'object' || header === null) throw new Error('a message header is not an object');
      const bytes = header.bytes;
      if (bytes === undefined) {
        frames.push({ header });
        continue;
      }
      if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0 || bytes > this.maxPayloadBytes) throw new Error('a message payload has a bad size');
      if (this.buffered.length >= bytes) {
        frames.push({ header, payload: this.buffered.slice(0, bytes) });
        this.buffered = this.buffered.subarray(bytes);
        continue;
      }
      this.waiting = { header, bytes, chunks: [this.buffered], have: this.buffered.length };
      this.buffered = new Uint8Array(0);
      break;
    }
    return frames;
  }
}

export function encodeFrame(header: object, payload?: Uint8Array): Uint8Array[] {
  const line = new TextEncoder().encode(`${JSON.stringify(payload ? { ...header, bytes: payload.length } : header)}\n`);
  return payload ? [line, payload] : [line];
}

function joinChunks(chunks: Uint8Array[], length: number): Uint8Array {
  const nonEmpty = chunks.filter((c) => c.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of nonEmpty) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
