// `--profiles <file.json>`: model profiles in the shape of the `thoughtscope.profiles` setting, with
// each profile's key read from the environment variable it names (`apiKeyEnv`). Keys are never read
// from the file. `--profile <name>` makes one of them the run's own model.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildRunProfiles } from '../core/model/profileModels';
import type { ChatModel } from '../core/model/types';
import { validateProfiles, type ModelProfile } from '../core/profiles';
import type { RunProfile } from '../core/run/run';
import { UsageError } from './args';

export function readProfilesFile(path: string): ModelProfile[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read --profiles ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0]}`);
  }
  try {
    return validateProfiles(raw, `--profiles ${path}`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function writeProfilesFile(path: string, profiles: readonly ModelProfile[]): void {
  writeFileSync(path, `${JSON.stringify(profiles, null, 2)}\n`);
}

/** RunProfiles for the CLI: OpenAI-compatible profiles only (vscode-lm needs VS Code and is left out). */
export function cliRunProfiles(profiles: readonly ModelProfile[], options: { timeoutMs: number; idleTimeoutMs?: number; stream?: boolean; warn(message: string): void }): RunProfile[] {
  for (const p of profiles) {
    if (p.apiKeyEnv && !process.env[p.apiKeyEnv]?.trim()) options.warn(`profile "${p.name}": $${p.apiKeyEnv} is not set; its requests are sent without a key`);
    if (p.provider === 'vscode-lm') options.warn(`profile "${p.name}" uses VS Code's language models and is not available in the CLI`);
  }
  try {
    return buildRunProfiles(profiles, {
      apiKeyOf: (p) => (p.apiKeyEnv ? process.env[p.apiKeyEnv]?.trim() || undefined : undefined),
      timeoutMs: options.timeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      stream: options.stream,
      skipUnavailable: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The model of `--profile <name>`, for use as the run's own model. */
export function profileModel(profiles: readonly RunProfile[], name: string): ChatModel {
  const found = profiles.find((p) => p.name === name);
  if (!found) throw new UsageError(`--profile "${name}" is not in --profiles; known: ${profiles.map((p) => p.name).join(', ') || '(none)'}`);
  if (!found.model) throw new UsageError(`--profile "${name}" is a cascade; run it with --technique frugal --param stages=${name}`);
  return found.model;
}
