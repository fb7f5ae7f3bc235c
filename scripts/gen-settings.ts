// Writes package.json's `contributes.configuration` (general settings and one section per
// technique, from the technique parameter declarations) and the Workspace Trust list of restricted
// settings, from src/settings/settingsSchema.ts. Everything else in package.json is left as it is.
//   node --import tsx scripts/gen-settings.ts          rewrite package.json
//   node --import tsx scripts/gen-settings.ts --check  exit 1 if package.json is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationContribution, restrictedConfigurations } from '../src/settings/settingsSchema';

const manifestPath = fileURLToPath(new URL('../package.json', import.meta.url));

const UNTRUSTED_DESCRIPTION =
  'In untrusted workspaces, Thoughtscope ignores workspace values of the settings that choose the server, model, prices and budget, and the folder rag indexes, so a workspace cannot send your prompts, files or API key elsewhere or lift your spending limits. Program of Thoughts does not run generated programs there: the graph shows the program, not run.';

export function generatedManifest(manifest: Record<string, any>): Record<string, any> {
  const next = structuredClone(manifest);
  next.contributes ??= {};
  next.contributes.configuration = configurationContribution();
  next.capabilities ??= {};
  next.capabilities.untrustedWorkspaces = {
    supported: 'limited',
    description: UNTRUSTED_DESCRIPTION,
    restrictedConfigurations: restrictedConfigurations(),
  };
  return next;
}

function main(): void {
  const text = readFileSync(manifestPath, 'utf8');
  const next = `${JSON.stringify(generatedManifest(JSON.parse(text)), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('package.json settings are out of date: run `npm run gen:settings`');
      process.exit(1);
    }
    console.log('package.json settings are up to date');
    return;
  }
  if (next === text) {
    console.log('package.json settings already up to date');
    return;
  }
  writeFileSync(manifestPath, next);
  console.log('package.json: contributes.configuration and restricted settings regenerated');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
