// One FrugalGPT stage: ask one model, then score its answer — by agreement among `samples` answers (the
// majority's share), or by a judge model's 0-10 rating. Shared by the cascade (frugal.ts) and calibration.
// What answering costs and what scoring costs are kept apart: the paper's scorer is a small trained
// model of negligible cost, while these scorers pay for extra samples or a judge call.
import type { ChatModel } from '../../model/types';
import type { Run } from '../../run/run';
import type { Task } from '../../tasks/types';
import type { RenderedPrompt } from '../../templates/types';
import { estimatePromptTokens } from '../../model/tokens';
import { describeVotes, majorityVote } from '../vote';

export type Scorer = 'agreement' | 'judge';

export interface StageSpec {
  /** Profile name, for display. */
  name: string;
  model: ChatModel;
}

export interface StageOptions {
  scorer: Scorer;
  /** agreement: answers sampled per stage. */
  samples: number;
  temperature: number;
  /** judge: the model that rates answers (required with scorer=judge). */
  judge?: ChatModel;
  /** Skip scoring (the last stage's answer is taken whatever its score). */
  unscored?: boolean;
}

export interface StageOutcome {
  answer: string;
  /** 0..1; undefined when unscored. */
  score: number | undefined;
  nodeId: string;
  /** USD of the stage: answering plus scoring (null when a price is unknown). */
  costUsd: number | null;
  /** USD of answering once (for agreement, one of the samples: the rest is scoring). */
  answerCostUsd: number | null;
  /** USD of scoring: the extra agreement samples, or the judge's call. */
  scoringCostUsd: number | null;
  /** Tokens of one answer (prompt, and completion per choice), for pricing the same request on another model. */
  promptTokens: number;
  completionTokens: number;
}

function addCost(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

function subtract(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(0, a - b);
}

export async function runStage(run: Run, task: Task, input: string, stage: StageSpec, index: number, parent: { id: string; kind: 'expand' | 'refine'; label?: string }, opts: StageOptions): Promise<StageOutcome> {
  const lane = `stage ${index + 1}: ${stage.name}`;
  const n = opts.scorer === 'agreement' && !opts.unscored ? opts.samples : 1;
  const node = run.graph.addNode({ kind: 'thought', text: `Asking ${stage.name} (${stage.model.model})…`, status: 'pending', meta: { lane, stage: index + 1, profile: stage.name, model: stage.model.model } }, [parent]);
  const prompt = task.cotPrompt(input, false);
  const messages = [{ role: 'user' as const, content: prompt.text }];
  const response = await run.call(node.id, 'answer', { messages, temperature: opts.temperature, n }, { model: stage.model, templates: prompt.templates });
  const answers = response.choices.map((c) => task.extractAnswer(c).trim());
  const callsCostUsd = run.graph.get(node.id).costUsd;
  const promptTokens = response.usage.estimated ? estimatePromptTokens(messages) : Math.round(response.usage.promptTokens / Math.max(1, response.requests));
  const completionTokens = Math.round(response.usage.completionTokens / Math.max(1, response.choices.length));
  // One answer's worth of the request; the other samples are what agreement scoring costs.
  const answerCostUsd = n > 1 ? run.estimateCost(stage.model, promptTokens, completionTokens) : callsCostUsd;
  let scoringCostUsd = n > 1 ? subtract(callsCostUsd, answerCostUsd) : 0;

  let answer = answers[0] ?? '';
  let score: number | undefined;
  if (opts.unscored) {
    run.graph.update(node.id, { text: response.choices[0] ?? '', meta: { ...node.meta, answer } });
  } else if (opts.scorer === 'agreement') {
    const vote = majorityVote(answers);
    answer = vote.winner?.answer ?? '';
    score = vote.share;
    run.graph.update(node.id, { text: `${describeVotes(vote) || 'no answers'}\n\n${response.choices[0] ?? ''}`, score, meta: { ...node.meta, answer, samples: n } });
  } else {
    if (!opts.judge) throw new Error('scorer "judge" needs a judge profile');
    run.graph.update(node.id, { text: response.choices[0] ?? '', meta: { ...node.meta, answer } });
    const judgeNode = run.graph.addNode({ kind: 'evaluation', text: 'Scoring…', status: 'pending', meta: { lane, stage: index + 1, model: opts.judge.model } }, [{ id: node.id, kind: 'evaluate' }]);
    const judged = judgePrompt(task, input, answer, response.choices[0] ?? '');
    const verdict = await run.call(judgeNode.id, 'score', { messages: [{ role: 'user', content: judged.text }], temperature: 0 }, { model: opts.judge, templates: judged.templates });
    score = parseScore(verdict.choices[0] ?? '');
    run.graph.update(judgeNode.id, { text: verdict.choices[0] ?? '', score });
    run.graph.update(node.id, { score });
    scoringCostUsd = run.graph.get(judgeNode.id).costUsd;
  }
  return { answer, score, nodeId: node.id, costUsd: addCost(answerCostUsd, scoringCostUsd), answerCostUsd, scoringCostUsd, promptTokens, completionTokens };
}

/** Renders a stage's prompts for `input` and sends nothing: a template that cannot render throws its TemplateError here. */
export function renderStagePrompts(task: Task, input: string, scorer: Scorer): void {
  task.cotPrompt(input, false);
  if (scorer === 'judge') judgePrompt(task, input, '', '');
}

/** frugal/judge: how likely the stage's answer is right, 0 to 10. */
function judgePrompt(task: Task, input: string, answer: string, work: string): RenderedPrompt {
  return task.render(undefined, 'frugal/judge', { input, work: work.trim().slice(0, 3000), answer });
}

/** "Score: 7" → 0.7; anything unreadable scores 0 so the cascade escalates rather than trusts it. */
export function parseScore(output: string): number {
  const m = /score\s*[:：]?\s*\**\s*(\d+(?:\.\d+)?)/i.exec(output);
  if (!m) return 0;
  return Math.max(0, Math.min(10, Number(m[1]))) / 10;
}
