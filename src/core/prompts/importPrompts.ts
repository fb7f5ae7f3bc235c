// `thoughtscope import-prompts`: a Python prompt module's string constants (str.format fields such as
// {input}) become Liquid templates ({{ input }}) a task file can name. Nothing is executed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { liquid } from '../templates/engine';
import { TEMPLATE_EXTENSION } from '../templates/library';
import { readPythonConstants, PythonSyntaxError, type SkippedStatement } from './pythonStrings';

export interface ImportedTemplate {
  /** e.g. "game24/propose-prompt". */
  name: string;
  /** Where it was written (absent for a dry run). */
  file?: string;
  text: string;
  variables: string[];
  /** The constant it came from and its line. */
  constant: string;
  line: number;
}

export interface ImportResult {
  templates: ImportedTemplate[];
  skipped: SkippedStatement[];
  /** Format fields that could not be carried over exactly, one line each. */
  warnings: string[];
}

export interface ImportOptions {
  /** Folder the templates go into (laid out as <prefix>/<name>.liquid). */
  outDir: string;
  /** The first part of each template name (default: the module's file name without .py). */
  prefix?: string;
  /** Field renames, e.g. { input: 'numbers' }. */
  rename?: Record<string, string>;
  /** Replace existing template files (default: refuse). */
  overwrite?: boolean;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Literal text for Liquid: anything that could open a tag is kept verbatim with {% raw %}. */
function literal(text: string): string {
  if (!/\{[{%]|\{$/.test(text)) return text;
  return `{% raw %}${text.replace(/\{% endraw %\}/g, '{% endraw %}{{ "{% endraw %}" }}{% raw %}')}{% endraw %}`;
}

/** A str.format string as a Liquid template, with the fields it reads. */
export function formatToLiquid(format: string, rename: Record<string, string> = {}, where = ''): { text: string; variables: string[]; warnings: string[] } {
  let out = '';
  let text = '';
  const variables: string[] = [];
  const warnings: string[] = [];
  let auto = 0;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch === '{' && format[i + 1] === '{') {
      text += '{';
      i++;
    } else if (ch === '}' && format[i + 1] === '}') {
      text += '}';
      i++;
    } else if (ch === '{') {
      const end = format.indexOf('}', i);
      if (end < 0) {
        warnings.push(`${where}: an unmatched "{" is kept as text`);
        text += ch;
        continue;
      }
      let field = format.slice(i + 1, end);
      const spec = /[!:]/.exec(field);
      if (spec) {
        warnings.push(`${where}: "{${field}}": the conversion or format spec "${field.slice(spec.index)}" is dropped`);
        field = field.slice(0, spec.index);
      }
      if (field === '') field = `arg${auto++}`;
      else if (/^\d+$/.test(field)) field = `arg${field}`;
      else if (!FIELD_NAME.test(field)) {
        warnings.push(`${where}: "{${field}}" is not a field Thoughtscope can name; kept as text`);
        text += format.slice(i, end + 1);
        i = end;
        continue;
      }
      const [root, ...path] = field.split('.');
      const name = [rename[root] ?? root, ...path].join('.');
      if (!variables.includes(rename[root] ?? root)) variables.push(rename[root] ?? root);
      out += literal(text) + `{{ ${name} }}`;
      text = '';
      i = end;
    } else if (ch === '}') {
      warnings.push(`${where}: a single "}" is kept as text`);
      text += ch;
    } else text += ch;
  }
  return { text: out + literal(text), variables, warnings };
}

/** A constant's template name: lower case, underscores to hyphens ("value_last_step_prompt" → "value-last-step-prompt"). */
export function templateNameOf(constant: string): string {
  return constant.toLowerCase().replace(/_+/g, '-').replace(/^-+|-+$/g, '');
}

/** Convert `source` (the module's text; `file` names it in messages) without writing anything. */
export function convertPromptModule(source: string, file: string, options: Omit<ImportOptions, 'outDir' | 'overwrite'> = {}): ImportResult {
  const prefix = options.prefix ?? basename(file).replace(/\.py$/i, '');
  if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(prefix)) throw new ImportError(`${file}: "${prefix}" cannot start a template name; pass --prefix`);
  let read;
  try {
    read = readPythonConstants(source);
  } catch (err) {
    if (err instanceof PythonSyntaxError) throw new ImportError(`${file}:${err.line}: ${err.message}`);
    throw err;
  }
  const warnings: string[] = [];
  const templates: ImportedTemplate[] = [];
  for (const c of read.constants) {
    const converted = formatToLiquid(c.value, options.rename, `${file}:${c.line} ${c.name}`);
    warnings.push(...converted.warnings);
    try {
      liquid.parse(converted.text);
    } catch (err) {
      throw new ImportError(`${file}:${c.line}: ${c.name} does not make a valid template (${(err as Error).message.split('\n')[0]})`);
    }
    templates.push({ name: `${prefix}/${templateNameOf(c.name)}`, text: converted.text, variables: converted.variables, constant: c.name, line: c.line });
  }
  if (templates.length === 0) throw new ImportError(`${file}: no top-level string constants to import${read.skipped.length ? ` (skipped: ${read.skipped.map((s) => `${s.name}, ${s.reason}`).join('; ')})` : ''}`);
  return { templates, skipped: read.skipped, warnings };
}

/** Read the module at `file` and write its templates under `options.outDir`. */
export function importPromptModule(file: string, options: ImportOptions): ImportResult {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImportError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const result = convertPromptModule(source, file, options);
  const targets = result.templates.map((t) => join(options.outDir, ...t.name.split('/')) + TEMPLATE_EXTENSION);
  if (!options.overwrite) {
    const taken = targets.filter((t) => existsSync(t));
    if (taken.length) throw new ImportError(`${taken[0]} exists${taken.length > 1 ? ` (and ${taken.length - 1} more)` : ''}; pass --force to replace`);
  }
  result.templates.forEach((t, i) => {
    mkdirSync(dirname(targets[i]), { recursive: true });
    writeFileSync(targets[i], t.text);
    t.file = targets[i];
  });
  return result;
}
