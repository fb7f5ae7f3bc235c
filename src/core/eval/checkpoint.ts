// The JSONL checkpoint of an evaluation: a header line with what is evaluated, then one line per
// finished item, appended (and flushed by the OS) as the item finishes; with --batch also a line per
// Batch API batch submitted and ended, so a restarted evaluation finds its batch again. A process
// killed mid-write leaves at most one torn last line, which is dropped on resume.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DatasetError } from './dataset';
import type { EvalSetup, ItemResult } from './types';

/** The key that marks a checkpoint's header line. */
export const CHECKPOINT_MARK = 'thoughtscope-eval-checkpoint';

export class CheckpointError extends DatasetError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The checkpoint belongs to an evaluation with other settings; `difference` says which, in words. */
export class CheckpointMismatchError extends CheckpointError {
  constructor(
    path: string,
    readonly difference: string,
  ) {
    super(`${path} is a checkpoint of a different evaluation (${difference}); use another --checkpoint or drop --resume`);
    this.name = 'CheckpointMismatchError';
  }
}

/** The key of a Batch API line: a batch submitted for some items, or the end of one (eval/batch.ts). */
export const BATCH_MARK = 'thoughtscope-batch';

export type BatchRecord =
  /** `hashes[i]`: of item `items[i]`'s request, to notice data that changed before the answers are read. */
  | { event: 'submitted'; id: string; inputFileId: string; items: number[]; hashes?: string[]; at: number }
  /** Its results were read into the checkpoint (`applied`), or it ended without any (`failed`). */
  | { event: 'applied' | 'failed'; id: string; status: string; at: number };

export interface Checkpoint {
  /** Items already finished, by index. */
  readonly finished: Map<number, ItemResult>;
  /** The Batch API lines, in order. */
  readonly batches: BatchRecord[];
  append(item: ItemResult): void;
  appendBatch(record: BatchRecord): void;
}

function sameSetup(a: EvalSetup, b: EvalSetup): string | undefined {
  for (const key of ['technique', 'task', 'model', 'dataset'] as const) {
    if (a[key] !== b[key]) return `${key} was ${JSON.stringify(a[key])}, now ${JSON.stringify(b[key])}`;
  }
  if (JSON.stringify(a.params) !== JSON.stringify(b.params)) return `parameters were ${JSON.stringify(a.params)}, now ${JSON.stringify(b.params)}`;
  return undefined;
}

function batchRecordOf(value: unknown): BatchRecord | undefined {
  const record = (value as Record<string, unknown> | null)?.[BATCH_MARK] as BatchRecord | undefined;
  return record && typeof record === 'object' && typeof record.id === 'string' && typeof record.event === 'string' ? record : undefined;
}

function isItem(value: unknown): value is ItemResult {
  const v = value as ItemResult;
  return !!v && typeof v === 'object' && Number.isInteger(v.index) && typeof v.answer === 'string' && typeof v.correct === 'boolean' && Array.isArray(v.samples);
}

/** The setup in a checkpoint's header line; a CheckpointError naming `path` when it is not one. */
function headerSetup(line: string, path: string): EvalSetup {
  let header: { setup?: EvalSetup } | undefined;
  try {
    header = JSON.parse(line) as { setup?: EvalSetup };
  } catch {
    header = undefined;
  }
  if (!header || typeof header !== 'object' || !(CHECKPOINT_MARK in header) || !header.setup) throw new CheckpointError(`${path} is not a Thoughtscope evaluation checkpoint`);
  return header.setup;
}

/**
 * Reads a checkpoint without changing it: its setup and its finished items by index. Lines that are not
 * item results (a torn last line) are passed over; openCheckpoint says more when it is resumed.
 */
export function readCheckpoint(path: string): { setup: EvalSetup; finished: Map<number, ItemResult> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CheckpointError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message}`);
  }
  const lines = text.split('\n');
  const setup = headerSetup(lines[0], path);
  const finished = new Map<number, ItemResult>();
  for (const line of lines.slice(1)) {
    try {
      const item: unknown = JSON.parse(line);
      if (isItem(item)) finished.set(item.index, item);
    } catch {
      // blank or torn
    }
  }
  return { setup, finished };
}

/**
 * Open `path` for an evaluation of `setup`. Without `resume` an existing non-empty checkpoint is an
 * error (so earlier results are never overwritten); with it, its items are returned as finished and
 * a checkpoint of a different setup is refused.
 */
export function openCheckpoint(path: string, setup: EvalSetup, resume: boolean): Checkpoint {
  const finished = new Map<number, ItemResult>();
  const batches: BatchRecord[] = [];
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (text.trim() !== '' && !resume) {
    throw new CheckpointError(`the checkpoint ${path} already exists: pass --resume to continue it, or delete it to start over`);
  }
  if (text.trim() === '') {
    writeFileSync(path, `${JSON.stringify({ [CHECKPOINT_MARK]: 1, setup })}\n`);
  } else {
    const lines = text.split('\n');
    const torn = !text.endsWith('\n');
    const difference = sameSetup(headerSetup(lines[0], path), setup);
    if (difference) throw new CheckpointMismatchError(path, difference);
    const kept = [lines[0]];
    for (const [i, line] of lines.slice(1).entries()) {
      if (line.trim() === '') continue;
      let item: unknown;
      try {
        item = JSON.parse(line);
      } catch {
        if (torn && i === lines.length - 2) break; // the last line was cut off by a kill
        throw new CheckpointError(`${path} line ${i + 2} is not valid JSON`);
      }
      const batch = batchRecordOf(item);
      if (batch) batches.push(batch);
      else if (!isItem(item)) throw new CheckpointError(`${path} line ${i + 2} is not an item result`);
      else finished.set(item.index, item);
      kept.push(line);
    }
    if (torn) writeFileSync(path, `${kept.join('\n')}\n`);
  }
  return {
    finished,
    batches,
    append(item) {
      appendFileSync(path, `${JSON.stringify(item)}\n`);
      finished.set(item.index, item);
    },
    appendBatch(record) {
      appendFileSync(path, `${JSON.stringify({ [BATCH_MARK]: record })}\n`);
      batches.push(record);
    },
  };
}
