// 5x5 mini crosswords (the ToT paper's third task): a board is 25 letters, row by row; h1..h5 are the
// rows, v1..v5 the columns. Boards are read from model output, scored by letters, words and the whole game.

export const SIZE = 5;

/** "h3" → the 5 board indices of that word. */
export function wordCells(slot: string): number[] {
  const m = /^([hv])([1-5])$/i.exec(slot);
  if (!m) return [];
  const k = Number(m[2]) - 1;
  return Array.from({ length: SIZE }, (_, i) => (m[1].toLowerCase() === 'h' ? k * SIZE + i : i * SIZE + k));
}

const SLOTS = ['h1', 'h2', 'h3', 'h4', 'h5', 'v1', 'v2', 'v3', 'v4', 'v5'];

/** The 10 words of a board (h1..h5, then v1..v5); '_' marks an empty cell. */
export function boardWords(board: string): string[] {
  return SLOTS.map((s) => wordCells(s).map((i) => board[i] ?? '_').join(''));
}

/** A board from a text: 25 letters (spaces, newlines ignored), or undefined. */
export function parseBoard(text: string): string | undefined {
  const letters = text.toUpperCase().replace(/[^A-Z_]/g, '');
  return letters.length === SIZE * SIZE ? letters : undefined;
}

/**
 * The board a model wrote: the last five lines of five letters each (spaces between letters allowed),
 * or, failing that, the words it filled in as "h1. WORD" lines (later fills win); undefined if neither.
 */
export function boardFromOutput(output: string): string | undefined {
  const rows = output
    .split('\n')
    .map((l) => l.replace(/\*\*/g, '').trim().toUpperCase().replace(/\s+/g, ''))
    .filter((l) => /^[A-Z_]{5}$/.test(l));
  if (rows.length >= SIZE) return rows.slice(-SIZE).join('');
  const cells = new Array<string>(SIZE * SIZE).fill('_');
  let filled = false;
  for (const m of output.matchAll(/\b([hv][1-5])\s*[.:)]\s*([A-Za-z]{5})\b/gi)) {
    wordCells(m[1]).forEach((cell, i) => (cells[cell] = m[2][i].toUpperCase()));
    filled = true;
  }
  return filled ? cells.join('') : undefined;
}

/** Rows of the board, one per line. */
export function formatBoard(board: string): string {
  return Array.from({ length: SIZE }, (_, r) => board.slice(r * SIZE, r * SIZE + SIZE)).join('\n');
}

/** The ToT paper's three measures: letters right (of 25), words right (of 10), whole board right. */
export function crosswordScores(board: string | undefined, gold: string): { letters: number; words: number; game: number } {
  if (!board) return { letters: 0, words: 0, game: 0 };
  let letters = 0;
  for (let i = 0; i < SIZE * SIZE; i++) if (board[i] === gold[i]) letters++;
  const mine = boardWords(board);
  const words = boardWords(gold).filter((w, i) => w === mine[i]).length;
  return { letters: letters / 25, words: words / 10, game: letters === 25 ? 1 : 0 };
}
