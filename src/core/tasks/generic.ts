// The generic free-text task: any question, reasoning steps as free text, final answer on an
// "Answer:" line. Prompt texts are Thoughtscope's own.
import { countVotes, extractFinalAnswer, scoreValueSamples } from './answer';
import type { Task } from './types';

const ANSWER_RULE = 'End with a line of the form "Answer: <final answer>".';

function stepsBlock(steps: string): string {
  return steps.trim() ? `Reasoning so far:\n${steps.trim()}\n` : 'Reasoning so far: (none yet)\n';
}

export const genericTask: Task = {
  id: 'generic',
  description: 'Any question; the final answer is read from an "Answer:" line.',
  defaultSteps: 3,

  ioPrompt: (input) => `${input.trim()}\n\nReply with the answer only, on a line of the form "Answer: <final answer>".`,

  cotPrompt: (input, fewShot) =>
    (fewShot
      ? 'Question: A shop sells pens at 3 for $2. How much do 12 pens cost?\n' +
        'Reasoning: 12 pens are 4 groups of 3 pens. Each group costs $2, so 4 x $2 = $8.\nAnswer: $8\n\n' +
        'Question: Tom is 4 years older than Ann. In 3 years their ages will add up to 30. How old is Ann now?\n' +
        'Reasoning: Let Ann be a. Tom is a + 4. In 3 years: (a + 3) + (a + 7) = 30, so 2a + 10 = 30 and a = 10.\nAnswer: 10\n\n'
      : '') + `Question: ${input.trim()}\nThink step by step, writing out your reasoning. ${ANSWER_RULE}\nReasoning:`,

  proposePrompt: (input, steps) =>
    `Problem: ${input.trim()}\n${stepsBlock(steps)}\n` +
    'Propose up to 5 different possible next steps of the reasoning, one per line, each a single short sentence. ' +
    'If the reasoning so far already determines the result, write one line "Answer: <final answer>" instead.\nNext steps:',

  parseProposals: (_input, _steps, response) =>
    response
      .split('\n')
      .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
      .filter((l) => l.length > 0 && !/^next steps?:?$/i.test(l)),

  samplePrompt: (input, steps) =>
    `Problem: ${input.trim()}\n${stepsBlock(steps)}\nWrite the next step of the reasoning as one short sentence. ` +
    'If the result is now determined, write "Answer: <final answer>" instead.\nNext step:',

  parseSample: (_input, _steps, response) => response.trim().split('\n')[0]?.trim() ?? '',

  valuePrompt: (input, steps) =>
    `Problem: ${input.trim()}\n${stepsBlock(steps)}\n` +
    'Judge whether this reasoning is correct so far and can reach the right final answer. ' +
    'Explain briefly, then give your verdict on the last line as exactly one word: sure, likely or impossible.',

  parseValues: (_input, _steps, responses, parsing) => scoreValueSamples(responses, parsing),

  votePrompt: (input, candidates) =>
    `Problem: ${input.trim()}\nSeveral partial solutions follow. Analyse each briefly, then conclude with ` +
    '"The best choice is <number>".\n\n' +
    candidates.map((c, i) => `Choice ${i + 1}:\n${c.trim()}`).join('\n\n'),

  parseVotes: (candidates, responses, parsing) => countVotes(candidates.length, responses, parsing),

  extractAnswer: extractFinalAnswer,

  stepLabel: (steps) => {
    const lines = steps.trim().split('\n');
    return lines[lines.length - 1] ?? '';
  },
};
