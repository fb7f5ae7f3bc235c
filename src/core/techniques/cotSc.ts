// CoT with Self-Consistency (Wang et al., 2023): sample several chain-of-thought reasoning paths and
// take the majority of their final answers. The paper prompts with few-shot CoT exemplars, so
// `fewShot` is on by default here.
import type { ParamSpec } from './params';
import { selfConsistency } from './selfConsistency';
import type { Technique } from './types';

const params: readonly ParamSpec[] = [
  { name: 'samples', type: 'integer', default: 5, min: 1, max: 100, description: 'Reasoning paths to sample and vote over (sent as n; servers that ignore n get parallel requests).' },
  { name: 'fewShot', type: 'boolean', default: true, description: 'Prepend worked examples (few-shot CoT, as in the paper) instead of zero-shot "think step by step".' },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature (above 0, or every path is the same).' },
];

export const cotScTechnique: Technique = {
  id: 'cot-sc',
  name: 'CoT with Self-Consistency',
  description: 'Sample several chain-of-thought paths and take the majority of their answers (Wang et al., 2023).',
  params,
  run: (ctx) => selfConsistency(ctx, ctx.task.cotPrompt(ctx.input, ctx.params.fewShot as boolean), 'reason'),
};
