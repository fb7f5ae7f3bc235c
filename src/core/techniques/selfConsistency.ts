// The shared shape of SC and CoT-SC (Wang et al., 2023): sample `samples` completions of one prompt,
// read each one's answer, and return the majority answer with its vote share as the confidence.
// The samples go out as one request with `n`; the Run tops up servers that ignore `n` with parallel
// single-choice requests, so exactly `samples` completions arrive either way.
//
// Graph: question → sampling node (holds the call, its tokens and cost) → one node per sample with
// its extracted answer → vote node with the counts → answer node (score = vote share).
import type { TechniqueContext, TechniqueResult } from './types';
import { diversityNote } from './samplingDiversity';
import { describeVotes, formatShare, majorityVote } from './vote';

export async function selfConsistency(ctx: TechniqueContext, prompt: string, role: string): Promise<TechniqueResult> {
  const { run, task, input } = ctx;
  const samples = ctx.params.samples as number;
  const temperature = ctx.params.temperature as number;
  const question = run.graph.addNode({ kind: 'question', text: input });
  const sampler = run.graph.addNode(
    { kind: 'thought', text: `Sampling ${samples} ${role === 'reason' ? 'reasoning paths' : 'answers'} at temperature ${temperature}`, status: 'pending', meta: { samples, temperature } },
    [{ id: question.id, kind: 'expand' }],
  );
  const response = await run.call(sampler.id, role, { messages: [{ role: 'user', content: prompt }], temperature, n: samples });
  const lost = diversityNote(run, response, role === 'reason' ? 'cot-sc' : 'sc', samples);
  const choices = response.choices.slice(0, samples);
  const answers = choices.map((c) => task.extractAnswer(c).trim());
  const result = majorityVote(answers);
  const winners = new Set(result.winner?.members ?? []);

  const sampleNodes = choices.map((choice, i) => {
    const answer = answers[i];
    // The answer leads the text so the graph label shows it; the whole sample follows for the inspector.
    const text = choice.trim() === `Answer: ${answer}` ? choice.trim() : `Answer: ${answer || '(none)'}\n\n${choice.trim()}`;
    return run.graph.addNode(
      { kind: 'thought', text, status: winners.has(i) ? 'selected' : 'done', meta: { sample: i + 1, answer: answer || '(none)' } },
      [{ id: sampler.id, kind: 'expand' }],
    );
  });
  const vote = run.graph.addNode(
    { kind: 'vote', text: `Votes: ${describeVotes(result) || 'no answers'}`, meta: { samples: result.total, abstentions: result.abstentions, groups: result.groups.length } },
    sampleNodes.map((n) => ({ id: n.id, kind: 'evaluate' as const })),
  );
  run.graph.update(sampler.id, lost ? { text: `${choices.length} samples at the model's default temperature (${temperature} not taken)`, meta: { ...sampler.meta, diversity: lost } } : { text: `${choices.length} samples at temperature ${temperature}` });
  if (!result.winner) return { answer: '', candidates: answers };

  const { winner, share } = result;
  const judged = task.judge?.(input, winner.answer);
  const answerNode = run.graph.addNode(
    {
      kind: 'answer',
      text: winner.answer,
      score: share,
      meta: { votes: `${winner.members.length} of ${result.total}`, confidence: formatShare(share), ...(judged === undefined ? {} : { correct: judged }) },
    },
    [{ id: vote.id, kind: 'answer', label: `${winner.members.length}/${result.total}` }],
  );
  return { answer: winner.answer, answerNodeId: answerNode.id, candidates: answers, confidence: share };
}
