// Writes package.json's `contributes.configuration` (general settings and one section per
// technique, from the technique parameter declarations) and the Workspace Trust list of restricted
// settings, from src/settings/settingsSchema.ts. Their English texts go to package.nls.json under
// `config.*` / `capabilities.*` keys, and package.json names them as %key% (VS Code's manifest
// localization); the other keys of package.nls.json and everything else in package.json are left as they are.
//   node --import tsx scripts/gen-settings.ts          rewrite package.json and package.nls.json
//   node --import tsx scripts/gen-settings.ts --check  exit 1 if either is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationContribution, restrictedConfigurations } from '../src/settings/settingsSchema';

const manifestPath = fileURLToPath(new URL('../package.json', import.meta.url));
const nlsPath = fileURLToPath(new URL('../package.nls.json', import.meta.url));

/** Keys of package.nls.json that this script owns (rewritten every time); the rest are written by hand. */
const GENERATED_PREFIXES = ['config.', 'capabilities.untrustedWorkspaces.'];
/** Schema fields that are text a person reads, so they are localized. */
const TEXT_FIELDS = new Set(['title', 'description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage']);
const TEXT_LIST_FIELDS = new Set(['enumDescriptions', 'markdownEnumDescriptions']);

/** `value` with its text fields replaced by %key% references (keys start with `prefix`), the texts put in `strings`. */
function localize(value: unknown, prefix: string, strings: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v, i) => localize(v, `${prefix}.${i}`, strings));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(value)) {
    const key = `${prefix}.${field}`;
    if (TEXT_FIELDS.has(field) && typeof v === 'string') {
      out[field] = reference(key, v, strings);
    } else if (TEXT_LIST_FIELDS.has(field) && Array.isArray(v)) {
      out[field] = v.map((text: string, i: number) => reference(`${key}.${i}`, text, strings));
    } else {
      out[field] = localize(v, key, strings);
    }
  }
  return out;
}

function reference(key: string, text: string, strings: Record<string, string>): string {
  if (key in strings && strings[key] !== text) throw new Error(`package.nls.json key ${key} would name two texts`);
  strings[key] = text;
  return `%${key}%`;
}

/** A settings section localized: config.<section id>.title, config.<setting id>.<field path> for its settings. */
function localizeSection(section: { id: string; title: string; properties: Record<string, unknown> }, strings: Record<string, string>): unknown {
  const properties = Object.fromEntries(Object.entries(section.properties).map(([id, schema]) => [id, localize(schema, `config.${id}`, strings)]));
  return { ...section, title: reference(`config.${section.id}.title`, section.title, strings), properties };
}

const UNTRUSTED_DESCRIPTION =
  'In untrusted workspaces, Thoughtscope ignores workspace values of the settings that choose the server, model, prices and budget, and the folder rag indexes, so a workspace cannot send your prompts, files or API key elsewhere or lift your spending limits. Its prompt templates in .thoughtscope/templates, and a task file named in thoughtscope.task, are not read there either. Program of Thoughts does not run generated programs there: the graph shows the program, not run.';

/** package.json and package.nls.json with the generated parts rewritten. */
export function generatedManifest(manifest: Record<string, any>, nls: Record<string, string>): { manifest: Record<string, any>; nls: Record<string, string> } {
  const strings: Record<string, string> = {};
  const next = structuredClone(manifest);
  next.contributes ??= {};
  next.contributes.configuration = configurationContribution().map((section) => localizeSection(section, strings));
  next.capabilities ??= {};
  strings['capabilities.untrustedWorkspaces.description'] = UNTRUSTED_DESCRIPTION;
  next.capabilities.untrustedWorkspaces = {
    supported: 'limited',
    description: '%capabilities.untrustedWorkspaces.description%',
    restrictedConfigurations: restrictedConfigurations(),
  };
  const handWritten = Object.entries(nls).filter(([key]) => !GENERATED_PREFIXES.some((p) => key.startsWith(p)));
  return { manifest: next, nls: { ...Object.fromEntries(handWritten), ...strings } };
}

function main(): void {
  const files = [
    { path: manifestPath, text: readFileSync(manifestPath, 'utf8') },
    { path: nlsPath, text: readFileSync(nlsPath, 'utf8') },
  ];
  const generated = generatedManifest(JSON.parse(files[0].text), JSON.parse(files[1].text));
  const next = [generated.manifest, generated.nls].map((json) => `${JSON.stringify(json, null, 2)}\n`);
  const stale = files.filter((f, i) => next[i] !== f.text);
  if (process.argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(`${stale.map((f) => f.path).join(', ')}: settings out of date: run \`npm run gen:settings\``);
      process.exit(1);
    }
    console.log('package.json and package.nls.json settings are up to date');
    return;
  }
  if (stale.length === 0) {
    console.log('package.json and package.nls.json settings already up to date');
    return;
  }
  files.forEach((f, i) => writeFileSync(f.path, next[i]));
  console.log('package.json + package.nls.json: contributes.configuration and restricted settings regenerated');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
