// The items of an experiment's dataset: a JSONL/CSV file relative to the experiment, or the data the
// task ships with (game24: the ToT paper's 24.csv, test rows 900-999 unless a range is given; got-*:
// the GoT paper's files), cut to a row range and to the first `items`. `dataRoot` is the folder holding
// data/ (the package root for the CLI, the extension's folder in VS Code).
import { join, relative, resolve } from 'node:path';
import { DatasetError, loadDataset, loadDatasetRange, loadGame24Range } from '../eval/dataset';
import { GOT_DATA_FILES, GOT_SIZES } from '../eval/gotDatasets';
import type { EvalItem } from '../eval/types';
import { GAME24_PUZZLES_FILE, GAME24_TEST_RANGE } from '../tasks/game24';
import type { Experiment } from './load';

export interface ExperimentItems {
  items: EvalItem[];
  /** The label kept in checkpoints and results, e.g. "24.csv rows 900-909" or "data/q.jsonl rows 0-9". */
  dataset: string;
}

export function experimentItems(exp: Experiment, dataRoot: string): ExperimentItems {
  const { file, from, to, size } = exp.dataset;
  const id = exp.scorer.id;
  const where = `${relative(process.cwd(), exp.file) || exp.file}: dataset`;
  const sizes = GOT_SIZES[id];
  if (size !== undefined && !sizes) throw new DatasetError(`${where}: "size" is for ${Object.keys(GOT_SIZES).join(' and ')}`);
  if (size !== undefined && !sizes!.includes(size)) throw new DatasetError(`${where}: "size" must be one of ${sizes!.join(', ')}`);
  let path: string;
  let label: string;
  if (file !== undefined) {
    path = resolve(exp.dir, file);
    label = file;
  } else if (id === 'game24') {
    path = join(dataRoot, ...GAME24_PUZZLES_FILE);
    label = '24.csv';
  } else if (GOT_DATA_FILES[id]) {
    const parts = GOT_DATA_FILES[id](size ?? sizes?.[0] ?? 0);
    path = join(dataRoot, ...parts);
    label = parts.join('/');
  } else {
    throw new DatasetError(`${where}: the ${id} task needs a dataset: a JSONL or CSV file of {"input", "expected"}`);
  }
  let items: EvalItem[];
  let rows = '';
  if (id === 'game24' && !isItemsFile(label)) {
    const first = from ?? (to === undefined ? GAME24_TEST_RANGE.start : to);
    const last = to ?? (from === undefined ? GAME24_TEST_RANGE.end - 1 : from);
    items = loadGame24Range(path, first, last);
    rows = ` rows ${first}-${last}`;
  } else if (from !== undefined || to !== undefined) {
    const first = from ?? to!;
    const last = to ?? from!;
    items = loadDatasetRange(path, exp.scorer.needsExpected, first, last);
    rows = ` rows ${first}-${last}`;
  } else {
    items = loadDataset(path, exp.scorer.needsExpected);
  }
  if (exp.items !== undefined) {
    if (exp.items < items.length) {
      items = items.slice(0, exp.items);
      rows = ` rows ${items[0].index}-${items[items.length - 1].index}`;
    }
  }
  return { items, dataset: `${label}${rows}` };
}

/** A game24 dataset given as JSONL is read as items, not as 24.csv rows. */
function isItemsFile(label: string): boolean {
  return /\.jsonl$|\.ndjson$/i.test(label);
}
