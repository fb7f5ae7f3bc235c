// The recorded sample run shipped with the extension (media/sample/tot-game24.json): the real Tree of
// Thoughts engine (BFS, breadth 5, propose, value with 3 samples) on the Game of 24 puzzle 4 9 10 13,
// through the real `openai` SDK, against the loopback server of the tests scripted as a Game of 24
// model. The model is bench/game24Model.ts (proposals, final steps and answer checks computed from the
// numbers) with three changes that make it read like a capable model: proposals list the steps that can
// still reach 24 first (up to 8), the final step writes the expression of the steps taken, and the
// three value samples' verdicts differ, as a sampled model's do, so the states' scores differ. `npm run record-sample` writes the file; test/unit/sampleRun.test.ts records
// again and checks the shipped file is what this code records.
import { runTechnique } from '../../src/core/engine';
import { OpenAIChatModel } from '../../src/core/model/openaiModel';
import { Pricing } from '../../src/core/pricing';
import { Run } from '../../src/core/run/run';
import { resolveTask } from '../../src/core/tasks/registry';
import { findTechnique } from '../../src/core/techniques/registry';
import type { GraphEvent } from '../../src/core/graph/types';
import { toTrace, type Trace } from '../../src/core/trace';
import { game24Reply, nextSteps } from '../../bench/game24Model';
import { startFakeServer, type FakeRequest } from './fakeOpenAI';
import { solve24 } from './solve24';

export const SAMPLE_PUZZLE = '4 9 10 13';
export const SAMPLE_MODEL = 'gpt-4o-mini';
export const SAMPLE_PARAMS = { search: 'bfs', breadth: 5, generate: 'propose', evaluate: 'value', evaluateSamples: 3 };

/** Verdicts of the value samples, by whether the numbers can still make 24; rotated per state. */
const SOLVABLE_VERDICTS = ['sure', 'likely', 'sure', 'likely'];
const UNSOLVABLE_VERDICTS = ['impossible', 'impossible', 'likely'];

function hash(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h;
}

const MAX_PROPOSALS = 8;

/** Every next step "a op b = c (left: ...)" of the numbers, those that can still make 24 first. */
function proposals(numbers: string): string[] {
  const steps = nextSteps(numbers);
  const solvable = steps.filter((s) => solve24(s.left) !== undefined);
  return [...solvable, ...steps.filter((s) => !solvable.includes(s))].slice(0, MAX_PROPOSALS).map((s) => s.line);
}

/** The final step's answer line: the steps so far ("a op b = c" lines) written as one expression. */
function finalAnswer(numbers: string, steps: string[]): string | undefined {
  const terms = numbers.split(/\s+/).map((n) => ({ value: Number(n), text: n }));
  for (const line of steps) {
    const m = /^(\d+) ([-+*/]) (\d+) = (\d+)/.exec(line.trim());
    if (!m) return undefined;
    const take = (value: number) => {
      const at = terms.findIndex((t) => t.value === value);
      return at < 0 ? undefined : terms.splice(at, 1)[0];
    };
    const a = take(Number(m[1]));
    const b = take(Number(m[3]));
    if (!a || !b) return undefined;
    terms.push({ value: Number(m[4]), text: `(${a.text} ${m[2]} ${b.text})` });
  }
  return terms.length === 1 && terms[0].value === 24 ? `Answer: ${terms[0].text.replace(/^\((.*)\)$/, '$1')} = 24` : undefined;
}

/** One reply per requested sample: the bench model's, with better proposals and final steps, and varied value verdicts. */
export function sampleReplies(req: Pick<FakeRequest, 'prompt' | 'body'>): string[] {
  const n = req.body.n ?? 1;
  const input = req.prompt.slice(req.prompt.lastIndexOf('Input: ') + 7);
  if (/^[^\n]*\nPossible next steps:\n$/.test(input)) return Array.from({ length: n }, () => proposals(input.split('\n')[0].trim()).join('\n'));
  const final = /^([^\n]*)\nSteps:\n([\s\S]*)$/.exec(input);
  const answer = final ? finalAnswer(final[1].trim(), final[2].split('\n').filter(Boolean)) : undefined;
  if (answer) return Array.from({ length: n }, () => answer);
  const reply = game24Reply(req.prompt);
  const value = /^Trying a few combinations\.\n(sure|impossible)$/.exec(reply);
  if (!value) return Array.from({ length: n }, () => reply);
  const numbers = req.prompt.slice(req.prompt.lastIndexOf('Input: ') + 7).trim();
  const verdicts = solve24(numbers) ? SOLVABLE_VERDICTS : UNSOLVABLE_VERDICTS;
  const turn = hash(numbers);
  return Array.from({ length: n }, (_, i) => `Trying a few combinations.\n${verdicts[(turn + i) % verdicts.length]}`);
}

export interface RecordOptions {
  /** Answer after a delay that grows with the reply, as a hosted model does (the shipped file is recorded so). */
  latency?: boolean;
  /** Every graph event of the run, as the extension host sends them to the panel (copied when emitted). */
  events?: GraphEvent[];
}

/** Records the run (without latency by default, which is faster and gives the same graph). */
export async function recordSampleRun(options: RecordOptions = {}): Promise<Trace> {
  const server = await startFakeServer((req) => {
    const choices = sampleReplies(req);
    const words = choices.join(' ').split(/\s+/).length;
    return { choices, delayMs: options.latency ? 350 + 9 * words : 0 };
  });
  try {
    const task = resolveTask('game24', SAMPLE_PUZZLE);
    const technique = findTechnique('tot');
    if (!task || !technique) throw new Error('the game24 task or the tot technique is missing');
    const run = new Run({
      model: new OpenAIChatModel({ baseUrl: server.baseUrl, model: SAMPLE_MODEL, apiKey: 'sample' }),
      pricing: new Pricing(),
      // One call at a time: node ids follow the order of the calls, not of their replies, so every
      // recording of the run is the same graph.
      concurrency: 1,
    });
    const events = options.events;
    if (events) run.graph.on((event) => events.push(structuredClone(event)));
    const report = await runTechnique({ technique, task, input: SAMPLE_PUZZLE, params: SAMPLE_PARAMS, run });
    return toTrace(report, run.graph);
  } finally {
    await server.close();
  }
}
