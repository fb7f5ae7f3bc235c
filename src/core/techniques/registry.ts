// Every technique Thoughtscope knows, by id. The CLI, the command palette and the settings read this list.
import { aotTechnique } from './aot';
import { constitutionalTechnique } from './constitutional';
import { cotTechnique } from './cot';
import { cotScTechnique } from './cotSc';
import { iclTechnique } from './icl';
import { ioTechnique } from './io';
import { scTechnique } from './sc';
import { totTechnique } from './tot';
import type { Technique } from './types';

export const TECHNIQUES: readonly Technique[] = [ioTechnique, cotTechnique, totTechnique, aotTechnique, iclTechnique, scTechnique, cotScTechnique, constitutionalTechnique];

export function findTechnique(id: string): Technique | undefined {
  return TECHNIQUES.find((t) => t.id === id);
}

export function techniqueIds(): string[] {
  return TECHNIQUES.map((t) => t.id);
}
