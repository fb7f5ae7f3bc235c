// Saved runs: one JSON file per run (the trace, plus the settings it ran with) in a directory the
// caller chooses (the extension passes its workspace storage). API keys are never part of a trace or
// of the saved settings, so nothing secret is written.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trace } from '../trace';
import { redactedUrl } from '../model/redactUrl';

/** What a rerun needs besides the trace's technique, task, params, model and input. */
export interface RunSettings {
  baseUrl?: string;
  provider?: string;
}

export interface SavedRunMeta {
  id: string;
  /** ms since the epoch. */
  savedAt: number;
  technique: string;
  task: string;
  model: string;
  outcome: string;
  answer: string | null;
  costUsd: number | null;
  /** The first line of the input, shortened. */
  inputExcerpt: string;
}

export interface SavedRun extends SavedRunMeta {
  trace: Trace;
  settings: RunSettings;
}

const ID = /^run-[0-9a-z-]+$/;

/** `text` on one line, shortened to `max` characters with an ellipsis. */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export class RunStore {
  private counter = 0;

  constructor(readonly dir: string) {}

  save(trace: Trace, settings: RunSettings = {}, savedAt = Date.now()): SavedRunMeta {
    const id = `run-${savedAt.toString(36)}-${process.pid.toString(36)}-${(this.counter++).toString(36)}`;
    const saved: SavedRun = {
      id,
      savedAt,
      technique: trace.technique,
      task: trace.task,
      model: trace.model,
      outcome: trace.outcome,
      answer: trace.answer,
      costUsd: trace.totals.costUsd,
      inputExcerpt: excerpt(trace.input),
      // Only the named fields: whatever else a caller's settings object holds is not written.
      settings: { ...(settings.baseUrl ? { baseUrl: redactedUrl(settings.baseUrl) } : {}), ...(settings.provider ? { provider: settings.provider } : {}) },
      trace,
    };
    const text = `${JSON.stringify(saved)}\n`;
    // The folder is made on the first save (or if it went away): one syscall less per run for `serve`.
    try {
      writeFileSync(this.path(id), text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(this.path(id), text);
    }
    return metaOf(saved);
  }

  /** Newest first; unreadable files are skipped (and reported through `onBadFile`). */
  list(onBadFile?: (file: string, problem: string) => void): SavedRunMeta[] {
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const runs: SavedRunMeta[] = [];
    for (const file of files) {
      try {
        runs.push(metaOf(this.read(file.slice(0, -'.json'.length))));
      } catch (err) {
        onBadFile?.(file, (err as Error).message);
      }
    }
    return runs.sort((a, b) => b.savedAt - a.savedAt || b.id.localeCompare(a.id));
  }

  load(id: string): SavedRun {
    return this.read(id);
  }

  delete(id: string): void {
    rmSync(this.path(id), { force: true });
  }

  private path(id: string): string {
    if (!ID.test(id)) throw new Error(`not a saved run id: ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  private read(id: string): SavedRun {
    const saved = JSON.parse(readFileSync(this.path(id), 'utf8')) as SavedRun;
    if (!saved || typeof saved !== 'object' || saved.id !== id || !saved.trace || !Array.isArray(saved.trace.nodes)) {
      throw new Error(`${id}.json is not a saved Thoughtscope run`);
    }
    return saved;
  }
}

function metaOf(saved: SavedRun): SavedRunMeta {
  const { id, savedAt, technique, task, model, outcome, answer, costUsd, inputExcerpt } = saved;
  return { id, savedAt, technique, task, model, outcome, answer, costUsd, inputExcerpt };
}
