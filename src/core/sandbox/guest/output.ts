// A program's output inside the sandbox process: kept up to the output limit, sent to the host in
// batches (one message per line would flood the pipe). The host counts the bytes again: this limit is
// only what a well-behaved process does.
export interface OutputWriter {
  /** Returns false once the limit is passed (the program should stop). */
  write(stream: 'stdout' | 'stderr', text: string): boolean;
  flush(): void;
  readonly full: boolean;
}

const BATCH_CHARS = 16 * 1024;

export function createOutput(limitBytes: number, send: (stream: 'stdout' | 'stderr', text: string) => void): OutputWriter {
  let used = 0;
  let full = false;
  let pending: { stream: 'stdout' | 'stderr'; text: string } | undefined;
  const flush = () => {
    if (pending?.text) send(pending.stream, pending.text);
    pending = undefined;
  };
  return {
    get full() {
      return full;
    },
    write(stream, text) {
      if (full) return false;
      const bytes = new TextEncoder().encode(text);
      const room = limitBytes - used;
      const kept = bytes.length <= room ? text : new TextDecoder().decode(bytes.subarray(0, Math.max(0, room)));
      used += bytes.length;
      if (pending && pending.stream !== stream) flush();
      pending = { stream, text: (pending?.text ?? '') + kept };
      if (pending.text.length >= BATCH_CHARS) flush();
      if (used > limitBytes) {
        full = true;
        flush();
        return false;
      }
      return true;
    },
    flush,
  };
}
