// Writes the published JSON Schemas from the declarations they describe:
//   schemas/experiment.schema.json   experiment files (thoughtscope.yaml), from src/core/experiment/schema.ts
//   node --import tsx scripts/gen-schemas.ts          rewrite them
//   node --import tsx scripts/gen-schemas.ts --check  exit 1 if one is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { experimentSchema } from '../src/core/experiment/schema';

const files: Array<[string, unknown]> = [[fileURLToPath(new URL('../schemas/experiment.schema.json', import.meta.url)), experimentSchema()]];
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, schema] of files) {
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    // not written yet
  }
  if (old === text) continue;
  if (check) {
    process.stderr.write(`${path} is out of date: run npm run gen:schemas\n`);
    stale++;
  } else {
    writeFileSync(path, text);
    process.stdout.write(`${path} written\n`);
  }
}
process.exitCode = stale ? 1 : 0;
