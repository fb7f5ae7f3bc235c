// IO prompting: ask once, take the answer. With samples > 1 the server is asked for n choices and
// the first is the answer; every sample is kept as a candidate (best-of-k evaluation).
import type { ParamSpec } from './params';
import type { Technique } from './types';
import { answerWithPrompt } from './singlePrompt';

const params: readonly ParamSpec[] = [
  { name: 'samples', type: 'integer', default: 1, min: 1, max: 100, description: 'Independent answers to sample (n).' },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature.' },
];

export const ioTechnique: Technique = {
  id: 'io',
  name: 'IO (direct answer)',
  description: 'Ask the model for the answer directly, with no reasoning.',
  params,
  async run({ run, task, input, params: p }) {
    return answerWithPrompt(run, task, input, task.ioPrompt(input), p.samples as number, p.temperature as number, 'answer');
  },
};
