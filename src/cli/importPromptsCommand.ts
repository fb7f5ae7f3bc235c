// `thoughtscope import-prompts <module.py>`: a Python prompt module's top-level string constants become
// templates (str.format fields {x} → {{ x }}) under .thoughtscope/templates/<prefix>/, for a task file to name.
import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { ImportError, importPromptModule } from '../core/prompts/importPrompts';
import { WORKSPACE_TEMPLATES_DIR } from '../core/templates/library';
import { UsageError } from './args';

const IMPORT_USAGE = `Usage:
  thoughtscope import-prompts <module.py> [--out DIR] [--prefix NAME] [--rename field=variable ...] [--force] [--json]

Reads the module's top-level string constants (nothing is executed) and writes each as a template:
NAME_PROMPT in game24.py becomes <DIR>/game24/name-prompt.liquid, its {fields} become {{ fields }}.
  --out DIR       where the templates go (default .thoughtscope/templates, the workspace overrides)
  --prefix NAME   the first part of every template name (default: the module's file name)
  --rename a=b    write field {a} as the variable b (e.g. input=numbers for Game of 24's current numbers)
  --force         replace template files that exist`;

export function importPromptsCommand(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, prefix: { type: 'string' }, rename: { type: 'string', multiple: true }, force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('import-prompts takes one Python file (see thoughtscope import-prompts --help)');
  const rename: Record<string, string> = {};
  for (const r of values.rename ?? []) {
    const m = /^([A-Za-z_]\w*)=([A-Za-z_]\w*)$/.exec(r.trim());
    if (!m) throw new UsageError(`--rename expects field=variable (letters, digits, _), got "${r}"`);
    rename[m[1]] = m[2];
  }
  const outDir = values.out ?? join(...WORKSPACE_TEMPLATES_DIR);
  let result;
  try {
    result = importPromptModule(positionals[0], { outDir, prefix: values.prefix, rename, overwrite: values.force });
  } catch (err) {
    if (err instanceof ImportError) throw new UsageError(err.message);
    throw err;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  for (const t of result.templates) process.stdout.write(`${t.name}  (${t.constant}, line ${t.line})  ${t.variables.join(', ') || '(no variables)'}  → ${relative(process.cwd(), t.file!) || t.file}\n`);
  for (const s of result.skipped) process.stderr.write(`skipped ${s.name} (line ${s.line}): ${s.reason}\n`);
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  return 0;
}
