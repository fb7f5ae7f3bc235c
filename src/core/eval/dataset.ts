// Loading evaluation items: a JSONL or CSV file of { input, expected } rows, or Game of 24 puzzles
// from 24.csv by row index. Problems become a DatasetError naming the file and line.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { loadGame24Puzzles } from '../tasks/game24';
import { gotItemsFromRows } from './gotDatasets';
import type { EvalItem } from './types';

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Accepted column / field names, first match wins. */
const INPUT_FIELDS = ['input', 'question', 'problem', 'prompt'];
const EXPECTED_FIELDS = ['expected', 'answer', 'target'];
const OPTION_FIELDS = ['options', 'choices'];

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message}`);
  }
}

function pick(record: Record<string, unknown>, names: string[]): unknown {
  for (const name of names) if (record[name] !== undefined && record[name] !== null) return record[name];
  return undefined;
}

function toItem(record: Record<string, unknown>, index: number, where: string, needExpected: boolean): EvalItem {
  const input = pick(record, INPUT_FIELDS);
  if (typeof input !== 'string' || input.trim() === '') {
    throw new DatasetError(`${where}: no input; give a non-empty "input" (or ${INPUT_FIELDS.slice(1).join(', ')}) field`);
  }
  const rawExpected = pick(record, EXPECTED_FIELDS);
  if (rawExpected !== undefined && typeof rawExpected !== 'string' && typeof rawExpected !== 'number' && typeof rawExpected !== 'boolean') {
    throw new DatasetError(`${where}: "expected" must be text or a number`);
  }
  const expected = rawExpected === undefined ? undefined : String(rawExpected);
  const options = pick(record, OPTION_FIELDS);
  if (options !== undefined) {
    // Multiple-choice items may list their options apart; they follow the question as "A) …" lines.
    if (!Array.isArray(options) || options.length > 26 || !options.every((o) => typeof o === 'string' || typeof o === 'number')) {
      throw new DatasetError(`${where}: "options" must be a list of at most 26 texts`);
    }
    const lines = options.map((o, i) => `${String.fromCharCode(65 + i)}) ${String(o)}`).join('\n');
    return { index, input: `${input.trimEnd()}\n${lines}`, expected };
  }
  if (needExpected && (expected === undefined || expected.trim() === '')) {
    throw new DatasetError(`${where}: no expected answer; give an "expected" (or ${EXPECTED_FIELDS.slice(1).join(', ')}) field`);
  }
  return { index, input, expected };
}

/** One JSON object per line; blank lines are skipped but still count for line numbers. */
export function parseJsonl(text: string, name: string, needExpected: boolean): EvalItem[] {
  const items: EvalItem[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${name} line ${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      throw new DatasetError(`${where}: not valid JSON (${(err as Error).message})`);
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) throw new DatasetError(`${where}: expected a JSON object`);
    items.push(toItem(record as Record<string, unknown>, items.length, where, needExpected));
  }
  return items;
}

/** RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new DatasetError('a quoted cell is not closed');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

/** A header row naming the columns ("input,expected"), then one item per row. */
export function parseCsv(text: string, name: string, needExpected: boolean): EvalItem[] {
  let rows: string[][];
  try {
    rows = parseCsvRows(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new DatasetError(`${name}: ${(err as Error).message}`);
  }
  if (rows.length === 0) return [];
  let got: EvalItem[] | undefined;
  try {
    got = gotItemsFromRows(rows, name);
  } catch (err) {
    throw new DatasetError((err as Error).message);
  }
  if (got) return checkExpected(got, name, needExpected);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  if (!INPUT_FIELDS.some((f) => header.includes(f))) {
    throw new DatasetError(`${name}: the header row has no "input" column (found: ${header.join(', ')})`);
  }
  return rows.slice(1).map((cells, i) => {
    const record: Record<string, unknown> = {};
    header.forEach((h, c) => {
      if (cells[c] !== undefined) record[h] = cells[c];
    });
    return toItem(record, i, `${name} row ${i + 2}`, needExpected);
  });
}

function checkExpected(items: EvalItem[], name: string, needExpected: boolean): EvalItem[] {
  const missing = needExpected ? items.find((i) => i.expected === undefined || i.expected.trim() === '') : undefined;
  if (missing) throw new DatasetError(`${name} row ${missing.index + 2}: no expected answer, which this task needs`);
  return items;
}

/** Items `from`..`to` (row indices, both included) of a dataset file. */
export function loadDatasetRange(path: string, needExpected: boolean, from: number, to: number, format?: DataFormat): EvalItem[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from) {
    throw new DatasetError(`the row range must be whole numbers with 0 <= from <= to, got ${from}..${to}`);
  }
  const items = loadDataset(path, needExpected, format);
  if (to >= items.length) throw new DatasetError(`${path} has ${items.length} items (rows 0-${items.length - 1}); row ${to} does not exist`);
  return items.slice(from, to + 1);
}

/**
 * The ToT repository's mini crosswords (mini0505*.json): a list of [10 clues, 25 letters]; the input is
 * the clues as "h1. …" to "v5. …" lines, the expected answer the board, five rows of five letters.
 */
export function parseCrosswords(text: string, name: string): EvalItem[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`${name}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new DatasetError(`${name}: expected a list of [clues, board] pairs`);
  return data.map((entry, index) => {
    const ok = Array.isArray(entry) && Array.isArray(entry[0]) && entry[0].length === 10 && Array.isArray(entry[1]) && entry[1].length === 25 && [...entry[0], ...entry[1]].every((x) => typeof x === 'string');
    if (!ok) throw new DatasetError(`${name} item ${index}: expected [10 clues, 25 letters]`);
    const [clues, board] = entry as [string[], string[]];
    const input = clues.map((c, i) => `${i < 5 ? 'h' : 'v'}${(i % 5) + 1}. ${c}`).join('\n');
    const letters = board.join('').toUpperCase();
    return { index, input, expected: [0, 1, 2, 3, 4].map((r) => letters.slice(r * 5, r * 5 + 5)).join('\n') };
  });
}

/** One input per non-empty line (the ToT repository's creative-writing sentences); no expected answers. */
export function parseLines(text: string, name: string, needExpected: boolean): EvalItem[] {
  if (needExpected) throw new DatasetError(`${name}: a .txt file has inputs only, and this task needs expected answers (use .jsonl or .csv)`);
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((input, index) => ({ index, input: input.trim() }));
}

/** Data forms a task file may name (`data.format`) besides JSONL and CSV. */
export type DataFormat = 'lines' | 'crosswords';

/**
 * Items of a .jsonl or .csv file (by extension), or of the form a task file names: one input per line,
 * or the ToT crosswords JSON. A CSV in a GoT reference form is read as gotDatasets.ts says.
 */
export function loadDataset(path: string, needExpected: boolean, format?: DataFormat): EvalItem[] {
  const ext = extname(path).toLowerCase();
  if (!format && ext !== '.jsonl' && ext !== '.csv' && ext !== '.ndjson') {
    throw new DatasetError(`${path}: the data file must end in .jsonl or .csv`);
  }
  const text = readText(path, 'data file');
  const items = format === 'crosswords' ? parseCrosswords(text, path) : format === 'lines' ? parseLines(text, path, needExpected) : ext === '.csv' ? parseCsv(text, path, needExpected) : parseJsonl(text, path, needExpected);
  if (items.length === 0) throw new DatasetError(`${path}: no items`);
  return items;
}

/** Game of 24 puzzles `from`..`to` (row indices, both included; the ToT paper's test set is 900-999). */
export function loadGame24Range(csvPath: string, from: number, to: number): EvalItem[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from) {
    throw new DatasetError(`the puzzle range must be whole numbers with 0 <= from <= to, got ${from}..${to}`);
  }
  let puzzles: string[];
  try {
    puzzles = loadGame24Puzzles(readText(csvPath, 'Game of 24 puzzles'));
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(`${csvPath}: ${(err as Error).message}`);
  }
  if (to >= puzzles.length) {
    throw new DatasetError(`${csvPath} has ${puzzles.length} puzzles (rows 0-${puzzles.length - 1}); row ${to} does not exist`);
  }
  const items: EvalItem[] = [];
  for (let index = from; index <= to; index++) items.push({ index, input: puzzles[index] });
  return items;
}
