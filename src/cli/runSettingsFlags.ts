// --reasoning-effort and --seed, shared by run, eval and compare (compare takes a list of efforts:
// each is one more row per technique and model).
import { REASONING_EFFORTS, type ReasoningEffort } from '../core/model/types';
import { positiveNumber, UsageError } from './args';

export const RUN_SETTING_OPTIONS = {
  'reasoning-effort': { type: 'string' },
  seed: { type: 'string' },
} as const;

export function reasoningEffortFlag(raw: string | undefined): ReasoningEffort | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!(REASONING_EFFORTS as readonly string[]).includes(value)) throw new UsageError(`--reasoning-effort must be one of ${REASONING_EFFORTS.join(', ')}, got "${raw}"`);
  return value as ReasoningEffort;
}

/** compare: "low,high" → both; each must be an effort. */
export function reasoningEffortsFlag(raw: string | undefined): Array<ReasoningEffort | undefined> {
  if (raw === undefined) return [undefined];
  const efforts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (efforts.length === 0) throw new UsageError('--reasoning-effort needs at least one of minimal, low, medium, high');
  return [...new Set(efforts.map(reasoningEffortFlag))];
}

export function seedFlag(raw: string | undefined): number | undefined {
  return positiveNumber('seed', raw, { integer: true, max: 2_147_483_647 });
}
