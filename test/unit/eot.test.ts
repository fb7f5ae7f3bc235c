// Exchange of Thoughts with scripted participants on loopback servers: who sees which message in which
// round per topology, termination on agreement, the judge, the reference's confidence and final vote,
// the paper's defaults (5 exchange rounds, few-shot initial answers), several profiles at once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { ParamError } from '../../src/core/techniques/params';
import { Run, type RunProfile } from '../../src/core/run/run';
import { genericTask } from '../../src/core/tasks/generic';
import { TemplateLibrary } from '../../src/core/templates/library';
import { eotTechnique, consistency } from '../../src/core/techniques/eot';
import { senders } from '../../src/core/techniques/eot/topology';
import { closingServers, startFakeServer, type FakeRequest } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';

const server = closingServers();
const retry = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };

/** The participant letter (from the persona system message) and the round of a request. */
function turnOf(req: FakeRequest): { who: string; round: number } {
  const who = /You are participant ([A-E])/.exec(req.body.messages[0].content)?.[1] ?? '?';
  const own = req.body.messages.find((m) => m.role === 'assistant')?.content;
  const round = own ? Number(/round (\d+)/.exec(own)?.[1]) + 1 : 1;
  return { who, round };
}

/** Letters of the participants whose answers a request carried. */
function heard(req: FakeRequest): string[] {
  const last = req.body.messages[req.body.messages.length - 1];
  if (req.body.messages.length < 4) return [];
  return [...last.content.matchAll(/^Participant ([A-E])(?: \(confidence [\d.]+\))?:$/gm)].map((m) => m[1]).sort();
}

/** Each participant answers with its letter and round, so they never agree. */
function disagreeing(req: FakeRequest) {
  const { who, round } = turnOf(req);
  return { choices: [`I am ${who} in round ${round}. Answer: ${who}${round}`] };
}

async function personaRun(handler: Parameters<typeof startFakeServer>[0]) {
  const s = await server(handler);
  return { s, run: new Run({ model: modelAt(s.baseUrl), retry, concurrency: 8 }) };
}

describe('EoT topologies: who sees which message in which round', () => {
  const expected: Record<string, Record<string, string[]>> = {
    memory: { A: ['B', 'C', 'D'], B: ['A', 'C', 'D'], C: ['A', 'B', 'D'], D: ['A', 'B', 'C'] },
    report: { A: ['B', 'C', 'D'], B: ['A'], C: ['A'], D: ['A'] },
    relay: { A: ['D'], B: ['A'], C: ['B'], D: ['C'] },
    debate: { A: ['B', 'C', 'D'], B: ['C'], C: ['B'], D: ['A'] },
  };
  for (const [topology, inbox] of Object.entries(expected)) {
    it(`${topology}: four participants, initial answers and two exchange rounds`, async () => {
      const { s, run } = await personaRun(disagreeing);
      const report = await runTechnique({ technique: eotTechnique, task: genericTask, input: 'Pick a letter.', params: { count: 4, topology, rounds: 2 }, run });
      assert.equal(report.summary.outcome, 'done', report.summary.message);
      assert.equal(s.requests.length, 12, 'four participants times three rounds');
      for (const req of s.requests) {
        const { who, round } = turnOf(req);
        if (round === 1) assert.deepEqual(heard(req), [], `${who} hears nobody in round 1`);
        else assert.deepEqual(heard(req), inbox[who], `${topology}: ${who} in round ${round}`);
        if (round > 1) {
          // The message carries the sender's previous-round answer, not an older or newer one.
          for (const from of inbox[who]) assert.match(req.body.messages[3].content, new RegExp(`Answer: ${from}${round - 1}\\b`));
        }
      }
      // Message edges in the graph match the topology too: one aggregate edge per message received.
      const messageEdges = run.graph.edges().filter((e) => e.kind === 'aggregate');
      const perRound = Object.values(inbox).reduce((n, list) => n + list.length, 0);
      assert.equal(messageEdges.length, perRound * 2, 'rounds 2 and 3 each carry every message once');
      const lanes = new Set(run.graph.nodes().filter((n) => n.kind === 'thought').map((n) => n.meta?.lane));
      assert.equal(lanes.size, 4, 'one lane per participant');
    });
  }

  it('the topology function for odd sizes', () => {
    assert.deepEqual(senders('debate', 3, 0), [1, 2]);
    assert.deepEqual(senders('debate', 3, 1), [2]);
    assert.deepEqual(senders('debate', 2, 1), [0]);
    assert.deepEqual(senders('relay', 2, 0), [1]);
    assert.deepEqual(senders('report', 5, 3), [0]);
  });
});

describe('EoT personas', () => {
  it('come from the eot/persona template, so a workspace can give participants its own ways of thinking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-eot-personas-'));
    mkdirSync(join(dir, 'eot'));
    writeFileSync(join(dir, 'eot', 'persona.liquid'), '{% if number == 1 %}a chemist{% else %}a poet number {{ number }}{% endif %}');
    const templates = TemplateLibrary.builtIn().withDir(dir, 'workspace');
    const { s, run } = await personaRun(() => ({ choices: ['Answer: 42'] }));
    await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { count: 3, rounds: 1 }, run, host: { templates } });
    const systems = s.requests.map((r) => r.body.messages[0].content).sort();
    assert.match(systems[0], /^You are participant A, a chemist\. /);
    assert.match(systems[1], /^You are participant B, a poet number 2\. /);
    assert.match(systems[2], /^You are participant C, a poet number 3\. /);
    const uses = run.graph.nodes().flatMap((n) => n.calls).map((c) => c.templates?.map((t) => `${t.name}:${t.source}`));
    assert.ok(uses.every((u) => u?.includes('eot/persona:workspace') && u.includes('eot/system:built-in')), JSON.stringify(uses));
  });

  it('the built-in personas differ for each of five participants', async () => {
    const { s, run } = await personaRun(() => ({ choices: ['Answer: 42'] }));
    await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { count: 5, rounds: 1 }, run });
    const personas = new Set(s.requests.map((r) => /^You are participant [A-E], (.+?)\. You solve/.exec(r.body.messages[0].content)?.[1]));
    assert.equal(personas.size, 5);
    assert.ok(personas.has('a careful mathematician who checks every step'));
  });
});

describe('EoT termination and confidence', () => {
  it('stops after the round in which all agree', async () => {
    const { s, run } = await personaRun(() => ({ choices: ['Answer: 42'] }));
    const report = await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { count: 3, rounds: 5 }, run });
    assert.equal(s.requests.length, 3);
    assert.equal(report.summary.answer, '42');
    assert.equal(report.summary.confidence, 1);
    assert.match(run.graph.nodes().find((n) => n.kind === 'vote')!.text, /all agreed on their initial answers/);
  });

  it('majority agreement stops where unanimity goes on', async () => {
    const split = (req: FakeRequest) => ({ choices: [`round ${turnOf(req).round}. Answer: ${turnOf(req).who === 'C' ? 7 : 42}`] });
    const majority = await personaRun(split);
    await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { count: 3, rounds: 3, agreement: 'majority' }, run: majority.run });
    assert.equal(majority.s.requests.length, 3);
    const all = await personaRun(split);
    const report = await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { count: 3, rounds: 3, agreement: 'all' }, run: all.run });
    assert.equal(all.s.requests.length, 12, 'no unanimity: initial answers and all three exchange rounds');
    assert.equal(report.summary.answer, '42');
  });

  /** A run where participant X answers script[X][round - 1] in each round. */
  async function scripted(script: Record<string, string[]>, params: Record<string, unknown>) {
    const { s, run } = await personaRun((req) => {
      const { who, round } = turnOf(req);
      return { choices: [`round ${round}. Answer: ${script[who][round - 1]}`] };
    });
    const report = await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { count: 3, ...params }, run });
    return { s, run, report };
  }
  const request = (s: { requests: FakeRequest[] }, who: string, round: number) => s.requests.find((r) => turnOf(r).who === who && turnOf(r).round === round)!;

  it('the final answer is a plain majority of the last answers by default, as in the reference', async () => {
    // A: 5, 5, 5 (confidence 1). B: 7, 8, 9 and C: 6, 8, 9 (confidence 1/3 each): 9 has two votes of three.
    const script = { A: ['5', '5', '5'], B: ['7', '8', '9'], C: ['6', '8', '9'] };
    const { report, run } = await scripted(script, { rounds: 2 });
    assert.equal(report.summary.answer, '9');
    assert.equal(report.summary.confidence, 2 / 3);
    assert.deepEqual(report.candidates, ['5', '9', '9']);
    assert.match(run.graph.nodes().find((n) => n.kind === 'vote')!.text, /^Majority vote after 2 exchange rounds/);
  });

  it('finalVote=confidence weighs the last answers by each participant\'s confidence', async () => {
    const script = { A: ['5', '5', '5'], B: ['7', '8', '9'], C: ['6', '8', '9'] };
    const { report } = await scripted(script, { rounds: 2, finalVote: 'confidence' });
    assert.equal(report.summary.answer, '5');
    assert.ok(Math.abs((report.summary.confidence ?? 0) - 1 / (1 + 2 / 3)) < 1e-9);
  });

  it('confidence is the share of the modal answer, carried from the second exchange round on with the low-confidence hint', async () => {
    // A answers 5, 5, 7: its most frequent answer (5) is 2 of 3, though its last (7) is 1 of 3.
    const script = { A: ['5', '5', '7', '7'], B: ['1', '2', '3', '4'], C: ['6', '8', '8', '8'] };
    const { s } = await scripted(script, { rounds: 3 });
    assert.equal(s.requests.length, 12);
    const firstExchange = request(s, 'B', 2).prompt;
    assert.doesNotMatch(firstExchange, /confidence/i, 'one answer each: no confidence yet');
    assert.match(firstExchange, /^Participant A:$/m);
    const secondExchange = request(s, 'B', 3).prompt;
    assert.match(secondExchange, /^Participant A \(confidence 1\.00\):$/m);
    assert.match(secondExchange, /Below 0\.5 the solution is quite likely wrong/);
    assert.match(request(s, 'B', 4).prompt, /^Participant A \(confidence 0\.67\):$/m);
    assert.match(request(s, 'B', 4).prompt, /^Participant C \(confidence 0\.67\):$/m);
    assert.equal(consistency(['5', '5', '7']), 2 / 3);
    assert.equal(consistency(['7', '8', '9']), 1 / 3);
  });

  it('by default, up to 5 exchange rounds follow the few-shot chain-of-thought initial answers', async () => {
    const { s, run } = await personaRun(disagreeing);
    await runTechnique({ technique: eotTechnique, task: genericTask, input: 'Pick a letter.', params: {}, run });
    assert.equal(s.requests.length, 3 * 6, 'three participants: initial answers and five exchanges');
    const initial = s.requests.filter((r) => turnOf(r).round === 1);
    for (const r of initial) assert.match(r.prompt, /A shop sells pens at 3 for \$2/, 'the generic task\'s worked examples');
    assert.match(run.graph.nodes().find((n) => n.kind === 'vote')!.text, /no agreement after 5 exchange rounds/);
    const zeroShot = await personaRun(disagreeing);
    await runTechnique({ technique: eotTechnique, task: genericTask, input: 'Pick a letter.', params: { rounds: 0, fewShot: false }, run: zeroShot.run });
    assert.equal(zeroShot.s.requests.length, 3);
    assert.doesNotMatch(zeroShot.s.requests[0].prompt, /A shop sells pens/);
  });

  it('a judge profile decides when consensus is reached', async () => {
    const crowd = await server(disagreeing);
    let judged = 0;
    const judge = await server(() => ({ choices: [++judged >= 2 ? 'Consensus: yes. Good enough.' : 'Consensus: no. They differ.'] }));
    const run = new Run({ model: modelAt(crowd.baseUrl), retry, profiles: [{ name: 'referee', model: modelAt(judge.baseUrl, { model: 'judge-model' }) }] });
    const report = await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { count: 2, rounds: 5, judge: 'referee' }, run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(crowd.requests.length, 4, 'two rounds: the judge said yes after the second');
    assert.equal(judge.requests.length, 2);
    assert.match(judge.requests[1].prompt, /Participant A: A2\nParticipant B: B2/);
    const decisions = run.graph.nodes().filter((n) => n.kind === 'evaluation');
    assert.deepEqual(decisions.map((n) => n.score), [0, 1]);
  });
});

describe('EoT with several profiles', () => {
  it('each participant is a model profile on its own server, priced by its profile', async () => {
    const reply = (answer: string) => (req: FakeRequest) => ({ choices: [`round ${turnOf(req).round}. Answer: ${answer}`], usage: { prompt_tokens: 100, completion_tokens: 10 } });
    const a = await server(reply('12'));
    const b = await server(reply('12'));
    const profiles: RunProfile[] = [
      { name: 'alpha', model: modelAt(a.baseUrl, { model: 'alpha-model' }), price: { input: 1, output: 1 } },
      { name: 'beta', model: modelAt(b.baseUrl, { model: 'beta-model' }), price: { input: 10, output: 10 } },
    ];
    const run = new Run({ model: modelAt(a.baseUrl), retry, profiles });
    const report = await runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { participants: 'alpha, beta', topology: 'debate' }, run });
    assert.equal(report.summary.answer, '12');
    assert.equal(a.requests.length, 1);
    assert.equal(b.requests.length, 1);
    assert.equal(a.requests[0].body.model, 'alpha-model');
    // 110 tokens at $1/M and at $10/M.
    assert.ok(Math.abs((report.summary.totals.costUsd ?? 0) - (110 * 1 + 110 * 10) / 1e6) < 1e-12);
  });

  it('an unknown participant or judge is a parameter error, found before any call', async () => {
    const { s, run } = await personaRun(disagreeing);
    await assert.rejects(
      runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { participants: 'alpha,nope' }, run }),
      (err: Error) => err instanceof ParamError && /"participants": no model profile named "alpha"/.test(err.message),
    );
    await assert.rejects(
      runTechnique({ technique: eotTechnique, task: genericTask, input: 'q', params: { judge: 'referee' }, run }),
      (err: Error) => err instanceof ParamError && /"judge": no model profile named "referee"/.test(err.message),
    );
    assert.equal(s.requests.length, 0);
    assert.equal(run.graph.nodes().length, 0, 'nothing was started');
  });
});
