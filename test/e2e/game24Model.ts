// A scripted Game of 24 "model" for the end-to-end tests: it reads the Thoughtscope Game of 24 prompts
// (propose, final step, value, answer check) and answers from small tables, so a Tree of Thoughts run
// in the real extension takes a known path. Puzzles not in the tables get replies the task rejects.
import type { FakeReply, FakeRequest } from '../support/fakeOpenAI';

export type Verdict = 'sure' | 'likely' | 'impossible';

export interface Game24Script {
  /** Next-step lines by the state's current numbers. */
  proposals: Record<string, string[]>;
  /** Value verdict by the state's current numbers. */
  values: Record<string, Verdict>;
  /** Final-step reply by the last step line before it. */
  finals: Record<string, string>;
  /** Verdict on a finished answer, by its expression. */
  answers: Record<string, Verdict>;
}

export type PromptKind = 'propose' | 'final' | 'value' | 'answer-check';

/** One solvable puzzle, every state distinct so every thought gets its own value call. */
export const SOLVABLE = '4 9 10 13';
export const SOLVABLE_ANSWER = '(13 - 9) * (10 - 4)';

export const SCRIPT: Game24Script = {
  proposals: {
    '4 9 10 13': ['13 - 9 = 4 (left: 4 4 10)', '10 - 4 = 6 (left: 6 9 13)', '9 + 10 = 19 (left: 4 13 19)'],
    '4 4 10': ['10 - 4 = 6 (left: 4 6)', '4 + 4 = 8 (left: 8 10)', '4 * 10 = 40 (left: 4 40)'],
    '4 6': ['4 * 6 = 24 (left: 24)', '6 - 4 = 2 (left: 2)'],
    // The puzzle of the cancel scenario: proposals come back, its value calls never do.
    '1 2 3 4': ['1 + 2 = 3 (left: 3 3 4)', '3 * 4 = 12 (left: 1 2 12)', '4 - 1 = 3 (left: 2 3 3)'],
  },
  values: { '4 4 10': 'sure', '6 9 13': 'likely', '4 13 19': 'impossible', '4 6': 'sure', '8 10': 'impossible', '4 40': 'impossible', '24': 'sure', '2': 'impossible' },
  finals: { '4 * 6 = 24 (left: 24)': 'Answer: (13 - 9) * (10 - 4) = 24' },
  answers: { [SOLVABLE_ANSWER]: 'sure' },
};

/** The text after the prompt's last "Input:" line, and the numbers on that line. */
function lastInput(prompt: string): { numbers: string; tail: string } {
  const at = prompt.lastIndexOf('Input: ');
  const rest = prompt.slice(at + 'Input: '.length);
  const newline = rest.indexOf('\n');
  return newline < 0 ? { numbers: rest.trim(), tail: '' } : { numbers: rest.slice(0, newline).trim(), tail: rest.slice(newline + 1) };
}

export function classify(prompt: string): { kind: PromptKind; numbers: string; tail: string } {
  const { numbers, tail } = lastInput(prompt);
  if (tail.startsWith('Possible next steps:')) return { kind: 'propose', numbers, tail };
  if (tail.startsWith('Steps:')) return { kind: 'final', numbers, tail };
  if (tail.startsWith('Answer:')) return { kind: 'answer-check', numbers, tail };
  if (tail.trim() === '') return { kind: 'value', numbers, tail };
  throw new Error(`game24Model: unrecognised prompt ending in ${JSON.stringify(prompt.slice(-200))}`);
}

/** The reply text the scripted model gives to `prompt`. */
export function game24Reply(prompt: string, script: Game24Script = SCRIPT): string {
  const { kind, numbers, tail } = classify(prompt);
  switch (kind) {
    case 'propose':
      return (script.proposals[numbers] ?? []).join('\n');
    case 'final': {
      const steps = tail.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
      return script.finals[steps[steps.length - 1] ?? ''] ?? 'I could not finish this one.';
    }
    case 'value':
      return `Trying a few combinations.\n${script.values[numbers] ?? 'impossible'}`;
    case 'answer-check': {
      const expression = /^Answer: (.*) = 24$/m.exec(tail)?.[1] ?? '';
      return `Checked each number.\n${script.answers[expression] ?? 'impossible'}`;
    }
  }
}

export interface ModelOptions {
  /** The only accepted API key (sent as "Authorization: Bearer <key>"); others get HTTP 401. */
  apiKey: string;
  /** Delay of every answer, so the graph visibly grows call by call. */
  delayMs: number;
  /** Requests for which no answer is ever sent (until the client gives up). */
  hangs?: (req: FakeRequest) => boolean;
  /** Awaited before each answer: lets a test hold the model until it watches the panel. */
  gate?: () => Promise<void>;
  /** Replies for prompts other than Game of 24 ones (e.g. Program of Thoughts); undefined: not mine. */
  otherReply?: (prompt: string) => string | undefined;
}

/** A handler for startFakeServer: authentication, then the scripted model. */
export function game24Handler(options: ModelOptions): (req: FakeRequest) => Promise<FakeReply> {
  return async (req) => {
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) return { status: 401 };
    if (options.hangs?.(req)) return { hang: true };
    await options.gate?.();
    return { choices: [options.otherReply?.(req.prompt) ?? game24Reply(req.prompt)], delayMs: options.delayMs };
  };
}
