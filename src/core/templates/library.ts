// The templates a run renders from: the built-in ones (templates/ in the package root), overridden by a
// workspace's .thoughtscope/templates/ and by a user's folder (the CLI's --templates), each laid out as
// <name>.liquid ("game24/value" is game24/value.liquid). Rendering checks the variables first: a
// template that names a variable its caller does not give fails with the file and line of the name.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { packageRoot } from '../packageRoot';
import { liquid, liquidProblem, type ParsedTemplate } from './engine';
import { TemplateError } from './errors';
import type { RenderedPrompt, TemplateSource, TemplateUse } from './types';

export const TEMPLATE_EXTENSION = '.liquid';
/** A workspace's override folder, relative to its root. */
export const WORKSPACE_TEMPLATES_DIR = ['.thoughtscope', 'templates'] as const;
const NAME = /^[a-z0-9][a-z0-9_.-]*(?:\/[a-z0-9][a-z0-9_.-]*)*$/i;
const MAX_TEMPLATE_BYTES = 512 * 1024;
const MAX_SHOWN_VARIABLE = 600;

export interface TemplateEntry {
  name: string;
  text: string;
  source: TemplateSource;
  /** The file it was read from (absolute), for messages. */
  file: string;
  hash: string;
}

interface Compiled {
  parsed: ParsedTemplate;
  /** Variables the template reads from its caller, with the line of their first use. */
  globals: Map<string, number>;
}

export function templateHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Every <name>.liquid below `dir`, as entries of `source`; a folder that does not exist holds none. */
export function readTemplateDir(dir: string, source: TemplateSource): TemplateEntry[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new TemplateError(`${dir}: not a folder of templates`);
  const entries: TemplateEntry[] = [];
  const walk = (folder: string) => {
    for (const d of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, d.name);
      if (d.isDirectory()) walk(path);
      else if (d.isFile() && d.name.endsWith(TEMPLATE_EXTENSION)) {
        const name = relative(dir, path).slice(0, -TEMPLATE_EXTENSION.length).split(sep).join('/');
        if (!NAME.test(name)) throw new TemplateError(`${path}: "${name}" is not a template name (letters, digits, - _ . and / between parts)`);
        if (statSync(path).size > MAX_TEMPLATE_BYTES) throw new TemplateError(`${path}: a template may be at most ${MAX_TEMPLATE_BYTES / 1024} KiB`);
        const text = readFileSync(path, 'utf8');
        entries.push({ name, text, source, file: path, hash: templateHash(text) });
      }
    }
  };
  walk(dir);
  return entries;
}

function display(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN_VARIABLE ? `${text.slice(0, MAX_SHOWN_VARIABLE)}… (${text.length} characters)` : text;
}

export class TemplateLibrary {
  private readonly entries = new Map<string, TemplateEntry>();
  private readonly compiled = new Map<string, Compiled>();

  private constructor(entries: Iterable<TemplateEntry>) {
    for (const e of entries) this.entries.set(e.name, e);
  }

  private static builtInLibrary: TemplateLibrary | undefined;

  /** The templates shipped with Thoughtscope (read once per process). */
  static builtIn(): TemplateLibrary {
    TemplateLibrary.builtInLibrary ??= new TemplateLibrary(readTemplateDir(builtInTemplatesDir(), 'built-in'));
    return TemplateLibrary.builtInLibrary;
  }

  /** A library from entries alone (tests, imported prompt modules). */
  static of(entries: Iterable<TemplateEntry>): TemplateLibrary {
    return new TemplateLibrary(entries);
  }

  /** This library with `dir`'s templates over it (a missing folder changes nothing). Each one is parsed now, so a broken file fails here. */
  withDir(dir: string, source: TemplateSource): TemplateLibrary {
    const extra = readTemplateDir(dir, source);
    if (extra.length === 0) return this;
    const next = new TemplateLibrary([...this.entries.values(), ...extra]);
    for (const e of extra) next.compile(e);
    return next;
  }

  /** `withDir` for a folder someone named (--templates, an experiment's `templates:`): one holding no templates is an error, rather than running on the others in silence. */
  withNamedDir(dir: string, source: TemplateSource, shown: string): TemplateLibrary {
    const next = this.withDir(dir, source);
    if (next === this) throw new TemplateError(`${shown}: no <name>.liquid templates there`);
    return next;
  }

  /** Every template, by name. */
  list(): TemplateEntry[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): TemplateEntry | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry called `name`, or a one-line error naming the nearest known names. */
  entry(name: string): TemplateEntry {
    const found = this.entries.get(name);
    if (found) return found;
    const prefix = name.split('/')[0];
    const near = this.list().filter((e) => e.name.startsWith(`${prefix}/`)).map((e) => e.name);
    throw new TemplateError(`no template named "${name}"${near.length ? `; ${prefix}/ has ${near.join(', ')}` : ''} (\`thoughtscope templates\` lists them all)`);
  }

  /** The variables `name` reads from its caller, in order of first use. */
  variablesOf(name: string): string[] {
    return [...this.compile(this.entry(name)).globals.keys()];
  }

  /**
   * Render `name` with `variables`. Throws a TemplateError naming the file and line when the template
   * reads a variable it is not given, or fails to render.
   */
  render(name: string, variables: Record<string, unknown>): RenderedPrompt {
    const entry = this.entry(name);
    const { parsed, globals } = this.compile(entry);
    for (const [variable, line] of globals) {
      if (!Object.hasOwn(variables, variable)) {
        const given = Object.keys(variables);
        throw new TemplateError(`${entry.file}:${line}: unknown variable "${variable}" (${name} gets: ${given.length ? given.join(', ') : 'no variables'})`);
      }
    }
    let text: string;
    try {
      text = String(liquid.renderSync(parsed, variables));
    } catch (err) {
      const { message, line } = liquidProblem(err);
      throw new TemplateError(`${entry.file}${line ? `:${line}` : ''}: ${message} (template ${name})`);
    }
    const template: TemplateUse = {
      name,
      source: entry.source,
      hash: entry.hash,
      variables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, display(v)])),
    };
    return { text, templates: [template] };
  }

  private compile(entry: TemplateEntry): Compiled {
    const key = `${entry.source}\u0000${entry.name}`;
    let compiled = this.compiled.get(key);
    if (compiled) return compiled;
    try {
      const parsed = liquid.parse(entry.text, entry.file);
      const globals = new Map<string, number>();
      for (const [variable, uses] of Object.entries(liquid.analyzeSync(parsed, { partials: false }).globals)) {
        globals.set(variable, Math.min(...uses.map((u) => u.location.row)));
      }
      compiled = { parsed, globals };
    } catch (err) {
      const { message, line } = liquidProblem(err);
      throw new TemplateError(`${entry.file}${line ? `:${line}` : ''}: ${message} (template ${entry.name})`);
    }
    this.compiled.set(key, compiled);
    return compiled;
  }
}

/** templates/ in the package root: beside package.json, above dist/ (bundles) and src/ (sources). */
export function builtInTemplatesDir(): string {
  return join(packageRoot(__dirname), 'templates');
}

/** `outer`'s text, recording the templates of `parts` (prompts whose text it includes) after its own; an undefined part (one not shown) records nothing. */
export function withParts(outer: RenderedPrompt, ...parts: Array<RenderedPrompt | undefined>): RenderedPrompt {
  return { text: outer.text, templates: [...outer.templates, ...parts.flatMap((p) => p?.templates ?? [])] };
}
