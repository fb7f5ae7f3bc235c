// The items of an experiment's dataset: a JSONL/CSV file relative to the experiment, or the data the
// task comes with (game24: the ToT paper's 24.csv, test rows 900-999 unless a range is given; got-*:
// the GoT paper's files; a task with its own scorer, a task file too: the `data` file it names, in its
// format and default rows, as `thoughtscope eval --task` reads it), cut to a row range and to the first
// `items`. `dataRoot` is the folder holding data/ (the package root for the CLI, the extension's folder).
import { join, relative, resolve } from 'node:path';
import { DatasetError, loadDataset, loadDatasetRange, loadGame24Range } from '../eval/dataset';
import { ownTaskData, taskDataItems } from '../eval/evalTask';
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
  // The rows asked for (one bound given: that one row), or undefined.
  const given: [number, number] | undefined = from !== undefined || to !== undefined ? [from ?? to!, to ?? from!] : undefined;
  const own = ownTaskData(exp);
  if (own && file === undefined) return firstItems(exp, taskDataItems(own, exp.scorer.needsExpected, given));
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
    throw new DatasetError(`${where}: the ${id} task needs a dataset: a JSONL or CSV file of {"input", "expected"} (or a task file naming its data file)`);
  }
  let items: EvalItem[];
  let rows = '';
  if (id === 'game24' && !isItemsFile(label)) {
    const first = from ?? (to === undefined ? GAME24_TEST_RANGE.start : to);
    const last = to ?? (from === undefined ? GAME24_TEST_RANGE.end - 1 : from);
    items = loadGame24Range(path, first, last);
    rows = ` rows ${first}-${last}`;
  } else if (given) {
    const [first, last] = given;
    items = loadDatasetRange(path, exp.scorer.needsExpected, first, last, own?.format);
    rows = ` rows ${first}-${last}`;
  } else {
    // A file of the task's own form (crosswords JSON, one input per line), as --data with a task file.
    items = loadDataset(path, exp.scorer.needsExpected, own?.format);
  }
  return firstItems(exp, { items, dataset: `${label}${rows}` });
}

/** The first `exp.items` of them, the label saying which rows. */
function firstItems(exp: Experiment, all: ExperimentItems): ExperimentItems {
  if (exp.items === undefined || exp.items >= all.items.length) return all;
  const items = all.items.slice(0, exp.items);
  return { items, dataset: `${all.dataset.replace(/ rows \d+-\d+$/, '')} rows ${items[0].index}-${items[items.length - 1].index}` };
}

/** A game24 dataset given as JSONL is read as items, not as 24.csv rows. */
function isItemsFile(label: string): boolean {
  return /\.jsonl$|\.ndjson$/i.test(label);
}
