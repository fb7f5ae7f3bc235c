// The tool catalog: categories of tools whose parameters are JSON Schemas. A user's catalog is a JSON
// file of the same shape; the built-in tools (builtinTools.ts) can be merged in. Every problem with
// a catalog file becomes one line that names the category or tool at fault.
import Ajv, { type ValidateFunction } from 'ajv';

/** How a tool runs: a built-in implementation by name, or a JavaScript body run in the sandbox. */
export type Implementation = string | { javascript: string };

export interface CatalogTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  implementation?: Implementation;
  /** The category it is listed under (filled in when loading). */
  category: string;
}

export interface Category {
  name: string;
  description: string;
  tools: CatalogTool[];
}

export interface Catalog {
  categories: Category[];
}

export class CatalogError extends Error {}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** One Ajv for all tools; strict mode off so catalogs may carry annotations Ajv does not know. */
export const ajv = new Ajv({ allErrors: true, strict: false });

const validators = new WeakMap<CatalogTool, ValidateFunction>();

export function validatorOf(tool: CatalogTool): ValidateFunction {
  let v = validators.get(tool);
  if (!v) validators.set(tool, (v = ajv.compile(tool.parameters)));
  return v;
}

function text(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new CatalogError(`${where}: "${field}" must be non-empty text`);
  return value;
}

/** Check a parsed catalog file; `where` names the file in messages. */
export function parseCatalog(raw: unknown, where: string): Catalog {
  if (!raw || typeof raw !== 'object' || !Array.isArray((raw as { categories?: unknown }).categories)) {
    throw new CatalogError(`${where}: expected an object with a "categories" array`);
  }
  const seen = new Set<string>();
  const categories = (raw as { categories: unknown[] }).categories.map((c, ci) => {
    const cwhere = `${where}: category ${ci + 1}`;
    if (!c || typeof c !== 'object') throw new CatalogError(`${cwhere} must be an object`);
    const cat = c as Record<string, unknown>;
    const name = text(cat.name, cwhere, 'name');
    if (!Array.isArray(cat.tools)) throw new CatalogError(`${where}: category "${name}" needs a "tools" array`);
    const tools = cat.tools.map((t, ti) => {
      const twhere = `${where}: category "${name}" tool ${ti + 1}`;
      if (!t || typeof t !== 'object') throw new CatalogError(`${twhere} must be an object`);
      const tool = t as Record<string, unknown>;
      const toolName = text(tool.name, twhere, 'name');
      if (!NAME.test(toolName)) throw new CatalogError(`${where}: tool "${toolName}" has a bad name: use letters, digits, _ and - (at most 64)`);
      if (seen.has(toolName)) throw new CatalogError(`${where}: tool "${toolName}" is listed twice`);
      seen.add(toolName);
      const parameters = tool.parameters ?? { type: 'object', properties: {} };
      if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters) || (parameters as { type?: unknown }).type !== 'object') {
        throw new CatalogError(`${where}: tool "${toolName}": "parameters" must be a JSON Schema with "type": "object"`);
      }
      try {
        ajv.compile(parameters as Record<string, unknown>);
      } catch (err) {
        throw new CatalogError(`${where}: tool "${toolName}": "parameters" is not a valid JSON Schema (${(err as Error).message})`);
      }
      const impl = tool.implementation;
      if (impl !== undefined && typeof impl !== 'string' && !(impl && typeof impl === 'object' && typeof (impl as { javascript?: unknown }).javascript === 'string')) {
        throw new CatalogError(`${where}: tool "${toolName}": "implementation" must be a built-in tool name or {"javascript": "<code>"}`);
      }
      return { name: toolName, description: text(tool.description, `${where}: tool "${toolName}"`, 'description'), parameters: parameters as Record<string, unknown>, implementation: impl as Implementation | undefined, category: name };
    });
    return { name, description: typeof cat.description === 'string' ? cat.description : '', tools };
  });
  if (categories.length === 0) throw new CatalogError(`${where}: the catalog has no categories`);
  return { categories };
}

/** `extra`'s categories after `base`'s; a category of the same name gets the extra tools appended. */
export function mergeCatalogs(base: Catalog, extra: Catalog): Catalog {
  const names = new Set(base.categories.flatMap((c) => c.tools.map((t) => t.name)));
  for (const t of extra.categories.flatMap((c) => c.tools)) {
    if (names.has(t.name)) throw new CatalogError(`tool "${t.name}" is both built in and in the catalog file; rename it or set builtins=false`);
  }
  const out = base.categories.map((c) => ({ ...c, tools: [...c.tools] }));
  for (const c of extra.categories) {
    const same = out.find((o) => o.name === c.name);
    if (same) same.tools.push(...c.tools.map((t) => ({ ...t, category: same.name })));
    else out.push(c);
  }
  return { categories: out };
}

export function allTools(catalog: Catalog): CatalogTool[] {
  return catalog.categories.flatMap((c) => c.tools);
}
