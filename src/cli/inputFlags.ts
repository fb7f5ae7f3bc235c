// --input / --input-file for commands other than `run`.
import { readFileSync } from 'node:fs';
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
