// `thoughtscope templates [--templates DIR] [--json]`: every template name with its source (built-in,
// workspace: ./.thoughtscope/templates, user: --templates DIR) and the variables it reads;
// `thoughtscope templates show <name>` prints the text that is in effect.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { TemplateError } from '../core/templates/errors';
import { UsageError } from './args';
import { cliTemplates } from './templatesFlag';

const TEMPLATES_USAGE = `Usage:
  thoughtscope templates [--templates DIR] [--json]     list every template: name, source, variables
  thoughtscope templates show <name> [--templates DIR]   print a template's text (the one in effect)

Sources: built-in (shipped), workspace (./.thoughtscope/templates/<name>.liquid), user (--templates DIR, same
layout). A later source overrides an earlier one by name. Copy a template there, edit it, run again.`;

export function templatesCommand(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { templates: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${TEMPLATES_USAGE}\n`);
    return 0;
  }
  const library = cliTemplates(values.templates);
  const [verb, name, ...extra] = positionals;
  if (verb === 'show') {
    if (!name || extra.length) throw new UsageError('templates show takes one template name (see `thoughtscope templates`)');
    try {
      process.stdout.write(library.entry(name).text);
    } catch (err) {
      if (err instanceof TemplateError) throw new UsageError(err.message);
      throw err;
    }
    return 0;
  }
  if (verb !== undefined) throw new UsageError(`unknown templates command "${verb}"; expected show <name>, or nothing to list them`);
  const rows = library.list().map((e) => ({ name: e.name, source: e.source, hash: e.hash, variables: library.variablesOf(e.name), ...(e.source === 'built-in' ? {} : { file: relative(process.cwd(), e.file) || e.file }) }));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    process.stdout.write(`${r.name.padEnd(width)}  ${r.source.padEnd(9)}  ${r.variables.join(', ') || '(no variables)'}${'file' in r ? `  ${r.file}` : ''}\n`);
  }
  return 0;
}
