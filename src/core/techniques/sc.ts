// Self-Consistency (Wang et al., 2023) over direct answers: sample several answers to the task's
// direct prompt and take the majority. `cot-sc` is the same vote over chain-of-thought samples.
import type { ParamSpec } from './params';
import { selfConsistency } from './selfConsistency';
import type { Technique } from './types';

const params: readonly ParamSpec[] = [
  { name: 'samples', type: 'integer', default: 5, min: 1, max: 100, description: 'Answers to sample and vote over (sent as n; servers that ignore n get parallel requests).' },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature (above 0, or every sample is the same).' },
];

export const scTechnique: Technique = {
  id: 'sc',
  name: 'Self-Consistency',
  description: 'Sample several direct answers and take the majority vote; the vote share is the confidence (Wang et al., 2023).',
  params,
  run: (ctx) => selfConsistency(ctx, ctx.task.ioPrompt(ctx.input), 'answer'),
};
