// Flags that name files to read: --input / --input-file and --pricing, shared by the commands.
import { readFileSync } from 'node:fs';
import { validatePricingTable } from '../core/pricing';
import { UsageError } from './args';

export function readInputFlags(text: string | undefined, file: string | undefined): string {
  if (text !== undefined && file !== undefined) throw new UsageError('give either --input or --input-file, not both');
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --input-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (text === undefined || text.trim() === '') throw new UsageError('an input is required: --input <text> or --input-file <path>');
  return text;
}

export function readPricingFile(path: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read --pricing ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return validatePricingTable(raw, `--pricing ${path}`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
