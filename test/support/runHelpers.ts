// Small helpers shared by engine tests: a model on the fake server, and a fan-out technique that
// makes many independent calls so run control (concurrency, cancel, budget) can be observed.
import { OpenAIChatModel, type OpenAIModelConfig } from '../../src/core/model/openaiModel';
import { Run, type RunOptions } from '../../src/core/run/run';
import type { Technique } from '../../src/core/techniques/types';

export function modelAt(baseUrl: string, extra: Partial<OpenAIModelConfig> = {}): OpenAIChatModel {
  return new OpenAIChatModel({ baseUrl, model: 'gpt-4o-mini', apiKey: 'test-key', ...extra });
}

export function runAt(baseUrl: string, options: Partial<RunOptions> = {}, model: Partial<OpenAIModelConfig> = {}): Run {
  return new Run({ model: modelAt(baseUrl, model), retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 2000 }, ...options });
}

/** Asks `width` different questions in parallel, `rounds` times in sequence. */
export const fanOutTechnique: Technique = {
  id: 'fan-out',
  name: 'Fan-out (test)',
  description: 'Independent parallel calls, for run-control tests.',
  params: [
    { name: 'width', type: 'integer', default: 4, min: 1, max: 100, description: 'Parallel calls per round.' },
    { name: 'rounds', type: 'integer', default: 1, min: 1, max: 100, description: 'Rounds in sequence.' },
  ],
  async run({ run, input, params }) {
    const root = run.graph.addNode({ kind: 'question', text: input });
    let last = '';
    for (let r = 0; r < (params.rounds as number); r++) {
      run.throwIfCancelled();
      const nodes = Array.from({ length: params.width as number }, (_, i) =>
        run.graph.addNode({ kind: 'thought', text: `round ${r} call ${i}`, status: 'pending' }, [{ id: root.id, kind: 'expand' }]),
      );
      const replies = await Promise.all(
        nodes.map((n, i) => run.call(n.id, 'ask', { messages: [{ role: 'user', content: `${input} round ${r} call ${i}` }] })),
      );
      last = replies[replies.length - 1].choices[0];
    }
    return { answer: last };
  },
};
