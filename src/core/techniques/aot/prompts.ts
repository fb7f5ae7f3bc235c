// The Algorithm-of-Thoughts prompt (Sel et al., 2024). The prompt is the method: rules of thumb first,
// then worked examples in which one generation searches depth first. As the paper describes it for
// Game of 24: results that are negative or fractional are avoided and the numbers left are kept in
// descending order; with two numbers left, all four operations are tried at once (the quick pair
// checks); the most promising first operations are tried first and, under each, every pair of the
// numbers left with every operation on the last two; a dead end goes back to the next promising
// first operation; and once 24 is reached the search retraces the steps that led there before it
// answers. Wording and examples are Thoughtscope's own, in the trace format aot/searchTrace.ts reads.

/** The trace format, stated once so the prompt and the parser agree. */
export const TRACE_RULES =
  'Write the search as numbered lines, one tried step per line:\n' +
  '- "<path>. <step>" tries a step; the path says where it sits ("1.2" is the second step tried after step 1, "2" the second first step).\n' +
  '- When a step cannot lead to a solution, end its line with "-> ... dead end". When every step under a first step is a dead end, ' +
  'write "Backtrack to start" and try the next most promising first step.\n' +
  '- When a step solves the problem, end its line with "-> ... solved". Then write "Retracing the solution:", the steps that led ' +
  'to it in order, one per line ("Step 1: ..."), and finish with one line "Answer: <answer>".\n' +
  'Try the most promising step first and go deeper before trying alternatives.';

const GAME24_RULES =
  'Rules of thumb for the search:\n' +
  '- Avoid steps whose result is negative or a fraction; they rarely lead to 24.\n' +
  '- After each step, list the numbers left in descending order.\n' +
  '- With two numbers left, try all four operations on them at once. Some quick checks of pairs:\n' +
  '  (20 4): 20 + 4 = 24, found.\n' +
  '  (9 5): 9 + 5 = 14, 9 - 5 = 4, 9 * 5 = 45, 9 / 5 is a fraction: no.\n' +
  '  (48 2): 48 / 2 = 24, found.\n' +
  '  (7 3): 7 + 3 = 10, 7 - 3 = 4, 7 * 3 = 21, 7 / 3 is a fraction: no.\n' +
  '  (30 6): 30 - 6 = 24, found.\n' +
  '- Begin with the first steps most likely to reach 24: a result that divides 24 or is close to it, or a product near 24.\n' +
  '- Every puzzle given has a solution. Do not give up: when a first step fails, backtrack and try the next one.';

const GAME24_EXAMPLES = `Input: 2 5 8 11
Search:
1. 8 * 2 = 16 (left: 16 11 5), promising: 16 is 8 away from 24.
1.1. 16 + 11 = 27 (left: 27 5) -> 27 + 5 = 32, 27 - 5 = 22, 27 * 5 = 135, 27 / 5 is a fraction: no 24, dead end.
1.2. 16 - 11 = 5 (left: 5 5) -> 5 + 5 = 10, 5 - 5 = 0, 5 * 5 = 25, 5 / 5 = 1: no 24, dead end.
1.3. 16 + 5 = 21 (left: 21 11) -> 21 + 11 = 32, 21 - 11 = 10, 21 * 11 = 231, 21 / 11 is a fraction: no 24, dead end.
1.4. 16 - 5 = 11 (left: 11 11) -> 11 + 11 = 22, 11 - 11 = 0, 11 * 11 = 121, 11 / 11 = 1: no 24, dead end.
1.5. 11 + 5 = 16 (left: 16 16) -> 16 + 16 = 32, 16 - 16 = 0, 16 * 16 = 256, 16 / 16 = 1: no 24, dead end.
1.6. 11 - 5 = 6 (left: 16 6) -> 16 + 6 = 22, 16 - 6 = 10, 16 * 6 = 96, 16 / 6 is a fraction: no 24, dead end.
1.7. 16 * 11, 16 * 5 and 11 * 5 give 176, 80 and 55 -> too large to come back to 24 with one number: dead end.
Backtrack to start.
2. 11 - 5 = 6 (left: 8 6 2), promising: 6 times 4 is 24, and 8 / 2 = 4.
2.1. 8 + 6 = 14 (left: 14 2) -> 14 + 2 = 16, 14 - 2 = 12, 14 * 2 = 28, 14 / 2 = 7: no 24, dead end.
2.2. 8 - 6 = 2 (left: 2 2) -> 2 + 2 = 4, 2 - 2 = 0, 2 * 2 = 4, 2 / 2 = 1: no 24, dead end.
2.3. 8 / 2 = 4 (left: 6 4) -> 6 + 4 = 10, 6 - 4 = 2, 6 * 4 = 24: solved.
Retracing the solution:
Step 1: 11 - 5 = 6
Step 2: 8 / 2 = 4
Step 3: 6 * 4 = 24
So 24 = 6 * 4 = (11 - 5) * (8 / 2).
Answer: (11 - 5) * (8 / 2) = 24

Input: 2 3 4 9
Search:
1. 9 + 3 = 12 (left: 12 4 2), promising: 12 is half of 24.
1.1. 12 + 4 = 16 (left: 16 2) -> 16 + 2 = 18, 16 - 2 = 14, 16 * 2 = 32, 16 / 2 = 8: no 24, dead end.
1.2. 12 * 2 = 24 (left: 24 4) -> 24 + 4 = 28, 24 - 4 = 20, 24 * 4 = 96, 24 / 4 = 6: 4 is left over, dead end.
1.3. 4 - 2 = 2 (left: 12 2) -> 12 + 2 = 14, 12 - 2 = 10, 12 * 2 = 24: solved.
Retracing the solution:
Step 1: 9 + 3 = 12
Step 2: 4 - 2 = 2
Step 3: 12 * 2 = 24
So 24 = 12 * 2 = (9 + 3) * (4 - 2).
Answer: (9 + 3) * (4 - 2) = 24
`;

const GENERIC_EXAMPLES = `Problem: Seat Ann, Bob and Cy on three chairs in a row so that Ann does not sit next to Bob and Cy does not take the left chair.
Search:
1. Ann takes the left chair.
1.1. Bob takes the middle chair -> Ann sits next to Bob: dead end.
1.2. Cy takes the middle chair, Bob the right one -> Ann and Bob are apart and Cy is not on the left: solved.
Retracing the solution:
Step 1: Ann on the left.
Step 2: Cy in the middle, Bob on the right.
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
Retracing the solution:
Step 1: last digit 4, first digit 8, middle digit 0.
Step 2: 804 meets every condition.
Answer: 804
`;

function normalizeNumbers(text: string): string {
  return text.trim().split(/\s+/).join(' ');
}

/** The whole prompt for one search over `input`, with the rules and examples of `taskId`. */
export function aotPrompt(taskId: string, input: string): string {
  if (taskId === 'game24') {
    return (
      'Use each of the four numbers exactly once, with + - * / and parentheses, to make 24. ' +
      'Search for the solution depth first: each step combines two of the numbers left and lists what is left.\n' +
      `${GAME24_RULES}\n${TRACE_RULES}\nThe answer line is the whole expression over the original numbers, "Answer: <expression> = 24".\n\n` +
      `${GAME24_EXAMPLES}\nInput: ${normalizeNumbers(input)}\nSearch:\n`
    );
  }
  return (
    'Solve the problem by searching for the solution depth first, checking each step against the conditions of the problem.\n' +
    `${TRACE_RULES}\n\n${GENERIC_EXAMPLES}\nProblem: ${input.trim()}\nSearch:\n`
  );
}
