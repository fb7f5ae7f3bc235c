// The answer node most techniques end with: the extracted answer, judged when the task has a checker
// (score 1 or 0, meta.correct), linked from the node that produced it.
import type { ThoughtNode } from '../graph/types';
import type { Run } from '../run/run';
import type { Task } from '../tasks/types';

export function addJudgedAnswer(run: Run, task: Task, input: string, answer: string, parentId: string): ThoughtNode {
  const judged = task.judge?.(input, answer);
  return run.graph.addNode(
    { kind: 'answer', text: answer, score: judged === undefined ? undefined : judged ? 1 : 0, meta: judged === undefined ? undefined : { correct: judged } },
    [{ id: parentId, kind: 'answer' }],
  );
}
