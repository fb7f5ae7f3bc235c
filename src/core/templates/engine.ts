// The template engine: LiquidJS, configured so that a template can neither run code nor reach anything
// but the variables it is given (README: Prompt templates, for the comparison with nunjucks):
//   - strictVariables / strictFilters: an unknown name is an error, never an empty string;
//   - ownPropertyOnly: `{{ text.constructor }}` finds nothing (no prototype walk);
//   - a file system that holds nothing: `{% include %}`, `{% render %}` and `{% layout %}` fail;
//   - parse, render-time and memory limits, so a workspace's template cannot hang a run.
// Variable values are data: a model's reply holding "{{ … }}" is printed as written, never rendered.
import { Liquid, type Template } from 'liquidjs';
import type { FS } from 'liquidjs/dist/fs/fs';

const NOTHING = 'templates cannot read files ({% include %}, {% render %} and {% layout %} are not available)';

const noFiles: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error(NOTHING);
  },
  readFileSync: () => {
    throw new Error(NOTHING);
  },
  resolve: (_dir, file) => file,
  containsSync: () => false,
  contains: async () => false,
};

export const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  fs: noFiles,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  cache: false,
  parseLimit: 1_000_000,
  renderLimit: 5_000,
  memoryLimit: 256_000_000,
});

export type ParsedTemplate = Template[];

/** A LiquidJS error's message without its trailing location and stack (the caller names file and line). */
export function liquidProblem(err: unknown): { message: string; line?: number } {
  const e = err as { message?: string; token?: { getPosition?: () => [number, number] }; originalError?: Error };
  const position = e.token?.getPosition?.();
  const raw = e.originalError?.message ?? e.message ?? String(err);
  const message = raw.split('\n')[0].replace(/,\s*line:\d+,\s*col:\d+\s*$/, '').trim();
  return { message, line: position?.[0] };
}
