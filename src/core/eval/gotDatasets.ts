// The GoT paper's datasets (spcl/graph-of-thoughts, shipped in data/got/) as evaluation items. Each file
// keeps the reference's own CSV form, recognised by its header, so a user's copy in the same form works
// too (`--data`, the extension's file picker):
//   ID,Unsorted,Sorted                      sorting: the list to sort; expected the sorted list
//   ID,SET1,SET2,INTERSECTION               set intersection: both sets, one per line; expected the intersection
//   ID,Text,Countries,Sentences,Characters  keyword counting: the text; expected {"Country": count} from Countries
//   id,problem,document1,...                document merging: the documents, separated by lines of ---
import type { EvalItem } from './types';

/** Where a GoT task's shipped data lives, relative to the package root; `size` picks the 32/64/128 file. */
export const GOT_DATA_FILES: Readonly<Record<string, (size: number) => readonly string[]>> = {
  'got-sorting': (size) => ['data', 'got', `sorting_${String(size).padStart(3, '0')}.csv`],
  'got-set-intersection': (size) => ['data', 'got', `set_intersection_${String(size).padStart(3, '0')}.csv`],
  'got-keyword-counting': () => ['data', 'got', 'countries.csv'],
  'got-document-merging': () => ['data', 'got', 'documents.csv'],
};

/** The sizes the reference ships for the tasks that have them. */
export const GOT_SIZES: Readonly<Record<string, readonly number[]>> = {
  'got-sorting': [32, 64, 128],
  'got-set-intersection': [32, 64, 128],
};

type RowReader = (cell: (name: string) => string | undefined, where: string) => Pick<EvalItem, 'input' | 'expected'>;

/** "[Peru, Chile, Peru]" → {"Peru": 2, "Chile": 1}, in order of first mention. */
export function countsFromList(list: string): string {
  const counts: Record<string, number> = {};
  const inner = list.trim().replace(/^\[/, '').replace(/\]$/, '');
  for (const name of inner.split(',').map((n) => n.trim().replace(/^['"]|['"]$/g, ''))) {
    if (name !== '') counts[name] = (counts[name] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

const FORMS: ReadonlyArray<{ columns: readonly string[]; read: RowReader }> = [
  { columns: ['unsorted', 'sorted'], read: (cell) => ({ input: cell('unsorted') ?? '', expected: cell('sorted') }) },
  { columns: ['set1', 'set2', 'intersection'], read: (cell) => ({ input: `${cell('set1') ?? ''}\n${cell('set2') ?? ''}`.trim(), expected: cell('intersection') }) },
  { columns: ['text', 'countries'], read: (cell) => ({ input: cell('text') ?? '', expected: countsFromList(cell('countries') ?? '') }) },
  {
    columns: ['document1', 'document2'],
    read: (cell, where) => {
      const documents: string[] = [];
      for (let i = 1; ; i++) {
        const doc = cell(`document${i}`);
        if (doc === undefined) break;
        if (doc.trim() !== '') documents.push(doc.trim());
      }
      if (documents.length < 2) throw new Error(`${where}: fewer than two documents`);
      return { input: documents.join('\n---\n'), expected: undefined };
    },
  },
];

/**
 * Items of a CSV in one of the GoT reference's forms, or undefined when the header is not one of them.
 * `rows` are the parsed CSV rows, header first. A bad row throws an Error naming it.
 */
export function gotItemsFromRows(rows: readonly string[][], name: string): EvalItem[] | undefined {
  if (rows.length === 0) return undefined;
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const form = FORMS.find((f) => f.columns.every((c) => header.includes(c)));
  if (!form) return undefined;
  return rows.slice(1).map((cells, i) => {
    const cell = (column: string): string | undefined => (header.includes(column) ? cells[header.indexOf(column)] : undefined);
    const where = `${name} row ${i + 2}`;
    const item = form.read(cell, where);
    if (item.input.trim() === '') throw new Error(`${where}: the row is empty`);
    return { index: i, ...item };
  });
}
