// Principles for Constitutional critique-and-revise, one per line: the user's, or the built-in list
// (template constitutional/principles: Thoughtscope's own wording of the themes of Bai et al., 2022,
// plus correctness for reasoning tasks).

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
