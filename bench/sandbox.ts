// Section 5, the program sandbox as it ships (the unpacked .vsix's dist/sandbox): a Deno process per
// program. Cold start (Pyodide's snapshot made, then restored), the cost of each further program
// (a spare process was started while the previous one ran), JavaScript in QuickJS, twenty programs
// as PoT-SC would send them, and what the sandbox adds to the .vsix.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DenoSandbox } from '../src/core/sandbox/sandbox';
import type { ProgramLanguage } from '../src/core/sandbox/types';
import { median, round } from './models';

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

export async function benchSandbox(options: { extensionDir: string; repeats: number; log: (line: string) => void }) {
  const { extensionDir, log } = options;
  const dir = join(extensionDir, 'dist', 'sandbox');
  const exe = process.platform === 'win32' ? 'deno.exe' : 'deno';
  const sandbox = new DenoSandbox(() => ({ dir, runner: join(dir, 'runner.mjs'), deno: join(dir, exe) }));
  const time = async (language: ProgramLanguage, code: string): Promise<number> => {
    const started = performance.now();
    const result = await sandbox.execute({ language, code });
    if (!result.ok) throw new Error(`bench program failed: ${result.error}`);
    return performance.now() - started;
  };
  try {
    const coldPythonMs = await time('python', 'print(6 * 7)');
    const python: number[] = [];
    for (let i = 0; i < 10 * options.repeats; i++) python.push(await time('python', 'from fractions import Fraction\nresult = Fraction(1, 3) + Fraction(1, 6)'));
    const coldJsMs = await time('javascript', 'console.log(6 * 7)');
    const js: number[] = [];
    for (let i = 0; i < 10 * options.repeats; i++) js.push(await time('javascript', 'var result = 2n ** 100n'));
    const started = performance.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => sandbox.execute({ language: 'python', code: `result = ${i} * 2` })));
    const twentyPythonMs = performance.now() - started;
    log(`  sandbox: python cold ${round(coldPythonMs)} ms, then ${round(median(python))} ms; js ${round(median(js))} ms; 20 python ${round(twentyPythonMs)} ms`);
    return {
      coldPythonMs: round(coldPythonMs),
      pythonPerProgramMs: round(median(python)),
      coldJavaScriptMs: round(coldJsMs),
      javascriptPerProgramMs: round(median(js)),
      twentyPythonProgramsMs: round(twentyPythonMs),
      denoBinaryBytes: statSync(join(dir, exe)).size,
      interpreterBytes: folderBytes(dir) - statSync(join(dir, exe)).size,
      processesStarted: sandbox.starts,
    };
  } finally {
    sandbox.dispose();
  }
}
