// A brute-force Game of 24 solver for tests: finds an expression over the four numbers (exact
// fractions via the engine's own judge is not needed: the judge checks the result independently).

interface Term {
  value: number;
  text: string;
}

function combine(terms: Term[]): string | undefined {
  if (terms.length === 1) return Math.abs(terms[0].value - 24) < 1e-9 ? terms[0].text : undefined;
  for (let i = 0; i < terms.length; i++) {
    for (let j = 0; j < terms.length; j++) {
      if (i === j) continue;
      const rest = terms.filter((_, k) => k !== i && k !== j);
      const a = terms[i];
      const b = terms[j];
      const options: Term[] = [
        { value: a.value + b.value, text: `(${a.text} + ${b.text})` },
        { value: a.value - b.value, text: `(${a.text} - ${b.text})` },
        { value: a.value * b.value, text: `(${a.text} * ${b.text})` },
      ];
      if (b.value !== 0) options.push({ value: a.value / b.value, text: `(${a.text} / ${b.text})` });
      for (const option of options) {
        const found = combine([...rest, option]);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** An expression making 24 from the puzzle's numbers, or undefined when there is none. */
export function solve24(puzzle: string): string | undefined {
  const numbers = puzzle.trim().split(/\s+/).map(Number);
  return combine(numbers.map((n) => ({ value: n, text: String(n) })));
}
