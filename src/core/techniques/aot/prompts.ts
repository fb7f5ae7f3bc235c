// The Algorithm-of-Thoughts prompt (Sel et al., 2024): in-context examples that walk a depth-first
// search with backtracking inside one generation, in the trace format aot/searchTrace.ts reads.
// The examples are Thoughtscope's own: Game of 24 for the game24 task, small constraint puzzles
// for everything else.

/** The trace format, stated once so the prompt and the parser agree. */
export const TRACE_RULES =
  'Write the search as numbered lines, one tried step per line:\n' +
  '- "<path>. <step>" tries a step; the path says where it sits ("1.2" is the second step tried after step 1, "2" the second first step).\n' +
  '- When a step cannot lead to a solution, end its line with "-> ... dead end", then write "Backtrack to <path>" ' +
  '(or "Backtrack to start") and try the next step from there.\n' +
  '- When a step solves the problem, end its line with "-> ... solved" and finish with one line "Answer: <answer>".\n' +
  'Try the most promising step first and go deeper before trying alternatives.';

const GAME24_EXAMPLES = `Input: 4 5 6 10
Search:
1. 4 + 5 = 9 (left: 6 9 10)
1.1. 10 - 6 = 4 (left: 4 9) -> 4 + 9 = 13, 9 - 4 = 5, 4 * 9 = 36, 9 / 4 = 2.25: no 24, dead end.
Backtrack to 1.
1.2. 9 + 6 = 15 (left: 10 15) -> 10 + 15 = 25, 15 - 10 = 5, 10 * 15 = 150, 15 / 10 = 1.5: no 24, dead end.
Backtrack to start.
2. 10 - 6 = 4 (left: 4 4 5)
2.1. 4 * 5 = 20 (left: 4 20) -> 20 + 4 = 24: solved.
Answer: (10 - 6) * 5 + 4 = 24

Input: 1 3 8 9
Search:
1. 8 + 9 = 17 (left: 1 3 17)
1.1. 17 + 3 = 20 (left: 1 20) -> 20 + 1 = 21, 20 - 1 = 19, 20 * 1 = 20, 20 / 1 = 20: no 24, dead end.
Backtrack to 1.
1.2. 3 + 1 = 4 (left: 4 17) -> 4 + 17 = 21, 17 - 4 = 13, 4 * 17 = 68, 17 / 4 = 4.25: no 24, dead end.
Backtrack to start.
2. 9 - 1 = 8 (left: 3 8 8)
2.1. 8 * 3 = 24 (left: 8 24) -> 24 + 8 = 32, 24 - 8 = 16, 24 * 8 = 192, 24 / 8 = 3: no 24, dead end.
Backtrack to 2.
2.2. 8 / 8 = 1 (left: 1 3) -> 1 + 3 = 4, 3 - 1 = 2, 1 * 3 = 3, 3 / 1 = 3: no 24, dead end.
Backtrack to start.
3. 9 / 3 = 3 (left: 1 3 8)
3.1. 3 * 8 = 24 (left: 1 24) -> 24 * 1 = 24: solved.
Answer: (9 / 3) * 8 * 1 = 24
`;

const GENERIC_EXAMPLES = `Problem: Seat Ann, Bob and Cy on three chairs in a row so that Ann does not sit next to Bob and Cy does not take the left chair.
Search:
1. Ann takes the left chair.
1.1. Bob takes the middle chair -> Ann sits next to Bob: dead end.
Backtrack to 1.
1.2. Cy takes the middle chair, Bob the right one -> Ann and Bob are apart and Cy is not on the left: solved.
Answer: Ann, Cy, Bob

Problem: Find a three-digit number with three different digits that add up to 12, whose first digit is twice its last digit, and that is divisible by 4.
Search:
1. Last digit 1, so the first digit is 2 and the middle one 12 - 3 = 9.
1.1. Check 291 -> 91 is not divisible by 4: dead end.
Backtrack to start.
2. Last digit 2, so the first digit is 4 and the middle one 12 - 6 = 6.
2.1. Check 462 -> 62 is not divisible by 4: dead end.
Backtrack to start.
3. Last digit 3, so the first digit is 6 and the middle one 3 -> the digit 3 repeats: dead end.
Backtrack to start.
4. Last digit 4, so the first digit is 8 and the middle one 0.
4.1. Check 804 -> the digits differ, 8 + 0 + 4 = 12 and 804 = 4 * 201: solved.
Answer: 804
`;

function normalizeNumbers(text: string): string {
  return text.trim().split(/\s+/).join(' ');
}

/** The whole prompt for one search over `input`, with the examples of `taskId`. */
export function aotPrompt(taskId: string, input: string): string {
  if (taskId === 'game24') {
    return (
      'Use each of the four numbers exactly once, with + - * / and parentheses, to make 24. ' +
      'Search for the solution depth first: each step combines two of the remaining numbers and lists what is left; ' +
      'with two numbers left, try every operation on them.\n' +
      `${TRACE_RULES}\nThe answer line is the whole expression over the original numbers, "Answer: <expression> = 24".\n\n` +
      `${GAME24_EXAMPLES}\nInput: ${normalizeNumbers(input)}\nSearch:\n`
    );
  }
  return (
    'Solve the problem by searching for the solution depth first, checking each step against the conditions of the problem.\n' +
    `${TRACE_RULES}\n\n${GENERIC_EXAMPLES}\nProblem: ${input.trim()}\nSearch:\n`
  );
}
