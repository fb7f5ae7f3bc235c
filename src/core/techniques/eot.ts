// Exchange of Thoughts (Yin et al., 2023): 2-5 participants — model profiles, or personas on one model —
// give a few-shot chain-of-thought answer, then exchange their answers along a communication topology
// (Memory, Report, Relay, Debate; see eot/topology.ts) and answer again, for up to `rounds` exchange
// rounds after the initial answers, stopping once they agree (before any exchange too). As in the
// reference code, a participant's confidence is the share of its answers so far that equal its most
// frequent one; it travels with its messages from the second exchange round on, with the hint that a
// confidence below 0.5 suggests a wrong solution. The final answer is a plain majority of the last
// answers (`finalVote=confidence` weighs them by confidence instead). An optional judge profile decides
// instead whether consensus is reached.
//
// Graph: one lane per participant (node meta `lane`), one row per round; a participant's answer refines
// its previous one, and every message it received is an edge from the sender's previous answer.
import type { ChatMessage, ChatModel } from '../model/types';
import { splitNames } from '../profiles';
import type { Run } from '../run/run';
import { normalizeAnswer } from '../tasks/normalize';
import type { Task } from '../tasks/types';
import { withParts } from '../templates/library';
import type { RenderedPrompt, TemplateUse } from '../templates/types';
import { TOPOLOGIES, senders, type Topology } from './eot/topology';
import { ParamError, type ParamSpec, type ParamValues } from './params';
import { profileModel } from './profileParam';
import type { Technique, TechniqueResult } from './types';
import { describeVotes, formatShare, majorityVote } from './vote';

const params: readonly ParamSpec[] = [
  {
    name: 'participants',
    type: 'string',
    default: '',
    maxLength: 500,
    description: 'Model profile names, comma-separated (2 to 5), e.g. "mini,llama"; "default" is the active model. Empty: `count` personas on the active model.',
  },
  { name: 'count', type: 'integer', default: 3, min: 2, max: 5, description: 'Participants when `participants` is empty (personas on the active model).' },
  {
    name: 'topology',
    type: 'enum',
    default: 'memory',
    options: TOPOLOGIES,
    description: 'memory: everyone sees everyone. report: the first participant gathers and redistributes. relay: each sees the one before it in a ring. debate: pairs argue, the first participant collects.',
  },
  { name: 'rounds', type: 'integer', default: 5, min: 0, max: 10, description: 'Most exchange rounds after the initial answers (the paper: 5); stops earlier once the participants agree.' },
  { name: 'fewShot', type: 'boolean', default: true, description: "Initial answers with the task's worked chain-of-thought examples (the paper); false: zero-shot." },
  {
    name: 'finalVote',
    type: 'enum',
    default: 'majority',
    options: ['majority', 'confidence'],
    description: 'How the last answers decide: a plain majority (the paper), or each weighted by its confidence.',
  },
  { name: 'agreement', type: 'enum', default: 'all', options: ['all', 'majority'], description: 'When the participants agree: all give the same answer, or more than half do. Ignored when a judge is set.' },
  { name: 'judge', type: 'string', default: '', maxLength: 64, description: 'A model profile that decides after each round whether consensus is reached ("default": the active model). Empty: no judge.' },
  { name: 'temperature', type: 'number', default: 0.7, min: 0, max: 2, description: 'Sampling temperature of the participants.' },
];

/** Keeps prompts bounded when participants write long answers. */
const MESSAGE_CHARS = 2000;

interface Participant {
  index: number;
  label: string;
  model: ChatModel;
}

interface Turn {
  nodeId: string;
  output: string;
  answer: string;
  key: string;
}

function laneLabel(index: number): string {
  return String.fromCharCode(65 + index);
}

function resolveParticipants(run: Run, names: string[], count: number): Participant[] {
  const where = 'technique "eot" parameter';
  if (names.length === 0) {
    return Array.from({ length: count }, (_, i) => ({ index: i, label: `${laneLabel(i)} (persona)`, model: run.model }));
  }
  if (names.length < 2 || names.length > 5) throw new ParamError(`${where} "participants" needs 2 to 5 profile names, got ${names.length}`);
  return names.map((name, i) => {
    return { index: i, label: `${laneLabel(i)} ${name}`, model: profileModel(run, 'eot', 'participants', name) };
  });
}

/** The judge profile's model, or undefined when no judge is set. */
function judgeOf(run: Run, p: ParamValues): ChatModel | undefined {
  const judgeName = (p.judge as string).trim();
  return judgeName ? profileModel(run, 'eot', 'judge', judgeName) : undefined;
}

/** Confidence of a participant: how many of its answers so far equal its most frequent answer, over all of them. */
export function consistency(keys: readonly string[]): number {
  if (keys.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const k of keys) if (k !== '') counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts.size === 0 ? 0 : Math.max(...counts.values()) / keys.length;
}

/** Below this confidence the prompt says a solution is probably wrong (the reference's hint). */
const LOW_CONFIDENCE = 0.5;

/** Confidence-weighted vote over the participants' last answers; ties go to the answer given first. */
export function weightedVote(answers: ReadonlyArray<{ answer: string; key: string; weight: number }>) {
  const groups: Array<{ key: string; answer: string; weight: number; members: number[] }> = [];
  answers.forEach((a, i) => {
    if (a.key === '') return;
    let group = groups.find((g) => g.key === a.key);
    if (!group) groups.push((group = { key: a.key, answer: a.answer, weight: 0, members: [] }));
    group.weight += a.weight;
    group.members.push(i);
  });
  let winner: (typeof groups)[number] | undefined;
  for (const g of groups) if (!winner || g.weight > winner.weight + 1e-12) winner = g;
  const total = answers.reduce((s, a) => s + a.weight, 0);
  return { groups, winner, share: winner && total > 0 ? winner.weight / total : 0 };
}

function agreed(turns: readonly Turn[], rule: string): boolean {
  const keys = turns.map((t) => t.key);
  if (keys.some((k) => k === '')) return rule === 'majority' ? majorityAgrees(keys) : false;
  return rule === 'all' ? keys.every((k) => k === keys[0]) : majorityAgrees(keys);
}

function majorityAgrees(keys: readonly string[]): boolean {
  const counts = new Map<string, number>();
  for (const k of keys) if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.values()].some((c) => c * 2 > keys.length);
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > MESSAGE_CHARS ? `${t.slice(0, MESSAGE_CHARS - 1)}…` : t;
}

/** What a participant received: a sender's previous answer, with its confidence from the second exchange on. */
interface Received {
  from: Participant;
  turn: Turn;
  confidence?: number;
}

/**
 * The messages of one participant's turn (templates eot/system, the task's cot, eot/exchange): the
 * problem, its own last answer, and what it received.
 */
function turnMessages(task: Task, p: Participant, n: number, firstPrompt: RenderedPrompt, own: Turn | undefined, inbox: readonly Received[]): { messages: ChatMessage[]; templates: TemplateUse[] } {
  // eot/persona gives each participant its way of thinking, so several copies of one model do not echo each other.
  const persona = task.render(undefined, 'eot/persona', { number: p.index + 1 });
  const system = withParts(task.render(undefined, 'eot/system', { participant: laneLabel(p.index), persona: persona.text, others: n - 1 }), persona);
  const messages: ChatMessage[] = [
    { role: 'system', content: system.text },
    { role: 'user', content: firstPrompt.text },
  ];
  const templates = [...system.templates, ...firstPrompt.templates];
  if (!own) return { messages, templates };
  messages.push({ role: 'assistant', content: clip(own.output) });
  const exchange = task.render(undefined, 'eot/exchange', {
    answers: inbox.map(({ from, turn, confidence }) => ({ participant: laneLabel(from.index), confidence: confidence === undefined ? '' : confidence.toFixed(2), text: clip(turn.output) })),
    withConfidence: inbox.some((m) => m.confidence !== undefined),
    lowConfidence: LOW_CONFIDENCE,
  });
  messages.push({ role: 'user', content: exchange.text });
  return { messages, templates: [...templates, ...exchange.templates] };
}

function judgePrompt(task: Task, input: string, turns: readonly Turn[], participants: readonly Participant[]): RenderedPrompt {
  return task.render(undefined, 'eot/judge', { input, answers: turns.map((t, i) => ({ participant: laneLabel(participants[i].index), answer: t.answer })) });
}

function parseJudge(output: string): boolean {
  const m = /consensus\s*[:：]\s*\**\s*(yes|no)/i.exec(output);
  return m ? m[1].toLowerCase() === 'yes' : false;
}

/** The last answers' vote: a plain majority, or weighted by each participant's confidence. */
function finalVote(rule: string, last: readonly Turn[], history: readonly Turn[][]) {
  if (rule === 'confidence') {
    const vote = weightedVote(last.map((t, i) => ({ answer: t.answer, key: t.key, weight: consistency(history.map((r) => r[i].key)) })));
    return { title: 'Confidence-weighted vote', tally: vote.groups.map((g) => `${g.answer} ${g.weight.toFixed(2)}`).join(' · ') || 'no answers', winner: vote.winner, share: vote.share };
  }
  const vote = majorityVote(last.map((t) => t.answer));
  return { title: 'Majority vote', tally: describeVotes(vote) || 'no answers', winner: vote.winner, share: vote.share };
}

export const eotTechnique: Technique = {
  id: 'eot',
  name: 'Exchange of Thoughts',
  description: 'Several models or personas answer, exchange answers along a topology (memory, report, relay, debate) and revise, until they agree; a majority vote decides.',
  params,
  validate(p, _host, run) {
    const names = splitNames(p.participants as string);
    if (names.length === 1 || names.length > 5) throw new ParamError(`technique "eot" parameter "participants" needs 2 to 5 profile names, got ${names.length}`);
    if (run) {
      // Unknown profile names are bad arguments, found before any call.
      resolveParticipants(run, names, p.count as number);
      judgeOf(run, p);
    }
  },
  async run({ run, task, input, params: p }): Promise<TechniqueResult> {
    const participants = resolveParticipants(run, splitNames(p.participants as string), p.count as number);
    const judgeModel = judgeOf(run, p);
    const topology = p.topology as Topology;
    const n = participants.length;
    const temperature = p.temperature as number;
    const firstPrompt = task.cotPrompt(input, p.fewShot as boolean);
    // Round 1 holds the initial answers; rounds 2.. are the exchanges.
    const lastRound = (p.rounds as number) + 1;

    const question = run.graph.addNode({ kind: 'question', text: input, meta: { topology, participants: n } });
    const history: Turn[][] = [];
    let lastJudgeId: string | undefined;
    let stopReason = `no agreement after ${p.rounds as number} exchange round${p.rounds === 1 ? '' : 's'}`;

    for (let round = 1; round <= lastRound; round++) {
      run.throwIfCancelled();
      const previous = history[round - 2];
      const keysSoFar = (i: number) => history.map((r) => r[i].key);
      const turns = await Promise.all(
        participants.map(async (part, i): Promise<Turn> => {
          // Confidence needs two answers, so it travels from the second exchange (round 3) on.
          const inbox: Received[] = previous ? senders(topology, n, i).map((j) => ({ from: participants[j], turn: previous[j], confidence: round >= 3 ? consistency(keysSoFar(j)) : undefined })) : [];
          const parents = previous
            ? [{ id: previous[i].nodeId, kind: 'refine' as const, label: `exchange ${round - 1}` }, ...inbox.map((m) => ({ id: m.turn.nodeId, kind: 'aggregate' as const, label: `${laneLabel(m.from.index)} to ${laneLabel(i)}` }))]
            : [{ id: question.id, kind: 'expand' as const }];
          const node = run.graph.addNode(
            { kind: 'thought', text: `${part.label}, round ${round}…`, status: 'pending', meta: { lane: part.label, participant: laneLabel(i), round, model: part.model.model } },
            parents,
          );
          const { messages, templates } = turnMessages(task, part, n, firstPrompt, previous?.[i], inbox);
          // Participants on one model with equal prompts still differ by persona; the salt keeps rounds apart.
          const response = await run.call(node.id, `round ${round}`, { messages, temperature, cacheSalt: `eot-${i}-${round}` }, { model: part.model, templates });
          const output = response.choices[0] ?? '';
          const answer = task.extractAnswer(output).trim();
          run.graph.update(node.id, { text: output, meta: { ...node.meta, answer: answer || '(none)' } });
          return { nodeId: node.id, output, answer, key: normalizeAnswer(answer) };
        }),
      );
      history.push(turns);
      for (const [i, t] of turns.entries()) {
        const node = run.graph.get(t.nodeId);
        run.graph.update(t.nodeId, { score: consistency(keysSoFar(i)), meta: { ...node.meta, confidence: formatShare(consistency(keysSoFar(i))) } });
      }

      if (judgeModel) {
        const judge = run.graph.addNode(
          { kind: 'evaluation', text: `Judge, round ${round}…`, status: 'pending', meta: { lane: 'judge', round, model: judgeModel.model } },
          turns.map((t) => ({ id: t.nodeId, kind: 'evaluate' as const })),
        );
        lastJudgeId = judge.id;
        const prompt = judgePrompt(task, input, turns, participants);
        const verdict = await run.call(judge.id, 'judge', { messages: [{ role: 'user', content: prompt.text }], temperature: 0 }, { model: judgeModel, templates: prompt.templates });
        const yes = parseJudge(verdict.choices[0] ?? '');
        run.graph.update(judge.id, { text: `Consensus: ${yes ? 'yes' : 'no'} (round ${round})\n\n${verdict.choices[0] ?? ''}`, score: yes ? 1 : 0 });
        if (yes) {
          stopReason = `the judge saw consensus in round ${round}`;
          break;
        }
      } else if (agreed(turns, p.agreement as string)) {
        stopReason = `${p.agreement === 'all' ? 'all agreed' : 'a majority agreed'} ${round === 1 ? 'on their initial answers' : `in exchange round ${round - 1}`}`;
        break;
      }
    }

    const last = history[history.length - 1];
    const vote = finalVote(p.finalVote as string, last, history);
    const exchanges = history.length - 1;
    const voteNode = run.graph.addNode(
      { kind: 'vote', text: `${vote.title} after ${exchanges} exchange round${exchanges === 1 ? '' : 's'} (${stopReason}): ${vote.tally}`, meta: { rounds: history.length, exchanges, stop: stopReason } },
      [...last.map((t) => ({ id: t.nodeId, kind: 'evaluate' as const })), ...(lastJudgeId ? [{ id: lastJudgeId, kind: 'select' as const, label: 'judge' }] : [])],
    );
    const candidates = last.map((t) => t.answer);
    if (!vote.winner) return { answer: '', candidates };
    for (const i of vote.winner.members) run.graph.update(last[i].nodeId, { status: 'selected' });
    const judged = task.judge?.(input, vote.winner.answer);
    const answerNode = run.graph.addNode(
      { kind: 'answer', text: vote.winner.answer, score: vote.share, meta: { confidence: formatShare(vote.share), ...(judged === undefined ? {} : { correct: judged }) } },
      [{ id: voteNode.id, kind: 'answer', label: formatShare(vote.share) }],
    );
    return { answer: vote.winner.answer, answerNodeId: answerNode.id, candidates, confidence: vote.share };
  },
};
