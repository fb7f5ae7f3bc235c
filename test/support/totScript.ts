// A scripted Game of 24 model for ToT tests: it recognises each kind of prompt ToT sends (propose,
// final step, sample, value, value of an answer, vote) and answers from a script keyed by the state's
// numbers, so a test states what the model "thinks" and checks what the search does with it.
import type { FakeReply, FakeRequest } from './fakeOpenAI';

export const INPUT = '4 9 10 13';

// Step lines used below (A, B, C, E at step 1; D repeats A).
export const A = '13 - 9 = 4 (left: 4 4 10)';
export const B = '10 - 4 = 6 (left: 6 9 13)';
export const C = '4 + 9 = 13 (left: 10 13 13)';
export const E = '9 + 10 = 19 (left: 4 13 19)';

export type Kind = 'propose' | 'final' | 'sample' | 'value' | 'valueAnswer' | 'vote';

export function lastInput(prompt: string): string {
  const lines = prompt.split('\n').filter((l) => l.startsWith('Input:'));
  return lines[lines.length - 1].slice('Input:'.length).trim();
}

export function afterLastInput(prompt: string): string {
  const rest = prompt.slice(prompt.lastIndexOf('\nInput:') + 1);
  return rest.slice(rest.indexOf('\n') + 1);
}

export function classify(prompt: string): Kind {
  if (/Choice 1:/.test(prompt) && /The best choice is/.test(prompt)) return 'vote';
  const tail = afterLastInput(prompt);
  if (tail.startsWith('Possible next steps:')) return 'propose';
  if (tail.startsWith('Answer:') && tail.trimEnd().endsWith('Judge:')) return 'valueAnswer';
  if (tail.startsWith('Steps:')) return /Write only the next line/.test(tail) ? 'sample' : 'final';
  if (tail === '' && /sure, likely or impossible/.test(prompt)) return 'value';
  throw new Error(`unrecognised prompt:\n${prompt}`);
}

export interface Script {
  proposals: Record<string, string[]>;
  /** Proposals by current numbers and turn: the n-th propose request for those numbers gets the n-th list. */
  proposalTurns?: Record<string, string[][]>;
  /** Verdict line by current numbers, as the model writes it (usually sure / likely / impossible). */
  values: Record<string, string>;
  /** Verdict line by answer expression (finished solutions). */
  answers: Record<string, string>;
  /** Final-step output by the first step of the path. */
  finals: Record<string, string>;
  vote?: (choices: string[]) => string[];
  samples?: string[];
}

export const BASE: Script = {
  proposals: {
    '4 9 10 13': [A, B, C, A, E],
    '4 4 10': ['10 - 4 = 6 (left: 4 6)', '4 + 4 = 8 (left: 8 10)', '4 * 10 = 40 (left: 4 40)'],
    '6 9 13': ['13 - 9 = 4 (left: 4 6)', '6 + 9 = 15 (left: 13 15)'],
    '4 6': ['4 * 6 = 24 (left: 24)', '6 - 4 = 2 (left: 2)'],
  },
  values: {
    '4 4 10': 'sure',
    '6 9 13': 'likely',
    '10 13 13': 'likely',
    '4 13 19': 'impossible',
    '4 6': 'sure',
    '8 10': 'impossible',
    '4 40': 'impossible',
    '13 15': 'impossible',
    '2': 'impossible',
    '24': 'sure',
  },
  answers: {
    '(13 - 9) * (10 - 4)': 'sure',
    '(10 - 4) * (13 - 9)': 'sure',
    '(10 + 4) + (13 - 9)': 'impossible',
  },
  finals: {
    [A]: 'Answer: (13 - 9) * (10 - 4) = 24',
    [B]: 'Answer: (10 + 4) + (13 - 9) = 24\nAnswer: (10 - 4) * (13 - 9) = 24',
  },
};

/** How many propose requests each script has answered per numbers (for `proposalTurns`). */
const proposeTurns = new WeakMap<Script, Map<string, number>>();

export function handlerFor(script: Script): (req: FakeRequest) => FakeReply {
  return (req: FakeRequest) => {
    const prompt = req.prompt;
    switch (classify(prompt)) {
      case 'propose': {
        const numbers = lastInput(prompt);
        const turns = script.proposalTurns?.[numbers];
        if (turns) {
          const seen = (proposeTurns.get(script) ?? new Map<string, number>()).set(numbers, (proposeTurns.get(script)?.get(numbers) ?? -1) + 1);
          proposeTurns.set(script, seen);
          return { choices: [(turns[seen.get(numbers)!] ?? []).join('\n')] };
        }
        return { choices: [(script.proposals[numbers] ?? []).join('\n')] };
      }
      case 'final': {
        const first = afterLastInput(prompt).split('\n')[1];
        return { choices: [script.finals[first] ?? 'I am not sure.'] };
      }
      case 'sample':
        return { choices: script.samples ?? ['nothing'] };
      case 'value':
        return { choices: [`Trying a few combinations.\n${script.values[lastInput(prompt)] ?? 'impossible'}`] };
      case 'valueAnswer': {
        const answer = /^Answer: (.*) = 24$/m.exec(afterLastInput(prompt))?.[1] ?? '';
        return { choices: [`Checked.\n${script.answers[answer] ?? 'impossible'}`] };
      }
      case 'vote': {
        const choices = [...prompt.matchAll(/Choice (\d+):\n([\s\S]*?)(?=\n\nChoice \d+:|$)/g)].map((m) => m[2]);
        return { choices: script.vote ? script.vote(choices) : ['The best choice is 1'] };
      }
    }
  };
}

