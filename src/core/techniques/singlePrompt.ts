// The shared shape of IO and CoT: one prompt, n sampled completions, the first one's answer is the
// run's answer, and every sample's extracted answer is kept as a candidate.
import type { Run } from '../run/run';
import type { Task } from '../tasks/types';
import type { RenderedPrompt } from '../templates/types';
import type { TechniqueResult } from './types';

export async function answerWithPrompt(
  run: Run,
  task: Task,
  input: string,
  prompt: RenderedPrompt,
  samples: number,
  temperature: number,
  role: string,
): Promise<TechniqueResult> {
  const question = run.graph.addNode({ kind: 'question', text: input });
  const responder = run.graph.addNode({ kind: 'thought', text: `Asking ${run.model.model}…`, status: 'pending' }, [{ id: question.id, kind: 'expand' }]);
  const response = await run.call(responder.id, role, { messages: [{ role: 'user', content: prompt.text }], temperature, n: samples }, { templates: prompt.templates });
  run.graph.update(responder.id, { text: response.choices[0] ?? '' });
  const candidates = response.choices.map((c) => task.extractAnswer(c));
  let answerNode = responder;
  for (const [i, choice] of response.choices.entries()) {
    const node = i === 0 ? responder : run.graph.addNode({ kind: 'thought', text: choice }, [{ id: question.id, kind: 'expand' }]);
    const answer = candidates[i];
    const judged = task.judge?.(input, answer);
    const leaf = run.graph.addNode(
      { kind: 'answer', text: answer, score: judged === undefined ? undefined : judged ? 1 : 0 },
      [{ id: node.id, kind: 'answer' }],
    );
    if (i === 0) answerNode = leaf;
  }
  return { answer: candidates[0] ?? '', answerNodeId: answerNode.id, candidates };
}
