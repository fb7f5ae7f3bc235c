// Principles for Constitutional critique-and-revise: the built-in list (Thoughtscope's own wording of
// the themes of Bai et al., 2022, plus correctness for reasoning tasks), or the user's, one per line.

export const DEFAULT_PRINCIPLES: readonly string[] = [
  'Be correct: check every fact, calculation and step of reasoning, and fix anything that is wrong.',
  'Be helpful: answer exactly what was asked, completely and directly.',
  'Be honest: say what is uncertain instead of guessing, and never invent facts or sources.',
  'Be harmless: nothing dangerous, unethical, hateful or demeaning.',
  'Be clear: plain words, no padding, no repetition.',
];

/**
 * One principle per line; Markdown bullets and numbers are dropped, headings and blank lines skipped.
 * A single line may also separate principles with " | " (handy in the settings box).
 */
export function parsePrinciples(text: string): string[] {
  return text
    .split(/\r?\n|\s\|\s/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !/^(?:-{3,}|\*{3,})$/.test(line))
    .map((line) => line.replace(/^(?:[-*•+]|\d+[.)])\s+/, '').trim())
    .filter((line) => line !== '');
}
