// Chain of Thought (Wei et al., 2022; zero-shot "think step by step" after Kojima et al., 2022).
import type { ParamSpec } from './params';
import type { Technique } from './types';
import { answerWithPrompt } from './singlePrompt';

const params: readonly ParamSpec[] = [
  { name: 'fewShot', type: 'boolean', default: false, description: 'Prepend worked examples (few-shot CoT) instead of zero-shot.' },
  { name: 'samples', type: 'integer', default: 1, min: 1, max: 100, description: 'Independent reasoning chains to sample (n).' },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature.' },
];

export const cotTechnique: Technique = {
  id: 'cot',
  name: 'Chain of Thought',
  description: 'Ask the model to reason step by step, then read the final answer.',
  params,
  async run({ run, task, input, params: p }) {
    return answerWithPrompt(run, task, input, task.cotPrompt(input, p.fewShot as boolean), p.samples as number, p.temperature as number, 'reason');
  },
};
