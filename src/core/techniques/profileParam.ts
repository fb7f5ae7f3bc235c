// Techniques that name model profiles in their parameters (eot, frugal) look them up here, so an
// unknown name is always a ParamError naming the technique and the parameter.
import type { ChatModel } from '../model/types';
import type { Run } from '../run/run';
import { ParamError } from './params';

export function profileModel(run: Run, technique: string, param: string, name: string): ChatModel {
  try {
    return run.modelNamed(name);
  } catch (err) {
    throw new ParamError(`technique "${technique}" parameter "${param}": ${(err as Error).message}`);
  }
}
