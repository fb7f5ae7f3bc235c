// Every technique Thoughtscope knows, by id. The CLI, the command palette and the settings read this list.
import { anytoolTechnique } from './anytool';
import { aotTechnique } from './aot';
import { constitutionalTechnique } from './constitutional';
import { cotTechnique } from './cot';
import { cotScTechnique } from './cotSc';
import { gotTechnique } from './got';
import { eotTechnique } from './eot';
import { frugalTechnique } from './frugal';
import { iclTechnique } from './icl';
import { ioTechnique } from './io';
import { potTechnique } from './pot';
import { ragTechnique } from './rag';
import { scTechnique } from './sc';
import { teamTechnique } from './team';
import { totTechnique } from './tot';
import type { Technique } from './types';

export const TECHNIQUES: readonly Technique[] = [ioTechnique, cotTechnique, totTechnique, aotTechnique, gotTechnique, iclTechnique, scTechnique, cotScTechnique, constitutionalTechnique, potTechnique, eotTechnique, frugalTechnique, ragTechnique, anytoolTechnique, teamTechnique];

export function findTechnique(id: string): Technique | undefined {
  return TECHNIQUES.find((t) => t.id === id);
}

export function techniqueIds(): string[] {
  return TECHNIQUES.map((t) => t.id);
}
