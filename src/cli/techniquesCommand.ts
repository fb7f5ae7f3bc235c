import { parseArgs } from 'node:util';
import { TECHNIQUES } from '../core/techniques/registry';
import type { ParamSpec } from '../core/techniques/params';
import { UsageError } from './args';

export function techniquesCommand(argv: string[]): number {
  let json = false;
  try {
    json = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true }).values.json ?? false;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  if (json) {
    const list = TECHNIQUES.map((t) => ({ id: t.id, name: t.name, description: t.description, params: t.params }));
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  for (const t of TECHNIQUES) {
    process.stdout.write(`${t.id}  ${t.name}: ${t.description}\n`);
    for (const p of t.params) process.stdout.write(`    --param ${p.name}=<${describeRange(p)}>  default ${String(p.default)}. ${p.description}\n`);
  }
  return 0;
}

function describeRange(p: ParamSpec): string {
  if (p.type === 'enum') return p.options.join('|');
  if (p.type === 'boolean') return 'true|false';
  if (p.type === 'string') return 'text';
  return `${p.min}..${p.max}`;
}
