// Flags that name files to read: --input / --input-file and --pricing, shared by the commands.
// An input file is read with a size cap (a path like /dev/zero never ends) and must be text.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { validatePricingTable } from '../core/pricing';
import { positiveNumber, UsageError } from './args';

export const DEFAULT_MAX_INPUT_MB = 1;

/** --input / --input-file with --max-input-mb, as run and compare take them. */
export function inputFlags(args: { input?: string; 'input-file'?: string; 'max-input-mb'?: string }): string {
  const maxMb = positiveNumber('max-input-mb', args['max-input-mb'], { min: 0.001, max: 1024 }) ?? DEFAULT_MAX_INPUT_MB;
  return readInputFlags(args.input, args['input-file'], maxMb);
}

export function readInputFlags(text: string | undefined, file: string | undefined, maxInputMb = DEFAULT_MAX_INPUT_MB): string {
  if (text !== undefined && file !== undefined) throw new UsageError('give either --input or --input-file, not both');
  if (file !== undefined) return readInputFile(file, maxInputMb);
  if (text === undefined || text.trim() === '') throw new UsageError('an input is required: --input <text> or --input-file <path>');
  return text;
}

/** At most `maxMb` of UTF-8 text; more, or binary content, is a one-line UsageError. */
export function readInputFile(file: string, maxMb: number): string {
  const limit = Math.floor(maxMb * 1024 * 1024);
  const bytes = readAtMost(file, limit + 1);
  if (bytes.length > limit) {
    throw new UsageError(`--input-file ${file} is larger than ${maxMb} MB (or never ends); pass --max-input-mb <MB> to allow a larger input`);
  }
  if (bytes.includes(0)) throw new UsageError(`--input-file ${file} looks binary (it contains NUL bytes); give a text file`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`--input-file ${file} is not UTF-8 text; give a text file`);
  }
}

/** The first `max` bytes of a file (a device or a pipe too), reading no further. */
function readAtMost(file: string, max: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new UsageError(`cannot read --input-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    while (length < max) {
      const chunk = Buffer.alloc(Math.min(max - length, 1024 * 1024));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
    }
    return Buffer.concat(chunks, length);
  } catch (err) {
    throw new UsageError(`cannot read --input-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    closeSync(fd);
  }
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
