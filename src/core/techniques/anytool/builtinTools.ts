// Tools that really run on this machine: calculator (own evaluator), code (the PoT WebAssembly
// sandbox, behind the host's execution gate), workspace search and file reading (confined to the
// workspace folder), date and time, and unit conversion. Each declares its arguments as JSON Schema.
import { readFile, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { listTextFiles, readTextFile, relativeTo } from '../../rag/files';
import { executionSetup } from '../../sandbox/execution';
import type { ProgramLanguage } from '../../sandbox/types';
import { evaluateExpression } from './calculator';
import type { Catalog } from './catalog';
import { convertUnits } from './units';

export interface ToolContext {
  /** The workspace folder; file tools never leave it. */
  root: string;
  signal?: AbortSignal;
  /** Fixed "now" for tests; default the clock. */
  now?: () => Date;
}

type Args = Record<string, unknown>;
export type ToolImpl = (args: Args, ctx: ToolContext) => Promise<string>;

const MAX_READ_CHARS = 20_000;
const MAX_SEARCH_HITS = 30;

async function insideRoot(root: string, path: string): Promise<string> {
  const full = resolve(root, path);
  const rel = relativeTo(root, full);
  if (rel === undefined) throw new Error(`"${path}" is outside the workspace folder`);
  // A symbolic link inside the workspace may point out of it: compare real paths too.
  const [realRoot, realFull] = await Promise.all([realpath(root), realpath(full).catch(() => full)]);
  if (relativeTo(realRoot, realFull) === undefined) throw new Error(`"${path}" leads outside the workspace folder`);
  return rel;
}

export async function runCode(language: ProgramLanguage, code: string, signal?: AbortSignal): Promise<string> {
  const setup = executionSetup();
  const refused = await setup.gate({ language, code });
  if (refused) throw new Error(`the program was not run: ${refused}`);
  const result = await setup.executorFor({ language, code }).execute({ language, code, limits: { timeMs: 10_000 } }, signal);
  if (!result.ok) throw new Error(`${result.error ?? 'the program failed'}${result.stdout ? `\nstdout: ${result.stdout.slice(-2000)}` : ''}`);
  return [result.stdout.trim(), result.result !== undefined ? `result: ${result.result}` : ''].filter(Boolean).join('\n') || '(no output)';
}

export const BUILTIN_IMPLEMENTATIONS: Record<string, ToolImpl> = {
  async calculator(args) {
    return String(evaluateExpression(String(args.expression)));
  },
  async run_code(args, ctx) {
    return runCode(args.language as ProgramLanguage, String(args.code), ctx.signal);
  },
  async workspace_search(args, ctx) {
    const needle = String(args.query).toLowerCase();
    const hits: string[] = [];
    for (const file of await listTextFiles(ctx.root)) {
      const text = await readTextFile(ctx.root, file.path).catch(() => undefined);
      if (text === undefined) continue;
      text.split(/\r?\n/).forEach((line, i) => {
        if (hits.length < MAX_SEARCH_HITS && line.toLowerCase().includes(needle)) hits.push(`${file.path}:${i + 1}: ${line.trim().slice(0, 200)}`);
      });
      if (hits.length >= MAX_SEARCH_HITS) break;
    }
    return hits.length ? hits.join('\n') : `no line of the workspace contains "${String(args.query)}"`;
  },
  async read_file(args, ctx) {
    const rel = await insideRoot(ctx.root, String(args.path));
    const full = resolve(ctx.root, rel);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`no file "${rel}" in the workspace`);
    const lines = (await readFile(full, 'utf8')).split(/\r?\n/);
    const start = Math.max(1, Number(args.startLine ?? 1));
    const end = Math.min(lines.length, Number(args.endLine ?? lines.length));
    const body = lines.slice(start - 1, end).map((l, i) => `${start + i}: ${l}`).join('\n');
    return body.length > MAX_READ_CHARS ? `${body.slice(0, MAX_READ_CHARS)}\n… (cut at ${MAX_READ_CHARS} characters; ask for fewer lines)` : body;
  },
  async datetime(args, ctx) {
    const now = (ctx.now ?? (() => new Date()))();
    const zone = typeof args.timezone === 'string' && args.timezone ? args.timezone : 'UTC';
    let local: string;
    try {
      local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'full', timeStyle: 'long' }).format(now);
    } catch {
      throw new Error(`unknown time zone "${zone}"; use an IANA name such as Europe/Paris`);
    }
    return `${now.toISOString()} (UTC)\n${local} (${zone})`;
  },
  async convert_units(args) {
    return String(convertUnits(Number(args.value), String(args.from), String(args.to)));
  },
};

export const BUILTIN_CATALOG: Catalog = {
  categories: [
    {
      name: 'math',
      description: 'Arithmetic and running small programs.',
      tools: [
        {
          name: 'calculator',
          category: 'math',
          description: 'Evaluates an arithmetic expression exactly: + - * / % ^, parentheses, sqrt, abs, sin, cos, tan, ln, log, exp, floor, ceil, round, min, max, pi, e.',
          parameters: { type: 'object', properties: { expression: { type: 'string', minLength: 1, description: 'e.g. "sqrt(2) * (3 + 4)^2"' } }, required: ['expression'], additionalProperties: false },
          implementation: 'calculator',
        },
        {
          name: 'run_code',
          category: 'math',
          description: 'Runs a short Python or JavaScript program in a sandbox (no files, no network) and returns what it prints and its result.',
          parameters: { type: 'object', properties: { language: { enum: ['python', 'javascript'] }, code: { type: 'string', minLength: 1 } }, required: ['language', 'code'], additionalProperties: false },
          implementation: 'run_code',
        },
      ],
    },
    {
      name: 'workspace',
      description: 'Searching and reading the files of the open workspace.',
      tools: [
        {
          name: 'workspace_search',
          category: 'workspace',
          description: 'Finds lines of the workspace\'s text files containing a text (case-insensitive); returns file:line: text.',
          parameters: { type: 'object', properties: { query: { type: 'string', minLength: 1 } }, required: ['query'], additionalProperties: false },
          implementation: 'workspace_search',
        },
        {
          name: 'read_file',
          category: 'workspace',
          description: 'Reads a file of the workspace (path relative to the workspace folder), optionally only lines startLine..endLine.',
          parameters: {
            type: 'object',
            properties: { path: { type: 'string', minLength: 1 }, startLine: { type: 'integer', minimum: 1 }, endLine: { type: 'integer', minimum: 1 } },
            required: ['path'],
            additionalProperties: false,
          },
          implementation: 'read_file',
        },
      ],
    },
    {
      name: 'time',
      description: 'The current date and time.',
      tools: [
        {
          name: 'datetime',
          category: 'time',
          description: 'The current date and time in UTC and in a given IANA time zone.',
          parameters: { type: 'object', properties: { timezone: { type: 'string', description: 'e.g. "Asia/Tokyo"; default UTC' } }, additionalProperties: false },
          implementation: 'datetime',
        },
      ],
    },
    {
      name: 'units',
      description: 'Converting quantities between units.',
      tools: [
        {
          name: 'convert_units',
          category: 'units',
          description: 'Converts a value between units of length, mass, time, volume, area, speed, data, energy or temperature (e.g. mi to km, F to C).',
          parameters: { type: 'object', properties: { value: { type: 'number' }, from: { type: 'string', minLength: 1 }, to: { type: 'string', minLength: 1 } }, required: ['value', 'from', 'to'], additionalProperties: false },
          implementation: 'convert_units',
        },
      ],
    },
  ],
};
