// A scripted Game of 24 "model" for the benchmarks. It reads Thoughtscope's own Game of 24 prompts
// (propose, final step, value, answer check) and answers by arithmetic instead of from tables, so any
// puzzle of 24.csv gets the same replies on every run: runs are comparable, side by side and over time.
//   propose: up to 8 next steps, pairs in order, ops + * - / (no negatives, whole quotients only);
//   value:   "sure" when the numbers can still make 24, else "impossible";
//   final:   a correct expression for the puzzle (or a wrong one when it has none);
//   check:   "sure" when the answer is right (judged by the engine's own judge);
//   direct:  the IO prompt's one line "Answer: <expression> = 24" (the serve benchmark sends io).
import { judgeGame24 } from '../src/core/tasks/game24';
import { solve24 as solve } from '../test/support/solve24';

const MAX_PROPOSALS = 8;

function numbersOf(text: string): number[] {
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

function proposals(numbers: string): string[] {
  const ns = numbersOf(numbers);
  const out: string[] = [];
  for (let i = 0; i < ns.length; i++) {
    for (let j = i + 1; j < ns.length; j++) {
      const [small, big] = ns[i] <= ns[j] ? [ns[i], ns[j]] : [ns[j], ns[i]];
      const rest = ns.filter((_, k) => k !== i && k !== j);
      const results: Array<[string, number]> = [['+', big + small], ['*', big * small], ['-', big - small]];
      if (small !== 0 && big % small === 0) results.push(['/', big / small]);
      for (const [op, value] of results) {
        const left = [...rest, value].sort((x, y) => x - y).join(' ');
        out.push(`${big} ${op} ${small} = ${value} (left: ${left})`);
      }
    }
  }
  return out.slice(0, MAX_PROPOSALS);
}

/** The text after the prompt's last "Input:" line, and the numbers on that line. */
function lastInput(prompt: string): { numbers: string; tail: string } {
  const rest = prompt.slice(prompt.lastIndexOf('Input: ') + 'Input: '.length);
  const newline = rest.indexOf('\n');
  return newline < 0 ? { numbers: rest.trim(), tail: '' } : { numbers: rest.slice(0, newline).trim(), tail: rest.slice(newline + 1) };
}

/** The reply to one Game of 24 prompt of Thoughtscope's. */
export function game24Reply(prompt: string): string {
  const { numbers, tail } = lastInput(prompt);
  if (tail === '' && prompt.includes('Reply with one line "Answer:')) return `Answer: ${solve(numbers) ?? numbersOf(numbers).join(' + ')} = 24`;
  if (tail.startsWith('Possible next steps:')) return proposals(numbers).join('\n');
  if (tail.startsWith('Steps:')) return `Answer: ${solve(numbers) ?? numbersOf(numbers).join(' + ')} = 24`;
  if (tail.startsWith('Answer:')) {
    const expression = /^Answer: (.*) = 24$/m.exec(tail)?.[1] ?? '';
    return `Checked each number once.\n${judgeGame24(numbers, expression) ? 'sure' : 'impossible'}`;
  }
  if (tail.trim() === '') return `Trying a few combinations.\n${solve(numbers) ? 'sure' : 'impossible'}`;
  throw new Error(`game24Model: unrecognised prompt ending ${JSON.stringify(prompt.slice(-120))}`);
}

/** game24Reply with every answer remembered, so the model's own CPU cost is a map lookup after warm-up. */
export function memoized(reply: (prompt: string) => string): (prompt: string) => string {
  const seen = new Map<string, string>();
  return (prompt) => {
    let text = seen.get(prompt);
    if (text === undefined) seen.set(prompt, (text = reply(prompt)));
    return text;
  };
}
