// FrugalGPT's LLM cascade (Chen, Zaharia & Zou, 2023): model profiles ordered cheap → expensive answer
// in turn; a scorer rates each answer (agreement among samples, or a judge model's score) and the first
// answer scoring at least its stage's threshold is accepted, so expensive models are asked only when
// cheap ones are unsure. The last stage's answer is taken as it is. The graph shows each stage in its
// lane, the stage that answered, what the run cost against always asking the last model, and how much
// of it went on scoring. The judge scorer needs a named judge profile: the run's own model may be the
// expensive one. Thresholds, and which profiles to chain in what order, come from
// `thoughtscope calibrate` (frugal/calibrate.ts), saved as a cascade profile.
import type { ChatModel } from '../model/types';
import { formatUsd } from '../pricing';
import { splitNames } from '../profiles';
import type { Run } from '../run/run';
import { runStage, type Scorer, type StageOutcome, type StageSpec } from './frugal/stage';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import { profileModel } from './profileParam';
import type { Technique, TechniqueResult } from './types';

const params: readonly ParamSpec[] = [
  {
    name: 'stages',
    type: 'string',
    default: '',
    maxLength: 500,
    description: 'Model profile names from cheapest to most expensive, comma-separated (e.g. "mini,big"), or the name of a saved cascade profile.',
  },
  { name: 'thresholds', type: 'string', default: '', maxLength: 200, description: 'Acceptance score (0-1) of each stage but the last, comma-separated. Empty: `threshold` for every stage (a cascade profile brings its own).' },
  { name: 'threshold', type: 'number', default: 0.6, min: 0, max: 1, description: 'Acceptance score of every stage when `thresholds` is empty.' },
  { name: 'scorer', type: 'enum', default: 'agreement', options: ['agreement', 'judge'], description: 'agreement: the share of `samples` answers that agree. judge: a judge model rates the answer 0-10.' },
  { name: 'judge', type: 'string', default: '', maxLength: 64, description: 'scorer=judge: the model profile that rates answers, a cheap one (required: it rates every answer but the last stage\'s).' },
  { name: 'samples', type: 'integer', default: 3, min: 1, max: 20, description: 'scorer=agreement: answers sampled at each stage.' },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature of the stages.' },
];

export interface CascadePlan {
  stages: StageSpec[];
  thresholds: number[];
  scorer: Scorer;
  samples: number;
}

function paramError(name: string, message: string): ParamError {
  // A message starting with ":" quotes another error ("parameter "stages": no model profile named …").
  return new ParamError(`technique "frugal" parameter "${name}"${message.startsWith(':') ? '' : ' '}${message}`);
}

export function parseThresholds(text: string, count: number, fallback: number): number[] {
  const parts = splitNames(text);
  if (parts.length === 0) return Array.from({ length: count }, () => fallback);
  const values = parts.map(Number);
  if (values.some((v) => !Number.isFinite(v) || v < 0 || v > 1.01)) throw paramError('thresholds', `must be numbers from 0 to 1, got "${text}"`);
  if (values.length !== count) throw paramError('thresholds', `needs ${count} value${count === 1 ? '' : 's'} (one per stage but the last), got ${values.length}`);
  return values;
}

/** Stages, thresholds and scorer from the parameters; a single cascade profile name brings its own. */
export function planCascade(run: Run, p: ParamValues): CascadePlan {
  const names = splitNames(p.stages as string);
  if (names.length === 0) throw paramError('stages', 'is empty: give model profile names cheapest first, e.g. "mini,big"');
  const lookup = (name: string) => {
    try {
      return run.profile(name);
    } catch (err) {
      throw paramError('stages', `: ${(err as Error).message}`);
    }
  };
  const single = names.length === 1 && names[0] !== 'default' ? lookup(names[0]) : undefined;
  if (single?.cascade) {
    const c = single.cascade;
    return {
      stages: c.stages.map((name) => ({ name, model: lookup(name).model! })),
      thresholds: splitNames(p.thresholds as string).length > 0 ? parseThresholds(p.thresholds as string, c.stages.length - 1, p.threshold as number) : c.thresholds,
      scorer: (c.scorer ?? p.scorer) as Scorer,
      samples: c.samples ?? (p.samples as number),
    };
  }
  const stages = names.map((name) => {
    if (name === 'default') return { name, model: run.model };
    const profile = lookup(name);
    if (!profile.model) throw paramError('stages', `: "${name}" is a cascade; give it alone or list model profiles`);
    return { name, model: profile.model };
  });
  return { stages, thresholds: parseThresholds(p.thresholds as string, stages.length - 1, p.threshold as number), scorer: p.scorer as Scorer, samples: p.samples as number };
}

/** The judge profile's model; scorer=judge without one is a parameter error (never silently the active model). */
function judgeOf(run: Run, p: ParamValues, scorer: Scorer): ChatModel | undefined {
  const name = (p.judge as string).trim();
  if (!name) {
    if (scorer === 'judge') throw paramError('judge', 'is empty: scorer=judge needs a judge profile, a cheap one (the active model may be the expensive one)');
    return undefined;
  }
  return profileModel(run, 'frugal', 'judge', name);
}

export const frugalTechnique: Technique = {
  id: 'frugal',
  name: 'FrugalGPT cascade',
  description: 'Ask model profiles from cheapest to most expensive; stop at the first answer a scorer accepts. Shows the cost against always asking the last model.',
  params,
  validate(p, _host, run) {
    if (splitNames(p.stages as string).length === 0) throw paramError('stages', 'is empty: give model profile names cheapest first, e.g. "mini,big"');
    if (run) {
      // Unknown profile names are bad arguments, found before any call.
      judgeOf(run, p, planCascade(run, p).scorer);
    }
  },
  async run({ run, task, input, params: p }): Promise<TechniqueResult> {
    const plan = planCascade(run, p);
    const judge = judgeOf(run, p, plan.scorer);
    const question = run.graph.addNode({ kind: 'question', text: input, meta: { stages: plan.stages.map((s) => s.name).join(' → '), scorer: plan.scorer } });
    const last = plan.stages.length - 1;
    let parent: { id: string; kind: 'expand' | 'refine'; label?: string } = { id: question.id, kind: 'expand' };
    let first: StageOutcome | undefined;
    const outcomes: StageOutcome[] = [];
    for (const [i, stage] of plan.stages.entries()) {
      run.throwIfCancelled();
      const outcome = await runStage(run, task, input, stage, i, parent, { scorer: plan.scorer, samples: plan.samples, temperature: p.temperature as number, judge, unscored: i === last });
      first ??= outcome;
      outcomes.push(outcome);
      const accepted = i === last || (outcome.score !== undefined && outcome.score >= plan.thresholds[i] && outcome.answer !== '');
      if (!accepted) {
        run.graph.update(outcome.nodeId, { status: 'pruned' });
        parent = { id: outcome.nodeId, kind: 'refine', label: `score ${(outcome.score ?? 0).toFixed(2)} < ${plan.thresholds[i]}: ask ${plan.stages[i + 1].name}` };
        continue;
      }
      return finish(run, task, input, plan, i, outcomes);
    }
    throw new Error('the cascade has no stages');
  },
};

/** The answer, and a node comparing what was spent with always asking the last model. */
function finish(run: Run, task: Parameters<Technique['run']>[0]['task'], input: string, plan: CascadePlan, index: number, outcomes: readonly StageOutcome[]): TechniqueResult {
  const outcome = outcomes[index];
  const first = outcomes[0];
  const lastStage = plan.stages[plan.stages.length - 1];
  const spent = run.totals().costUsd;
  const scoring = outcomes.reduce<number | null>((sum, o) => (sum === null || o.scoringCostUsd === null ? null : sum + o.scoringCostUsd), 0);
  // When the last model answered, its answer calls are the baseline; else the same request priced on it.
  const asked = index === plan.stages.length - 1;
  const lastOnly = asked ? outcome.answerCostUsd : run.estimateCost(lastStage.model, first.promptTokens, first.completionTokens);
  const saving = spent !== null && lastOnly !== null && lastOnly > 0 ? Math.round((1 - spent / lastOnly) * 100) : undefined;
  const stageName = plan.stages[index].name;
  const summary = run.graph.addNode(
    {
      kind: 'evaluation',
      text:
        `Stage ${index + 1} of ${plan.stages.length} (${stageName}) answered. Spent ${formatUsd(spent)} vs ${asked ? '' : '~'}${formatUsd(lastOnly)} ` +
        `always asking ${lastStage.name}${saving !== undefined ? ` (${saving >= 0 ? `${saving}% less` : `${-saving}% more`})` : ''}. ` +
        `Answering ${formatUsd(spent === null || scoring === null ? null : spent - scoring)}, scoring ${formatUsd(scoring)} (${plan.scorer}).`,
      meta: { answeredBy: stageName, stage: index + 1, spentUsd: spent ?? 'unknown', scoringUsd: scoring ?? 'unknown', lastOnlyUsd: lastOnly ?? 'unknown', lastOnlyEstimated: !asked },
    },
    [{ id: outcome.nodeId, kind: 'select', label: outcome.score === undefined ? 'last stage' : `score ${outcome.score.toFixed(2)} >= ${plan.thresholds[index]}` }],
  );
  run.graph.update(outcome.nodeId, { status: 'selected' });
  const judged = task.judge?.(input, outcome.answer);
  const answerNode = run.graph.addNode(
    { kind: 'answer', text: outcome.answer, score: outcome.score, meta: { answeredBy: stageName, ...(judged === undefined ? {} : { correct: judged }) } },
    [{ id: summary.id, kind: 'answer', label: stageName }],
  );
  return { answer: outcome.answer, answerNodeId: answerNode.id, candidates: [outcome.answer], confidence: outcome.score };
}
