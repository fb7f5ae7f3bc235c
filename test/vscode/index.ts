// Entry point VS Code calls inside the extension host (extensionTestsPath): runs every bundled
// *.test.js next to this file with mocha and rejects when any test fails.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 30_000 });
  for (const file of readdirSync(__dirname)) if (file.endsWith('.test.js')) mocha.addFile(join(__dirname, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} VS Code test(s) failed`);
}
