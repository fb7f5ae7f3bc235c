import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  GAME24_TEST_RANGE,
  currentNumbers,
  game24AuthorsPick,
  evaluateExpression,
  game24Task,
  judgeGame24,
  loadGame24Puzzles,
} from '../../src/core/tasks/game24';
import { defaultPuzzlesPath, packageRoot } from '../../src/cli/puzzlesPath';

// The copy in the repository (data/game24/24.csv), found as the CLI finds it.
const CSV = defaultPuzzlesPath();

function lastInputLine(prompt: string): string {
  const lines = prompt.split('\n').filter((l) => l.startsWith('Input:'));
  assert.ok(lines.length > 0, 'prompt has an Input: line');
  return lines[lines.length - 1];
}

/** The text after the last "Input:" line. */
function afterLastInput(prompt: string): string {
  const i = prompt.lastIndexOf('\nInput:');
  const rest = prompt.slice(i + 1);
  return rest.slice(rest.indexOf('\n') + 1);
}

test('judge accepts a correct expression in its usual forms', () => {
  for (const answer of [
    '(10 - 4) * (13 - 9) = 24',
    '(10 - 4) * (13 - 9)',
    'Answer: (10 - 4) * (13 - 9) = 24',
    '(10 − 4) × (13 − 9) = 24',
    '(13 - 9) * (10 - 4)',
  ]) {
    assert.equal(judgeGame24('4 9 10 13', answer), true, answer);
  }
  assert.equal(game24Task.judge?.('4 9 10 13', '(10 - 4) * (13 - 9) = 24'), true);
  // ÷ and nested parentheses
  assert.equal(judgeGame24('2 3 9 10', '((9 ÷ 3) * (10 - 2))'), true);
});

test('judge rejects wrong numbers, reuse, omissions, other totals and non-arithmetic', () => {
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4) * (12 - 8) = 24'), false, 'numbers not in the puzzle');
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4) * (10 - 6) = 24'), false, 'reused 10');
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4) * 4'), false, 'numbers missing and reused');
  assert.equal(judgeGame24('4 9 10 13', '4 + 9 + 10 + 13 - 9'), false, 'extra number');
  assert.equal(judgeGame24('4 9 10 13', '4 + 9 + 10 - 13 + 13'), false);
  assert.equal(judgeGame24('1 1 4 6', '(1 + 1) * 4 + 6'), false, 'is 14');
  assert.equal(judgeGame24('4 9 10 13', '13 + 10 + 4 - 9'), false, 'is 18');
  assert.equal(judgeGame24('2 3 9 10', '10 * 3 - 9 + 2'), false, 'is 23');
  assert.equal(judgeGame24('2 3 9 10', '10 * 3 - 9 + 2 = 24'), false, 'claims 24 but is 23');
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4) * (13 - 9) = 25'), false, 'wrong right-hand side');
  assert.equal(judgeGame24('1 5 5 5', '5 / (5 - 5) + 1'), false, 'division by zero');
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4) * (13 - 9) + 0 / (4 - 4)'), false);
  assert.equal(judgeGame24('4 9 10 13', 'Math.max(4, 9) + 10 + 13'), false, 'non-arithmetic');
  assert.equal(judgeGame24('4 9 10 13', 'process.exit(1)'), false);
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4) ** (13 - 9)'), false, 'no exponent');
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4)(13 - 9)'), false, 'no implicit product');
  assert.equal(judgeGame24('4 9 10 13', '(10 - 4) * (13 - 9'), false, 'unbalanced');
  assert.equal(judgeGame24('4 9 10 13', ''), false);
  assert.equal(judgeGame24('4 9 10 13', 'I cannot find a solution'), false);
  assert.equal(judgeGame24('3 3 8 8', '8 / (3 - 8 / 3.0)'), false, 'decimals are not integers of the puzzle');
});

test('judge uses exact rational arithmetic', () => {
  assert.equal(judgeGame24('1 5 5 5', '5 * (5 - 1 / 5) = 24'), true);
  assert.equal(judgeGame24('3 3 8 8', '8 / (3 - 8 / 3)'), true);
  assert.equal(judgeGame24('1 3 4 6', '6 / (1 - 3 / 4)'), true);
  // In floating point 8 / (3 - 8 / 3) is 23.999999999999986; exactly it is 24.
  assert.notEqual(8 / (3 - 8 / 3), 24);
  assert.equal(judgeGame24('8 3 8 3', '8 / (3 - 8 / 3) = 24'), true);
  assert.equal(judgeGame24('1 5 5 5', '5 * (5 - 1 / 5) + 1 / 5 - 1 / 5'), false, 'extra numbers are rejected even when the value is 24');
  const v = evaluateExpression('1 / 3 + 1 / 6');
  assert.ok(v);
  assert.equal(v.value.n, 1n);
  assert.equal(v.value.d, 2n);
  assert.equal(evaluateExpression('1 / (2 - 2)'), undefined);
  assert.equal(judgeGame24('1 2 3 4', '-(1 - 2 - 3) * 4 + 0'), false, '0 not in puzzle');
  assert.equal(judgeGame24('1 2 3 4', '(1 + 2 + 3) * 4'), true);
});

test('loadGame24Puzzles reads the real 24.csv', () => {
  const puzzles = loadGame24Puzzles(readFileSync(CSV, 'utf8'));
  assert.equal(puzzles.length, 1362);
  assert.equal(puzzles[0], '1 1 4 6');
  // Row with Rank 901 is index 900, the first puzzle of the paper's test slice.
  assert.equal(puzzles[GAME24_TEST_RANGE.start], '4 5 6 10');
  assert.equal(puzzles[999], '4 9 10 13');
  assert.equal(puzzles[1361], '2 3 5 12');
  assert.equal(GAME24_TEST_RANGE.end - GAME24_TEST_RANGE.start, 100);
});

test('the puzzles are the copy in the repository, found from the sources and from the bundles in dist/', () => {
  const root = join(__dirname, '..', '..');
  assert.equal(CSV, join(root, 'data', 'game24', '24.csv'));
  assert.equal(packageRoot(join(root, 'dist')), root);
  assert.equal(defaultPuzzlesPath(packageRoot(join(root, 'src', 'cli'))), CSV);
  assert.throws(() => packageRoot('/'), /cannot find Thoughtscope's package\.json above \/: the installation is incomplete/);
});

test('loadGame24Puzzles parses quoted cells, CRLF and blank lines', () => {
  const csv = 'Rank,Puzzles,AMT (s)\r\n1,"1 1 4 6",4.4\r\n\r\n2, 2  3 5 12 ,9\r\n';
  assert.deepEqual(loadGame24Puzzles(csv), ['1 1 4 6', '2 3 5 12']);
  assert.throws(() => loadGame24Puzzles('Rank,Other\n1,2\n'), /Puzzles/);
});

test('parseProposals: every line by default (the reference), well-formed step lines only when lenient', () => {
  const response = [
    'Possible next steps:',
    '4 + 9 = 13 (left: 10 13 13)',
    '1. 13 - 9 = 4 (left: 4 4 10)',
    '- 10 * 4 = 40 (left:  9 13 40)',
    'Let me think about this.',
    '13 - 10 = 3',
    '',
    '10 / 4 = 2.5 (left: 2.5 9 13)',
  ].join('\n');
  assert.deepEqual(game24Task.parseProposals('4 9 10 13', '', response), response.split('\n'));
  assert.deepEqual(game24Task.parseProposals('4 9 10 13', '', response, 'lenient'), [
    '4 + 9 = 13 (left: 10 13 13)',
    '13 - 9 = 4 (left: 4 4 10)',
    '10 * 4 = 40 (left: 9 13 40)',
    '10 / 4 = 2.5 (left: 2.5 9 13)',
  ]);
  // On the final step, lenient keeps only Answer lines.
  const steps = '13 - 9 = 4 (left: 4 4 10)\n10 - 4 = 6 (left: 4 6)\n4 * 6 = 24 (left: 24)\n';
  assert.deepEqual(
    game24Task.parseProposals('4 9 10 13', steps, '4 * 6 = 24 (left: 24)\nAnswer: (13 - 9) * (10 - 4) = 24\n', 'lenient'),
    ['Answer: (13 - 9) * (10 - 4) = 24'],
  );
  // A line without "left:" is valued as a final answer, as the reference's value_prompt_wrap does.
  const junk = game24Task.valuePrompt('4 9 10 13', 'Let me think about this.\n').text;
  assert.ok(afterLastInput(junk).startsWith('Answer: Let me think about this. = 24\nJudge:'));
});

test('the authors\' pick: the first final state with an Answer that uses exactly the input numbers', () => {
  const states = ['a (left: 24)\nAnswer: 4 * 6 = 24\n', 'b\nAnswer: (13 - 9) * (10 - 4) = 24\n', 'c\nAnswer: (10 - 4) * (13 - 9) = 24\n'];
  assert.equal(game24AuthorsPick('4 9 10 13', states), 1);
  assert.equal(game24AuthorsPick('4 9 10 13', states.slice(0, 1)), undefined);
  // "answer: " in lower case is not the authors' "Answer: ".
  assert.equal(game24AuthorsPick('4 9 10 13', ['answer: (13 - 9) * (10 - 4) = 24']), undefined);
});

test('current numbers come from the last step', () => {
  assert.equal(currentNumbers('4  9 10 13', ''), '4 9 10 13');
  assert.equal(currentNumbers('4 9 10 13', '4 + 5 = 9 (left: 6 9 10)\n'), '6 9 10');
  assert.equal(currentNumbers('4 9 10 13', '13 - 9 = 4 (left: 4 4 10)\n10 - 4 = 6 (left: 4 6)\n'), '4 6');
  assert.equal(currentNumbers('4 9 10 13', 'a\nAnswer: (13 - 9) * (10 - 4) = 24\n'), undefined);
  assert.deepEqual(game24Task.stateMeta?.('4 9 10 13', '13 - 9 = 4 (left: 4 4 10)\n'), { left: '4 4 10' });
});

test('propose and value prompts put the current numbers on the last Input line', () => {
  const input = '4 9 10 13';
  assert.equal(lastInputLine(game24Task.proposePrompt(input, '').text), 'Input: 4 9 10 13');
  assert.equal(lastInputLine(game24Task.proposePrompt(input, '4 + 5 = 9 (left: 6 9 10)\n').text), 'Input: 6 9 10');
  assert.equal(lastInputLine(game24Task.valuePrompt(input, '4 + 5 = 9 (left: 6 9 10)\n').text), 'Input: 6 9 10');
  const two = '13 - 9 = 4 (left: 4 4 10)\n10 - 4 = 6 (left: 4 6)\n';
  assert.equal(lastInputLine(game24Task.proposePrompt(input, two).text), 'Input: 4 6');
  assert.equal(lastInputLine(game24Task.valuePrompt(input, two).text), 'Input: 4 6');
  // The propose prompt ends right after the Input line, asking for next steps.
  assert.match(afterLastInput(game24Task.proposePrompt(input, two).text), /^Possible next steps:\n$/);
  assert.equal(lastInputLine(game24Task.ioPrompt(' 4 9  10 13 ').text), 'Input: 4 9 10 13');
  assert.equal(lastInputLine(game24Task.cotPrompt(input, true).text), 'Input: 4 9 10 13');
  assert.equal(lastInputLine(game24Task.cotPrompt(input, false).text), 'Input: 4 9 10 13');
});

test('the final step shows the original numbers and the steps so far', () => {
  const input = '4 9 10 13';
  const steps = '13 - 9 = 4 (left: 4 4 10)\n10 - 4 = 6 (left: 4 6)\n4 * 6 = 24 (left: 24)\n';
  const prompt = game24Task.proposePrompt(input, steps).text;
  assert.equal(lastInputLine(prompt), 'Input: 4 9 10 13');
  assert.equal(afterLastInput(prompt), `Steps:\n${steps}`);
  assert.match(prompt, /Answer: .* = 24/, 'shows the Answer format');
  // A sampled step also continues from the original numbers.
  const sample = game24Task.samplePrompt(input, '13 - 9 = 4 (left: 4 4 10)\n').text;
  assert.equal(lastInputLine(sample), 'Input: 4 9 10 13');
  assert.ok(afterLastInput(sample).startsWith('Steps:\n13 - 9 = 4 (left: 4 4 10)\n'));
  assert.equal(game24Task.parseSample(input, '13 - 9 = 4 (left: 4 4 10)\n', '13 - 9 = 4 (left: 4 4 10)\n10 - 4 = 6 (left: 4 6)\n'), '10 - 4 = 6 (left: 4 6)');
});

test('a finished solution is valued with the original numbers and its Answer line', () => {
  const input = '4 9 10 13';
  const steps = '13 - 9 = 4 (left: 4 4 10)\n10 - 4 = 6 (left: 4 6)\n4 * 6 = 24 (left: 24)\nAnswer: (13 - 9) * (10 - 4) = 24\n';
  const prompt = game24Task.valuePrompt(input, steps).text;
  assert.equal(lastInputLine(prompt), 'Input: 4 9 10 13');
  assert.ok(afterLastInput(prompt).startsWith('Answer: (13 - 9) * (10 - 4) = 24\n'));
  // Even if the model left off "= 24", the prompt shows it.
  const bare = game24Task.valuePrompt(input, 'x (left: 24)\nAnswer: (13 - 9) * (10 - 4)\n').text;
  assert.ok(afterLastInput(bare).startsWith('Answer: (13 - 9) * (10 - 4) = 24\n'));
});

test('values, votes, answers and labels', () => {
  const input = '4 9 10 13';
  assert.equal(game24Task.parseValues(input, '13 - 9 = 4 (left: 4 4 10)\n', ['a\nsure', 'likely', 'b\nimpossible']), 21.001);
  // Four steps without an answer are worth nothing.
  const four = 'a (left: 1 2 3)\nb (left: 3 3)\nc (left: 9)\nd (left: 8)\n';
  assert.equal(game24Task.parseValues(input, four, ['sure', 'sure', 'sure']), 0);
  assert.deepEqual(game24Task.parseVotes(['a', 'b', 'c'], ['The best choice is 2', 'the best choice is 2.', 'The best choice is 3', 'no idea']), [0, 2, 1]);
  const vote = game24Task.votePrompt(input, ['13 - 9 = 4 (left: 4 4 10)\n', '4 + 9 = 13 (left: 10 13 13)\n']).text;
  assert.match(vote, /Choice 1:\n13 - 9 = 4 \(left: 4 4 10\)/);
  assert.match(vote, /Choice 2:\n4 \+ 9 = 13 \(left: 10 13 13\)/);
  assert.match(vote, /The best choice is/);
  assert.equal(game24Task.extractAnswer('Steps:\n4 * 6 = 24 (left: 24)\nAnswer: (13 - 9) * (10 - 4) = 24'), '(13 - 9) * (10 - 4)');
  assert.equal(game24Task.extractAnswer('**Answer: 4 * 6 = 24**'), '4 * 6');
  assert.equal(game24Task.stepLabel('a (left: 1 2)\nb (left: 3)\n'), 'b (left: 3)');
  assert.equal(game24Task.defaultSteps, 4);
});

test('the few-shot examples in the prompts are themselves correct', () => {
  // Every "Input: ... / Answer: ..." pair shown to the model must be right (or be a deliberate wrong example).
  const prompts = [game24Task.ioPrompt('1 2 3 4').text, game24Task.cotPrompt('1 2 3 4', true).text];
  let checked = 0;
  for (const prompt of prompts) {
    const lines = prompt.split('\n');
    let puzzle = '';
    for (const line of lines) {
      if (line.startsWith('Input:')) puzzle = line.slice(6).trim();
      const m = /^Answer: (.*)$/.exec(line);
      if (m) {
        assert.equal(judgeGame24(puzzle, m[1]), true, `${puzzle}: ${m[1]}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 6);
  // The finished-solution value examples: sure exactly when the judge agrees.
  const value = game24Task.valuePrompt('1 2 3 4', 'x (left: 24)\nAnswer: (1 + 2 + 3) * 4 = 24\n').text;
  const blocks = value.split('\nInput: ').slice(1, -1);
  assert.ok(blocks.length >= 3);
  for (const block of blocks) {
    const [puzzle, answerLine] = block.split('\n');
    const verdict = block.trim().split('\n').pop();
    assert.equal(verdict === 'sure', judgeGame24(puzzle, answerLine), block);
  }
});

test('task "auto" picks Game of 24 for four whole numbers and generic otherwise', async () => {
  const { resolveTask } = await import('../../src/core/tasks/registry');
  assert.equal(resolveTask('auto', '4 9 10 13')?.id, 'game24');
  assert.equal(resolveTask('auto', ' 1, 1, 4, 6\n')?.id, 'game24');
  assert.equal(resolveTask('auto', '4 9 10')?.id, 'generic');
  assert.equal(resolveTask('auto', 'What is 4 9 10 13?')?.id, 'generic');
  assert.equal(resolveTask('game24', 'anything')?.id, 'game24');
  assert.equal(resolveTask('chess', 'x'), undefined);
});
