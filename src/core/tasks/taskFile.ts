// Reading a task file: YAML (the `yaml` package, which keeps every value's position), checked against
// schemas/task.schema.json with ajv. Every problem is one line naming the file, the line and the field
// ("numbers.task.yaml:7: scorer.type must be one of exact, numeric, …").
import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import taskSchema from '../../../schemas/task.schema.json';
import type { LoadedTaskFile, TaskSpec } from './spec';

export class TaskFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskFileError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('regex', {
  validate: (text: string) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  },
});
const validateSpec = ajv.compile<TaskSpec>(taskSchema);

/** A task file ends in .task.yaml, .task.yml or .task.json. */
export const TASK_FILE = /\.task\.(?:ya?ml|json)$/i;
/** The same, for JSON Schemas that accept a task file's path (experiment files, the thoughtscope.task setting). */
export const TASK_FILE_PATTERN = '\\.task\\.(ya?ml|json)$';

/** The line (1-based) of the value at `path` in the document, or of its nearest parent that exists. */
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function describe(error: ErrorObject): { path: (string | number)[]; message: string } {
  const path = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const field = path.length ? path.join('.') : 'the file';
  switch (error.keyword) {
    case 'additionalProperties':
      return { path, message: `${field === 'the file' ? '' : `${field}: `}unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"` };
    case 'required':
      return { path, message: `${field === 'the file' ? 'the file' : field} needs "${(error.params as { missingProperty: string }).missingProperty}"` };
    case 'enum':
      return { path, message: `${field} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
    case 'const':
      return { path, message: `${field} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}` };
    case 'format':
      return { path, message: `${field} is not a valid regular expression` };
    default:
      return { path, message: `${field} ${error.message ?? 'is not valid'}` };
  }
}

/** The most telling of ajv's errors: for a scorer (oneOf), the branch its `type` names. */
function pickError(errors: ErrorObject[], data: unknown): ErrorObject {
  const scorerType = (data as { scorer?: { type?: unknown } })?.scorer?.type;
  const own = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'const' && !(e.keyword === 'enum' && e.instancePath === '/scorer/type'));
  if (own.length && errors.some((e) => e.instancePath.startsWith('/scorer'))) {
    // A scorer error is reported for the branch of its type (oneOf in the schema's order); the other branches' complaints are noise.
    const known = ['exact', 'numeric', 'multiple-choice', 'regex', 'contains', 'judge', 'javascript', 'game24', 'crosswords'];
    if (typeof scorerType !== 'string' || !known.includes(scorerType)) {
      return { instancePath: '/scorer/type', keyword: 'enum', params: { allowedValues: known }, schemaPath: '', message: '' } as ErrorObject;
    }
    const branch = `/oneOf/${Math.min(known.indexOf(scorerType), 7)}/`;
    const mine = own.find((e) => e.schemaPath.includes(branch));
    if (mine) return mine;
  }
  return own.find((e) => !e.instancePath.startsWith('/scorer')) ?? own.find((e) => e.keyword !== 'type' || !e.instancePath.endsWith('/type')) ?? errors[0];
}

/** Parse and check task file text; `file` names it in messages. */
export function parseTaskFile(text: string, file: string): TaskSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
    throw new TaskFileError(`${file}:${line}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!validateSpec(data)) {
    const errors = validateSpec.errors ?? [];
    const picked = pickError(errors, data);
    const { path, message } = describe(picked);
    // An unknown field is shown at its own line.
    const at = picked.keyword === 'additionalProperties' ? [...path, (picked.params as { additionalProperty: string }).additionalProperty] : path;
    const line = lineOf(doc, lines, at);
    throw new TaskFileError(`${file}${line ? `:${line}` : ''}: ${message}`);
  }
  return data;
}

/** Read a task file from disk; `shown` is the name used in messages (default the path). */
export function readTaskFile(path: string, shown = path): LoadedTaskFile {
  if (!isAbsolute(path)) throw new TaskFileError(`${shown}: a task file path must be absolute here`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TaskFileError(`${shown}: cannot read the task file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return { spec: parseTaskFile(text, shown), file: path };
}
