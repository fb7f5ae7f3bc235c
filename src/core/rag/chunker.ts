// Splits a file into overlapping windows of lines, so an answer near a window edge is still whole in
// one chunk. Line numbers are 1-based and inclusive, ready for "open the file at lines a-b".

export interface ChunkText {
  startLine: number;
  endLine: number;
  text: string;
}

export interface ChunkOptions {
  lines: number;
  overlap: number;
}

/** Lines longer than this are cut for indexing (minified code would otherwise swamp the index). */
const MAX_LINE_CHARS = 1000;

export function chunkLines(text: string, { lines, overlap }: ChunkOptions): ChunkText[] {
  const all = text.split(/\r?\n/);
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  const step = Math.max(1, lines - Math.min(overlap, lines - 1));
  const chunks: ChunkText[] = [];
  for (let start = 0; start < all.length; start += step) {
    const slice = all.slice(start, start + lines).map((l) => (l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) : l));
    if (slice.some((l) => l.trim() !== '')) chunks.push({ startLine: start + 1, endLine: start + slice.length, text: slice.join('\n') });
    if (start + lines >= all.length) break;
  }
  return chunks;
}
