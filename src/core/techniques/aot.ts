// Algorithm of Thoughts (Sel et al., 2024): one call whose in-context examples walk a depth-first
// search with backtracking, so the model writes a whole search in a single generation. The written
// search is parsed back into the graph (tried branches, dead ends, backtracks) so it can be set
// beside ToT's explicit search of the same input, which takes many calls.
import type { ThoughtNode } from '../graph/types';
import type { Run } from '../run/run';
import type { Task } from '../tasks/types';
import { aotPrompt } from './aot/prompts';
import { parseSearchTrace, pathTo, type SearchTrace } from './aot/searchTrace';
import type { ParamSpec } from './params';
import type { Technique } from './types';

const params: readonly ParamSpec[] = [
  {
    name: 'attempts',
    type: 'integer',
    default: 1,
    min: 1,
    max: 5,
    description: 'Searches to write at most: another fresh generation follows one that ends without an answer. The answer is the first one given. Use a temperature above 0 with more than one.',
  },
  {
    name: 'useJudge',
    type: 'boolean',
    default: false,
    description:
      "With attempts > 1, also retry after a wrong answer and answer with a correct one, using the task's judge (Game of 24's exact check). That is a verifier the paper does not have: results become pass@k, not AoT's.",
  },
  { name: 'maxTokens', type: 'integer', default: 2048, min: 256, max: 32000, description: 'Longest search one generation may write (max_tokens).' },
  { name: 'temperature', type: 'number', default: 0, min: 0, max: 2, description: 'Sampling temperature.' },
];

interface Attempt {
  answer: string;
  answerNodeId: string;
  correct: boolean | undefined;
}

export const aotTechnique: Technique = {
  id: 'aot',
  name: 'Algorithm of Thoughts',
  description: 'One call writes a whole depth-first search with backtracking, taught by worked examples (Sel et al., 2024).',
  params,
  async run({ run, task, input, params: p }) {
    const question = run.graph.addNode({ kind: 'question', text: input });
    const attempts: Attempt[] = [];
    const useJudge = p.useJudge as boolean;
    for (let i = 0; i < (p.attempts as number); i++) {
      run.throwIfCancelled();
      const attempt = await searchOnce(run, task, input, question.id, i, p.maxTokens as number, p.temperature as number);
      attempts.push(attempt);
      if (attempt.answer !== '' && (!useJudge || attempt.correct !== false)) break;
    }
    const judged = useJudge ? attempts.find((a) => a.correct === true) : undefined;
    const best = judged ?? attempts.find((a) => a.answer !== '') ?? attempts[0];
    return { answer: best.answer, answerNodeId: best.answerNodeId, candidates: attempts.map((a) => a.answer) };
  },
};

async function searchOnce(run: Run, task: Task, input: string, questionId: string, index: number, maxTokens: number, temperature: number): Promise<Attempt> {
  const search = run.graph.addNode(
    { kind: 'thought', text: `Search ${index + 1}: writing…`, status: 'pending', meta: { attempt: index + 1 } },
    [{ id: questionId, kind: 'expand', label: 'search' }],
  );
  const prompt = aotPrompt(task, input);
  const response = await run.call(
    search.id,
    'search',
    {
      messages: [{ role: 'user', content: prompt.text }],
      temperature,
      maxTokens,
      // Later attempts must be fresh generations, not the cached first one.
      ...(index > 0 ? { cacheSalt: `aot-attempt:${index}` } : {}),
    },
    { templates: prompt.templates },
  );
  const text = response.choices[0] ?? '';
  const trace = parseSearchTrace(text);

  let answer: string;
  let answerParent: ThoughtNode = search;
  if (!trace.parsed) {
    // Not written in the taught format: the whole output is one plain thought.
    run.graph.update(search.id, { text, meta: { attempt: index + 1, parsed: false } });
    answer = text.trim() === '' ? '' : task.extractAnswer(text);
  } else {
    const nodes = drawSearch(run, search, trace);
    run.graph.update(search.id, { text: summarize(index, trace), meta: { attempt: index + 1, parsed: true, branches: trace.branches.length } });
    answer = trace.answerLine === undefined ? '' : task.extractAnswer(text);
    if (trace.solved !== null) answerParent = nodes[trace.solved];
  }
  const correct = answer === '' ? undefined : task.judge?.(input, answer);
  const node = run.graph.addNode(
    { kind: 'answer', text: answer || '(the search ended without an answer)', score: correct === undefined ? undefined : correct ? 1 : 0, meta: correct === undefined ? undefined : { correct } },
    [{ id: answerParent.id, kind: 'answer' }],
  );
  return { answer, answerNodeId: node.id, correct };
}

/** One node per tried branch, expand edges from parent to child, backtrack edges where the search turned back. */
function drawSearch(run: Run, search: ThoughtNode, trace: SearchTrace): ThoughtNode[] {
  const onSolvedPath = new Set(trace.solved === null ? [] : pathTo(trace, trace.solved));
  const nodes: ThoughtNode[] = [];
  trace.branches.forEach((b, i) => {
    const parent = b.parent === null ? search : nodes[b.parent];
    const status = onSolvedPath.has(i) ? 'selected' : b.outcome === 'dead-end' ? 'pruned' : 'done';
    nodes.push(
      run.graph.addNode(
        { kind: 'thought', text: b.text, status, meta: { path: b.path, outcome: b.outcome, depth: b.path.split('.').length } },
        [{ id: parent.id, kind: 'expand' }],
      ),
    );
  });
  for (const back of trace.backtracks) {
    const to = back.to === null ? search : nodes[back.to];
    run.graph.addEdge(nodes[back.from].id, to.id, 'backtrack', back.inferred ? 'backtrack (not written)' : 'backtrack');
  }
  return nodes;
}

function summarize(index: number, trace: SearchTrace): string {
  const dead = trace.branches.filter((b) => b.outcome === 'dead-end').length;
  const result = trace.solved !== null ? 'solved' : trace.answerLine !== undefined ? 'answered' : 'no answer';
  const retraced = trace.retraced.length > 0 ? `, retraced in ${trace.retraced.length} lines` : '';
  return `Search ${index + 1} in one generation: ${trace.branches.length} branches, ${dead} dead ends, ${trace.backtracks.length} backtracks, ${result}${retraced}`;
}
